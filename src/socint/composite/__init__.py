"""The Social Integration Index: deciles, the report's classification, a composite score,
rank uncertainty, sensitivity, change between vintages, and the output writers.

See ``docs/methods/index.md``. Entry points: :func:`build_index` and :func:`write_index`.
"""

from socint.composite.change import index_change
from socint.composite.classify import ClassificationRule, classify
from socint.composite.deciles import deciles, ranks
from socint.composite.inputs import IndexInputs, inputs_from_directory
from socint.composite.outputs import report_tables, write_index
from socint.composite.rank_uncertainty import rank_intervals
from socint.composite.run import IndexConfig, IndexResult, build_index, combine
from socint.composite.score import composite_score, normalise
from socint.composite.sensitivity import sensitivity

__all__ = [
    "ClassificationRule",
    "IndexConfig",
    "IndexInputs",
    "IndexResult",
    "build_index",
    "classify",
    "combine",
    "composite_score",
    "deciles",
    "index_change",
    "inputs_from_directory",
    "normalise",
    "rank_intervals",
    "ranks",
    "report_tables",
    "sensitivity",
    "write_index",
]
