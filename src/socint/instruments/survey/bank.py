"""The versioned question bank of the local-survey toolkit.

The bank (``questions.yaml``, shipped with socint) lists standard items with their wording,
response codes and codings, following the Citizenship Survey / Community Life Survey items the
Understanding Society briefing and Bright Blue (2019) use. Loading it checks its own structure,
so a locally edited bank fails early with the item and field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from socint.errors import SchemaError

_SCALES = ("ordinal", "binary")


@dataclass(frozen=True)
class Item:
    """One question: its id, wording, source, scale, response codes and codings."""

    id: str
    text: str
    source: str
    scale: str
    responses: tuple[str, ...]
    labels: MappingProxyType[str, str]
    missing: tuple[str, ...]
    positive: tuple[str, ...]


@dataclass(frozen=True)
class QuestionBank:
    """A loaded question bank: version, items by id and the demographic codes used for weighting."""

    version: str
    items: MappingProxyType[str, Item]
    demographics: MappingProxyType[str, tuple[str, ...]]
    path: str


def _as_code(value: Any) -> str:
    """YAML turns yes/no into booleans unless quoted; render every code as its text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """Load and check a question bank (the bundled one when ``path`` is None).

    Raises
    ------
    SchemaError
        If a field is missing, a scale is unknown, or a positive/missing code is not a
        response code of its item.
    """
    if path is None:
        ref = resources.files("socint.instruments.survey").joinpath("questions.yaml")
        text, where = ref.read_text(encoding="utf-8"), str(ref)
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SchemaError(f"the question bank could not be read ({exc})", file=where) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemaError(f"the question bank is not valid YAML ({exc})", file=where) from exc
    if not isinstance(raw, dict) or not {"version", "items"} <= set(raw):
        raise SchemaError(
            "the question bank must be a mapping with 'version' and 'items'",
            file=where,
            hint="start from socint's bundled questions.yaml",
        )
    items: dict[str, Item] = {}
    for item_id, spec in dict(raw["items"]).items():
        need = ("text", "scale", "responses", "positive")
        if not isinstance(spec, dict) or any(k not in spec for k in need):
            raise SchemaError(
                f"question {item_id!r} must give {', '.join(need)}", file=where, column=item_id
            )
        responses = {_as_code(k): str(v) for k, v in dict(spec["responses"]).items()}
        positive = tuple(_as_code(v) for v in spec["positive"])
        missing = tuple(_as_code(v) for v in spec.get("missing", []))
        if spec["scale"] not in _SCALES:
            raise SchemaError(
                f"question {item_id!r} has scale {spec['scale']!r}; allowed: {_SCALES}",
                file=where,
                column=item_id,
            )
        stray = [c for c in positive if c not in responses]
        clash = [c for c in missing if c in responses]
        if stray or clash:
            raise SchemaError(
                f"question {item_id!r}: positive codes {stray} are not response codes "
                f"or missing codes {clash} are also response codes",
                file=where,
                column=item_id,
            )
        items[str(item_id)] = Item(
            id=str(item_id),
            text=str(spec["text"]),
            source=str(spec.get("source", "")),
            scale=str(spec["scale"]),
            responses=tuple(responses),
            labels=MappingProxyType(responses),
            missing=missing,
            positive=positive,
        )
    demo = {str(k): tuple(_as_code(v) for v in vals)
            for k, vals in dict(raw.get("demographics", {})).items()}
    return QuestionBank(
        version=str(raw["version"]),
        items=MappingProxyType(items),
        demographics=MappingProxyType(demo),
        path=where,
    )
