"""The canonical respondent table and the mapping file that produces it.

The canonical table is what socint's trust model (``socint.models.MODEL3_FORMULA`` /
``socint.composite.run.TRUST_FORMULA``) and MRP read, with the same column names and category
spellings as the synthetic survey (:data:`socint.synthetic.survey.SURVEY_COLUMNS`). A mapping file
says, for one archive file, which column holds each canonical variable and how its codes
translate (schema in ``docs/methods/microdata.md``; the schema may be extended, never renamed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from socint.errors import InputDataError, SchemaError, _preview

#: Placeholder the map template writes where the user must fill something in.
FILL_IN = "FILL_IN"
AREA_LEVELS = ("lsoa_code", "msoa_code", "lad_code")
VINTAGES = (2011, 2021)
DESIGN = ("weight", "psu", "strata")
UNMAPPED_RULES = ("error", "drop")
TOP_KEYS = ("survey", "area", "weight", "psu", "strata", "missing", "unmapped", "variables")
VARIABLE_KEYS = ("column", "codes", "missing")


@dataclass(frozen=True)
class Canonical:
    """What one canonical variable may hold.

    ``values`` lists the allowed values of a categorical (or 0/1) variable; ``low``/``high``
    bound a numeric one; ``integer`` requires whole numbers.
    """

    name: str
    description: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = True

    def allowed(self) -> str:
        """The allowed values in words, for error messages."""
        if self.values is not None:
            return ", ".join(map(str, self.values))
        kind = "whole numbers" if self.integer else "numbers"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` (already translated) is an allowed canonical value."""
        if self.values is not None:
            if isinstance(value, bool):
                value = int(value)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return any(value == v and type(value) is type(v) for v in self.values)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.integer and not float(value).is_integer():
            return False
        return bool(self.low is None or value >= self.low) and bool(
            self.high is None or value <= self.high)


_BINARY = (0, 1)
#: The canonical variables, in output order (spellings as in the synthetic survey and Model 3).
CANONICAL: dict[str, Canonical] = {c.name: c for c in (
    Canonical("trust", "1 = trusts people in the neighbourhood (the answers coded 1), "
                       "0 = otherwise", _BINARY),
    Canonical("female", "1 = female, 0 = male", _BINARY),
    Canonical("age", "age in years (adults 16+, as the census frame)", low=16, high=120),
    Canonical("income", "household income band 1 (lowest) to 15", low=1, high=15),
    Canonical("ethnicity", "ethnic group, six groups of the report",
              ("White", "Asian", "Black", "Mixed", "Chinese", "Other")),
    Canonical("married", "1 = married or civil partnership, 0 = otherwise", _BINARY),
    Canonical("years5", "1 = lived in the neighbourhood 5+ years, 0 = otherwise", _BINARY),
    Canonical("nssec", "NS-SEC group", ("Managerial", "Intermediate", "Routine", "Other")),
    Canonical("year_2010", "1 = interviewed in the 2010-11 wave, 0 = 2009-10", _BINARY),
)}


@dataclass(frozen=True)
class VariableMap:
    """How one output column is made: source ``column``, optional ``codes`` and ``missing``."""

    name: str
    column: str
    codes: dict[Any, Any] | None = None
    missing: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SurveyMapping:
    """A parsed, checked mapping file (see ``docs/methods/microdata.md``)."""

    survey: str
    area_level: str
    area_column: str
    vintage: int
    variables: dict[str, VariableMap]
    design: dict[str, str] = field(default_factory=dict)
    missing: tuple[Any, ...] = ()
    unmapped: str = "error"
    source: str | None = None


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without ``yes``/``no``/``on``/``off`` as booleans (they are answer codes here)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in rules if tag != "tag:yaml.org,2002:bool"]
    for key, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _err(msg: str, source: str | None, hint: str) -> SchemaError:
    return SchemaError(msg, file=source, hint=hint)


def _code_key(key: Any) -> Any:
    """Normalise a mapping's source code: numbers as float (files store codes as floats)."""
    if isinstance(key, bool):
        return float(key)
    if isinstance(key, int | float):
        return float(key)
    if isinstance(key, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", key):
        return float(key)
    return key


def _parse_variable(name: str, spec: Any, source: str | None) -> VariableMap:
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, Mapping):
        raise _err(f"variable {name!r} must be a mapping like {{column: COLUMN, codes: ...}}, "
                   f"got {type(spec).__name__}", source,
                   "write e.g. `trust: {column: nbrtrust, codes: {1: 1, 2: 0}}`")
    unknown = sorted(set(spec) - set(VARIABLE_KEYS))
    if unknown:
        raise _err(f"variable {name!r} has unknown key(s) {_preview(unknown)}; allowed: "
                   f"{', '.join(VARIABLE_KEYS)}", source, "remove or rename those keys")
    column = spec.get("column")
    if column is None or column == FILL_IN:
        raise _err(f"variable {name!r} has no source column (column: {column})", source,
                   f"set `column:` to the file's variable holding {name}, or delete the entry")
    codes = spec.get("codes")
    canon = CANONICAL.get(name)
    parsed: dict[Any, Any] | None = None
    if codes is not None:
        if not isinstance(codes, Mapping):
            raise _err(f"codes of variable {name!r} must be a mapping source → canonical",
                       source, "write e.g. `codes: {1: 1, 2: 0}`")
        if name in DESIGN:
            raise _err(f"{name!r} takes no codes", source, "remove `codes:`")
        parsed = {}
        for key, value in codes.items():
            if value == FILL_IN:
                raise _err(f"variable {name!r}: code {key!r} is still {FILL_IN}", source,
                           "replace it with a canonical value, or null to treat it as missing")
            if value is not None and canon is not None and not canon.accepts(value):
                raise _err(f"variable {name!r} maps code {key!r} to {value!r}, which is not "
                           f"a canonical value; allowed: {canon.allowed()}", source,
                           f"map code {key!r} to one of the allowed values (or null for "
                           "missing)")
            parsed[_code_key(key)] = value
    miss = spec.get("missing") or []
    if not isinstance(miss, list):
        raise _err(f"`missing` of variable {name!r} must be a list", source,
                   "write e.g. `missing: [-9, -8]`")
    return VariableMap(name, str(column), parsed, tuple(_code_key(m) for m in miss))


