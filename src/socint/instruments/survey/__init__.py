"""Local-survey toolkit: question bank, validation, raking to census margins, weighted estimates.

Answers the Understanding Society briefing's call for local action research: an LA runs the
standard items, checks the file (:func:`validate_responses`), weights respondents to its census
margins (:func:`rake`) and reports design-effect-aware estimates (:func:`estimate_items`).
"""

from __future__ import annotations

from socint.instruments.survey.bank import Item, QuestionBank, load_bank
from socint.instruments.survey.estimate import compare_with_model, estimate_items, weighted_share
from socint.instruments.survey.margins import margins_for_la
from socint.instruments.survey.raking import Margin, RakingResult, kish_deff, rake
from socint.instruments.survey.validate import find_problems, validate_responses

__all__ = [
    "Item",
    "Margin",
    "QuestionBank",
    "RakingResult",
    "compare_with_model",
    "estimate_items",
    "find_problems",
    "kish_deff",
    "load_bank",
    "margins_for_la",
    "rake",
    "validate_responses",
    "weighted_share",
]
