"""Companion instruments proposed by the reports behind socint.

* :mod:`~socint.instruments.schools` — school diversity league tables (Bright Blue 2019, rec. 8);
* :mod:`~socint.instruments.scorecard` — race-equality scorecard (Runnymede Trust);
* :mod:`~socint.instruments.compare` — demographically adjusted comparison of area groups
  (Belong / University of Kent, Integration Areas);
* :mod:`~socint.instruments.survey` — local-survey toolkit (Understanding Society briefing).
"""

from __future__ import annotations