def parse_mapping(raw: Mapping[str, Any], *, source: str | Path | None = None) -> SurveyMapping:
    """Check a mapping already loaded from YAML and return it as a :class:`SurveyMapping`.

    Raises
    ------
    SchemaError
        Unknown keys, a missing area or variables, placeholders left from the template, or a
        code mapped to a value outside the canonical set (the allowed values are listed).
    """
    src = str(source) if source is not None else None
    if not isinstance(raw, Mapping):
        raise _err("a mapping file must be a YAML mapping (survey:, area:, variables:)", src,
                   "start from `socint survey map-template FILE`")
    unknown = sorted(set(raw) - set(TOP_KEYS))
    if unknown:
        raise _err(f"unknown top-level key(s) {_preview(unknown)}; allowed: "
                   f"{', '.join(TOP_KEYS)}", src, "remove or rename those keys")
    area = raw.get("area")
    if not isinstance(area, Mapping):
        raise _err("`area:` is missing", src,
                   "add e.g. `area: {msoa_code: COLUMN, vintage: 2011}`")
    levels = [k for k in AREA_LEVELS if k in area]
    extra = sorted(set(area) - {*AREA_LEVELS, "vintage"})
    if len(levels) != 1 or extra:
        raise _err(f"`area:` must name exactly one of {', '.join(AREA_LEVELS)} plus vintage; "
                   f"got {_preview(sorted(area))}", src,
                   "write e.g. `area: {msoa_code: COLUMN, vintage: 2011}`")
    level = levels[0]
    if area[level] in (None, FILL_IN):
        raise _err(f"`area: {level}` has no column (it is {area[level]})", src,
                   f"set it to the file's variable holding the {level}")
    vintage = area.get("vintage")
    if vintage not in VINTAGES or isinstance(vintage, bool):
        raise _err(f"`area: vintage` was {vintage!r} but must be one of "
                   f"{', '.join(map(str, VINTAGES))}", src,
                   "set the census vintage of the area codes (2011 or 2021), as the archive's "
                   "documentation states")
    variables = raw.get("variables")
    if not isinstance(variables, Mapping) or not variables:
        raise _err("`variables:` is missing or empty", src,
                   "map at least `trust: {column: ..., codes: ...}`")
    parsed = {}
    for name, spec in variables.items():
        name = str(name)
        if not re.fullmatch(r"[A-Za-z_]\w*", name) or name in (*AREA_LEVELS, *DESIGN):
            raise _err(f"variable name {name!r} cannot be an output column", src,
                       "use a plain identifier that is not an area key or weight/psu/strata")
        parsed[name] = _parse_variable(name, spec, src)
    if "trust" not in parsed:
        raise _err("`variables:` has no `trust`", src, "map the trust question to `trust`")
    design = {}
    for key in DESIGN:
        if raw.get(key) is not None:
            if raw[key] == FILL_IN:
                raise _err(f"`{key}:` is still {FILL_IN}", src,
                           f"set it to the file's {key} variable or delete the line")
            design[key] = str(raw[key])
    unmapped = raw.get("unmapped", "error")
    if unmapped not in UNMAPPED_RULES:
        raise _err(f"`unmapped:` was {unmapped!r} but must be one of "
                   f"{', '.join(UNMAPPED_RULES)}", src,
                   "use `error` (default) or `drop` (rows with such codes are dropped and "
                   "counted)")
    missing = raw.get("missing") or []
    if not isinstance(missing, list):
        raise _err("`missing:` must be a list of codes", src, "write e.g. `missing: [-9, -8]`")
    return SurveyMapping(
        survey=str(raw.get("survey") or "survey"), area_level=level,
        area_column=str(area[level]), vintage=int(vintage), variables=parsed, design=design,
        missing=tuple(_code_key(m) for m in missing), unmapped=str(unmapped), source=src)


def load_mapping(path: str | Path | Mapping[str, Any]) -> SurveyMapping:
    """Read and check a mapping YAML file (or an already-loaded mapping)."""
    if isinstance(path, Mapping):
        return parse_mapping(path)
    p = Path(path)
    try:
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader
    except FileNotFoundError:
        raise InputDataError("mapping file not found", file=p,
                             hint="give the path of a mapping YAML (socint survey "
                                  "map-template FILE writes one)") from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"the mapping is not valid YAML: {exc}", file=p,
                          hint="fix the YAML syntax at the line shown") from None
    return parse_mapping(raw, source=p)


__all__ = ["CANONICAL", "FILL_IN", "Canonical", "SurveyMapping", "VariableMap",
           "load_mapping", "parse_mapping"]
