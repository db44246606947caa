"""Offline HTML dashboard, publication figures and exports of the Social Integration Index.

Entry points: :class:`SiteInputs` (everything a site shows, validated by
:func:`validate_inputs`), :func:`build_site` (writes the static site), :func:`load_site_inputs`
(reads a folder written by ``socint index``) and :func:`serve` (a loopback-only HTTP server).
"""

from __future__ import annotations

from socint.report.adapters import interaction_from_glmm, margins_from_glmm
from socint.report.inputs import (
    DEFAULT_SOURCES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    SYNTHETIC_SOURCES,
    SiteInputs,
    Source,
    validate_inputs,
)
from socint.report.load import load_site_inputs
from socint.report.serve import make_server, serve
from socint.report.site import SiteResult, build_site

__all__ = [
    "DEFAULT_SOURCES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SYNTHETIC_SOURCES",
    "SiteInputs",
    "SiteResult",
    "Source",
    "build_site",
    "interaction_from_glmm",
    "load_site_inputs",
    "make_server",
    "margins_from_glmm",
    "serve",
    "validate_inputs",
]
