"""The method, stage by stage: from official tables (or the synthetic England) to the index.

:func:`run` reads top to bottom like the method (``docs/architecture.md``)::

    inputs       a source: official files (folder or bundled extract) | synthetic England
    geography    LAs, MSOAs, regions and boundaries of one vintage (in the source)
    measures     Ethnic Diversity Index and Index of Dissimilarity per LA and MSOA
    covariates   the trust model's MSOA/LA covariates and the census post-stratification frame
    trust        published/saved model transported onto the frame | survey MRP | user table
    index        deciles, classification, composite, ranks with intervals (composite.combine)
    change       2011 → 2021 (synthetic: a second wave)
    outputs      la_index/msoa_index CSV, GeoJSON, XLSX, the dashboard, manifest.json

Stages hand typed objects to each other in memory (:class:`socint.sources.SourceData`,
:class:`socint.estimates.trust.TrustEstimates`, :class:`socint.composite.run.IndexResult`).
Everything is written into a hidden staging folder beside ``out`` and swapped into place at
the end, so a failed or killed run never leaves a mixed output folder.

Only this module's source selection (:func:`open_source`) imports :mod:`socint.synthetic`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socint import __version__
from socint.composite.inputs import IndexInputs
from socint.composite.run import TRUST_FORMULA, IndexConfig, IndexResult, combine
from socint.errors import InputDataError
from socint.estimates.transport import Calibration
from socint.estimates.trust import TrustEstimates
from socint.io import write_csv, write_json
from socint.measures.units import UnitCounts
from socint.sources import SourceData

Progress = Callable[[str], None]

TRUST_CHOICES = ("published", "survey")


@dataclass(frozen=True)
class RunConfig:
    """Settings of a run (all recorded in the manifest).

    Parameters
    ----------
    out
        Output folder (replaced atomically at the end of the run).
    source
        ``"official"`` (the official tables: ``data`` folder, else the bundled extract) or
        ``"synthetic"`` (the built-in synthetic England, the validation world).
    census
        2021 or 2011.
    lad_vintage
        The LA set of the outputs: ``None`` (the census's own: LTLA21 or 2011 LAs) or 2023
        (Census 2021 only; :mod:`socint.vintage`).
    data
        Folder searched recursively for official files; ``None`` = the bundled extract.
    trust
        ``"published"`` (Bright Blue's Model 3 transported onto the census), ``"survey"``
        (fit + MRP on respondents), a ``.json`` saved socint model, or a ``.csv`` trust table.
    survey, survey_map
        Survey microdata file and its mapping (``--trust survey`` on official data).
    draws, seed, min_respondents
        Simulation draws, seed, disclosure threshold.
    calibration
        Intercept calibration of a model without a published intercept.
    scale, survey_size
        Synthetic England only.
    change, site, model_tables, instruments, write_inputs
        Optional stages and outputs.
    """

    out: Path
    source: str = "official"
    census: int = 2021
    lad_vintage: int | None = None
    data: Path | None = None
    trust: str = "published"
    survey: Path | None = None
    survey_map: Path | None = None
    draws: int = 200
    seed: int = 2011
    min_respondents: int = 10
    calibration: Calibration = field(default_factory=Calibration)
    scale: float = 1.0
    survey_size: int = 30_000
    change: bool = True
    site: bool = True
    model_tables: bool = True
    instruments: bool = False
    write_inputs: bool = False
    title: str = ""

    def check(self) -> None:
        """Refuse settings with no meaning, naming the setting and the allowed values."""
        if self.source not in ("official", "synthetic"):
            raise InputDataError(f"source was {self.source!r} but is expected to be "
                                 "'official' or 'synthetic'")
        if self.census not in (2011, 2021):
            raise InputDataError(f"census was {self.census} but is expected to be 2011 or 2021")
        if self.lad_vintage is not None:
            from socint.vintage import check_lad_vintage

            if self.source == "synthetic":
                raise InputDataError("--lad-vintage applies to the official source only (the "
                                     "synthetic England has its own LAs)")
            check_lad_vintage(self.census, self.lad_vintage)
        if (self.trust not in TRUST_CHOICES
                and not self.trust.lower().endswith((".csv", ".json"))):
            raise InputDataError(f"--trust was {self.trust!r} but is expected to be "
                                 "'published', 'survey', a trust table FILE.csv or a saved "
                                 "model FILE.json")
        if self.trust == "survey" and self.source == "official" and self.survey is None:
            raise InputDataError("--trust survey needs --survey FILE (and --survey-map MAP)",
                                 hint="or use --trust published (no microdata needed)")
        if self.draws < 10:
            raise InputDataError(f"draws was {self.draws}; intervals need at least 10 draws")
        if self.min_respondents < 1:
            raise InputDataError(f"min_respondents was {self.min_respondents}, must be >= 1")
        out = Path(self.out)
        if out.exists() and not out.is_dir():
            raise InputDataError(f"the output path {out} is a file, not a folder", file=out,
                                 hint="choose a folder name with --out (it is created)")


@dataclass
class RunLog:
    """Timings, outputs and notes of a run, for the manifest."""

    stages: dict[str, float] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, progress: Progress | None) -> Iterator[None]:
        """Time one stage (and tell the progress callback it started)."""
        if progress is not None:
            progress(name)
        start = time.perf_counter()
        yield
        self.stages[name] = round(time.perf_counter() - start, 3)


@dataclass(frozen=True)
class RunResult:
    """What a run produced, in memory (the folder holds the same, written)."""

    out: Path
    source: SourceData
    trust: TrustEstimates
    index: IndexResult
    change: pd.DataFrame | None
    manifest: dict[str, Any]


STAGES = ("inputs", "measures", "trust", "index", "change", "outputs", "instruments",
          "dashboard")


def run(config: RunConfig, *, progress: Progress | None = None) -> RunResult:
    """Run the method on ``config``'s source and write every output into ``config.out``."""
    config.check()
    log = RunLog()
    with staging_folder(Path(config.out)) as tmp:
        with log.stage("inputs", progress):
            census_source = open_source(config)
            source = on_output_las(config, census_source)
        with log.stage("measures", progress):
            la_measures, msoa_measures = area_measures(source)
        with log.stage("trust", progress):
            trust, model_tables = estimate_trust(config, census_source, output=source)
        with log.stage("index", progress):
            inputs = index_inputs(source, la_measures, msoa_measures)
            index = combine(trust, inputs, index_config(config))
        change = None
        if config.change:
            with log.stage("change", progress):
                change = compute_change(config, source, index, la_measures)
        with log.stage("outputs", progress):
            write_outputs(tmp, config, source, index, la_measures, model_tables, change, log)
        if config.instruments:  # before the dashboard, so the site links to them
            with log.stage("instruments", progress):
                log.outputs += run_instruments(tmp, config, source)
        if config.site and source.la_boundaries is not None:
            with log.stage("dashboard", progress):
                build_dashboard(tmp, config, source, index, model_tables, change, log)
        manifest = run_manifest(config, source, index, log, tmp)
        write_json(manifest, tmp / "manifest.json")
    return RunResult(Path(config.out), source, trust, index, change, manifest)


# --------------------------------------------------------------------------------------------
# inputs


def open_source(config: RunConfig) -> SourceData:
    """The source selection: the only place outside ``synthetic/`` that imports it."""
    if config.source == "synthetic":
        from socint.synthetic.source import synthetic_source

        return synthetic_source(config.seed, scale=config.scale,
                                survey_size=config.survey_size)
    from socint.official import official_source

    return official_source(config.census, data=config.data)


def on_output_las(config: RunConfig, source: SourceData) -> SourceData:
    """The source on the LA set of the outputs (``--lad-vintage``; :mod:`socint.vintage`)."""
    if config.lad_vintage is None or config.lad_vintage == source.lad_vintage:
        return source
    from socint.vintage import source_on_lad_vintage

    return source_on_lad_vintage(source, config.lad_vintage)


def synthetic_index_inputs(seed: int, *, scale: float, survey_size: int) -> IndexInputs:
    """The index inputs of a synthetic England (for ``socint index`` without ``--inputs``)."""
    from socint.synthetic import generate_england
    from socint.synthetic.source import inputs_from_synthetic

    return inputs_from_synthetic(generate_england(seed, scale=scale, survey_size=survey_size))


def synthetic_unit_counts(seed: int) -> UnitCounts:
    """LSOA ethnic counts of the synthetic England (``socint measures synthetic``)."""
    from socint.synthetic import generate_england

    return UnitCounts.from_table(generate_england(seed).ethnicity)


# --------------------------------------------------------------------------------------------
# measures


def area_measures(source: SourceData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """EDI and Index of Dissimilarity per LA and per MSOA, by the source's measure inputs."""
    from socint.measures import compute_measures

    la_parts, msoa_parts = [], []
    for m in source.measures:
        if m.la_specs:
            la = compute_measures(m.units, m.la_specs, area_level="lad")
            la_parts.append(la.rename(columns={"area_code": "lad_code"})
                            .drop(columns=["area_name"], errors="ignore"))
        if m.msoa_specs:
            ms = compute_measures(m.units, m.msoa_specs, area_level="msoa")
            msoa_parts.append(ms.rename(columns={"area_code": "msoa_code"})
                              .drop(columns=["area_name"], errors="ignore"))
    return _merge_on(la_parts, "lad_code"), _merge_on(msoa_parts, "msoa_code")


def _merge_on(parts: list[pd.DataFrame], key: str) -> pd.DataFrame:
    out = parts[0]
    for part in parts[1:]:
        out = out.merge(part[[key, *[c for c in part.columns if c not in out.columns]]],
                        on=key, how="outer")
    return out.sort_values(key, ignore_index=True)


# --------------------------------------------------------------------------------------------
# trust


def estimate_trust(config: RunConfig, source: SourceData, *,
                   output: SourceData | None = None
                   ) -> tuple[TrustEstimates, dict[str, pd.DataFrame]]:
    """Small-area trust from the chosen source, and the model's tables (survey only).

    A model (published, saved or fitted to a survey) is applied on ``source``, the census's
    own areas, and then expressed on ``output``'s LA set when that differs (a merged LA's
    trust is the adult-weighted mean of its districts'); a user's table is read on
    ``output``'s LAs directly.
    """
    from socint.estimates.trust import trust_from_table

    output = output or source
    if config.trust.lower().endswith(".csv"):
        return trust_from_table(Path(config.trust), output.las, n_draws=config.draws,
                                seed=config.seed), {}
    trust, tables = _model_trust(config, source)
    if output is not source:
        from socint.vintage import trust_on_lad_vintage

        trust = trust_on_lad_vintage(trust, source, output,
                                     min_respondents=config.min_respondents)
    return trust, tables


def _model_trust(config: RunConfig, source: SourceData
                 ) -> tuple[TrustEstimates, dict[str, pd.DataFrame]]:
    from socint.estimates import transport as tr
    from socint.estimates.trust import trust_from_model, trust_from_survey

    choice = config.trust
    if choice == "survey":
        from dataclasses import replace

        from socint.estimates.sparse import apply_category_merge, plan_sparse_merge

        survey = load_survey(config, source)
        # Ethnic groups with too few respondents (or no variation) to estimate are merged,
        # in the survey and in the frame alike, with a note (small worlds, small surveys).
        merge, merge_notes = plan_sparse_merge(
            survey, categories=source.population["ethnicity"].astype(str).unique())
        population = source.population
        if merge:
            survey = apply_category_merge(survey, merge)
            merged = apply_category_merge(population, merge)
            population = merged.groupby(["msoa_code", "sex", "age_band", "ethnicity"],
                                        as_index=False, observed=True).agg(count=("count", "sum"))
        fit, tables = fit_trust_models(survey, with_tables=config.model_tables)
        trust = trust_from_survey(fit, survey, population, source.msoa_covariates,
                                  source.la_covariates, n_draws=config.draws, seed=config.seed,
                                  min_respondents=config.min_respondents,
                                  strata=IndexConfig().strata,
                                  max_profiles=IndexConfig().max_profiles)
        return replace(trust, notes=(*trust.notes, *merge_notes)), tables
    if choice.lower().endswith(".json"):
        model = tr.load_model(Path(choice))
        key = "saved_model"
    else:
        model = tr.published_model3()
        key = "published_model"
    design = tr.frame_design(model, source.population, source.msoa_covariates,
                             source.la_covariates)
    moved = tr.transport(model, design, n_draws=config.draws, seed=config.seed,
                         calibration=config.calibration)
    return trust_from_model(moved, source=key, model_name=model.name), {}


def load_survey(config: RunConfig, source: SourceData) -> pd.DataFrame:
    """Respondents with the area covariates of the run's census (never written out).

    The synthetic source carries its own survey; otherwise ``--survey`` is imported with
    ``--survey-map`` (:func:`socint.microdata.import_survey`, area codes checked against the
    source's MSOA → LA lookup) or read as a canonical CSV, and the MSOA and LA covariates are
    attached by area code.
    """
    if config.survey is None:
        if source.survey is None:
            raise InputDataError("--trust survey needs survey microdata (--survey FILE)")
        return source.survey
    if config.survey_map is not None:
        from socint.microdata import import_survey

        lookup = {source.census: source.msoas[["msoa_code", "lad_code"]].astype(str)}
        survey = import_survey(config.survey, config.survey_map, lookup=lookup).table
    else:
        survey = pd.read_csv(config.survey, dtype={"msoa_code": str, "lad_code": str})
    return attach_area_covariates(survey, source.msoa_covariates, source.la_covariates)


def attach_area_covariates(survey: pd.DataFrame, msoa_covariates: pd.DataFrame,
                           la_covariates: pd.DataFrame) -> pd.DataFrame:
    """The respondents with their MSOA's and LA's covariates; an unknown area is an error."""
    from socint.errors import GeographyError, _preview

    mcov = msoa_covariates.drop_duplicates("msoa_code")
    known = pd.Index(mcov["msoa_code"].astype(str))
    unknown = pd.Index(survey["msoa_code"].astype(str).unique()).difference(known)
    if len(unknown):
        raise GeographyError(f"{len(unknown)} survey MSOA code(s) are not MSOAs of this "
                             f"census's geography: {_preview(unknown)}", code=str(unknown[0]),
                             hint="use survey area codes of the census vintage of the run "
                                  "(--census), or recode them with the ONS MSOA lookup")
    cols = [c for c in mcov.columns if c not in survey.columns or c == "msoa_code"]
    out = survey.merge(mcov[cols], on="msoa_code", how="left", validate="many_to_one")
    lcols = [c for c in la_covariates.columns if c not in out.columns or c == "lad_code"]
    return out.merge(la_covariates.drop_duplicates("lad_code")[lcols], on="lad_code",
                     how="left", validate="many_to_one")


#: Values at which the report's "means of predicted probability" figures are drawn.
MARGIN_GRID: dict[str, tuple[str, list[Any] | None]] = {
    "sex": ("female", [0, 1]),
    "age": ("age", list(range(16, 91, 2))),
    "ethnicity": ("ethnicity", None),
    "nssec": ("nssec", None),
    "income": ("income", list(range(1, 16))),
}


def model_variants() -> dict[str, str]:
    """Nested variants of Model 3, each differing from it by one term (for AIC/BIC/LR)."""
    from socint.published import model3_formula

    return {"Model 3 without White British change (LA)":
            model3_formula(without=frozenset({"wb_change"})),
            "Model 3 without diversity × poor English": model3_formula(interaction=False)}


def fit_trust_models(survey: pd.DataFrame, *, with_tables: bool = True
                     ) -> tuple[Any, dict[str, pd.DataFrame]]:
    """Fit Model 3 to the respondents and derive the report's tables.

    Tables: model summary, comparison with nested variants, marginal predicted probabilities by
    sex, age, ethnicity, class and income, and the diversity × poor-English interaction.
    """
    from socint.estimates.trust import fit_trust_model
    from socint.models import compare_models, fit_glmm

    result = fit_trust_model(TRUST_FORMULA, survey)
    if not with_tables:
        return result, {}
    tables = {"model_summary": result.tidy()}
    variants = {name: fit_glmm(formula, survey) for name, formula in model_variants().items()}
    variants["Model 3 (published specification)"] = result
    tables["model_comparison"] = compare_models(variants).reset_index(names="model")
    for name, (variable, values) in MARGIN_GRID.items():
        frame = result.margins(variable, values)
        if name == "sex":
            frame = frame.assign(**{variable: frame[variable].map({0: "Male", 1: "Female"})})
        tables[f"margins_{name}"] = frame.rename(columns={variable: name})
    parts = []
    for flag in (0, 1):
        part = result.margins("div_decile", list(range(1, 11)),
                              data=survey.assign(poor_english=flag))
        parts.append(part.assign(poor_english=flag))
    tables["interaction"] = pd.concat(parts, ignore_index=True).rename(
        columns={"probability": "estimate"})
    return result, tables


# --------------------------------------------------------------------------------------------
# index and change


def index_config(config: RunConfig) -> IndexConfig:
    """The index settings of a run."""
    return IndexConfig(n_draws=config.draws, seed=config.seed,
                       min_respondents=config.min_respondents)


def index_inputs(source: SourceData, la_measures: pd.DataFrame,
                 msoa_measures: pd.DataFrame) -> IndexInputs:
    """The bundle the index stage combines (no respondent rows beyond the survey source)."""
    sources = {p.name: f"{p.file} sha256={p.sha256}" if p.sha256 else p.file
               for p in source.provenance}
    return IndexInputs(
        survey=source.survey, msoa_covariates=source.msoa_covariates,
        la_covariates=source.la_covariates, population=source.population, las=source.las,
        msoas=source.msoas, la_measures=la_measures[["lad_code", "edi", "dissimilarity"]],
        msoa_measures=msoa_measures[["msoa_code", "edi", "dissimilarity"]],
        deprivation=source.deprivation, la_boundaries=source.la_boundaries,
        msoa_boundaries=source.msoa_boundaries, truth_la=source.truth_la,
        truth_msoa=source.truth_msoa, sources=sources, vintage=source.census,
        lad_vintage=source.lad_vintage)


def compute_change(config: RunConfig, source: SourceData, index: IndexResult,
                   la_measures: pd.DataFrame) -> pd.DataFrame | None:
    """Change per LA: the synthetic second wave, or (official) 2011 → 2021 when available."""
    if source.kind == "synthetic" and config.trust == "survey":
        from socint.synthetic.demo import wave_change

        return wave_change(source, index, la_measures, draws=config.draws, seed=config.seed,
                           min_respondents=config.min_respondents)
    if source.kind == "official" and config.census == 2021:
        from socint.official import official_change

        return official_change(config, source, index)
    return None


# --------------------------------------------------------------------------------------------
# outputs


def write_outputs(out: Path, config: RunConfig, source: SourceData, index: IndexResult,
                  la_measures: pd.DataFrame, model_tables: dict[str, pd.DataFrame],
                  change: pd.DataFrame | None, log: RunLog) -> None:
    """The index tables (one writer: :func:`socint.composite.outputs.write_index`) and the
    stage tables: LA measures, the model's tables (survey source), the change."""
    from socint.composite.outputs import write_index

    files = write_index(index, out)
    log.notes["index_manifest"] = files.pop("manifest", None) is not None
    (out / "manifest.json").unlink(missing_ok=True)
    log.outputs += sorted(p.name for p in files.values())
    write_csv(la_measures, out / "la_measures.csv")
    log.outputs.append("la_measures.csv")
    for name, frame in model_tables.items():
        write_csv(frame, out / f"{name}.csv")
        log.outputs.append(f"{name}.csv")
    if change is not None:
        write_csv(change, out / "change.csv")
        log.outputs.append("change.csv")
    if config.write_inputs and source.survey is not None and source.kind == "synthetic":
        write_csv(source.survey, out / "inputs" / "survey.csv")
        log.outputs.append("inputs/survey.csv")


def build_dashboard(out: Path, config: RunConfig, source: SourceData, index: IndexResult,
                    model_tables: dict[str, pd.DataFrame], change: pd.DataFrame | None,
                    log: RunLog) -> None:
    """The offline dashboard, from the in-memory index result."""
    from socint.report import SiteInputs, build_site
    from socint.report.adapters import margins_from_glmm
    from socint.report.figures import MARGIN_TITLES

    assert source.la_boundaries is not None
    margins = {name: margins_from_glmm(model_tables[f"margins_{name}"], name)
               for name in MARGIN_TITLES if f"margins_{name}" in model_tables}
    las = (f", {source.lad_vintage} local authorities"
           if source.lad_vintage not in (source.census, 2013) else "")
    title = config.title or (f"Social Integration Index — England, Census {source.census}{las}"
                             if source.kind == "official"
                             else "Social Integration Index (synthetic England demo)")
    from socint.report.similar import la_covariate_table

    cov = la_covariate_table(source.msoa_covariates, source.la_covariates)
    cov = cov.loc[:, [c for c in cov.columns if c == "lad_code" or cov[c].nunique() > 1]]
    site_inputs = SiteInputs(
        la_index=index.la.sort_values("lad_code").reset_index(drop=True),
        la_covariates=cov,
        boundaries=source.la_boundaries,
        msoa_index=(index.msoa.sort_values("msoa_code").reset_index(drop=True)
                    if len(index.msoa) else None),
        msoa_boundaries=source.msoa_boundaries if len(index.msoa) else None,
        model_summary=model_tables.get("model_summary"),
        model_stats={k: v for k, v in index.model_info.items()
                     if isinstance(v, int | float | str)},
        model_comparison=model_tables.get("model_comparison"), margins=margins,
        interaction=model_tables.get("interaction"),
        decomposition=index.decomposition if len(index.decomposition.columns) > 1 else None,
        change=change, validation=index.validation, truth=source.truth_la,
        manifest={"trust_source": index.trust.description,
                  "assumptions": [f"{t}: {w}" for t, w in source.assumptions]
                  + list(index.trust.notes)},
        area_notes=dict(source.extra.get("area_notes", {})),
        sources=site_sources(source), title=title)
    site = build_site(site_inputs, out / "site")
    log.outputs.append("site/index.html")
    log.notes["site"] = {"pages": site.pages, "bytes": site.bytes}


def site_sources(source: SourceData) -> tuple[Any, ...]:
    """The data sources shown on the methodology page, from the run's real provenance."""
    from socint.report.inputs import SYNTHETIC_SOURCES, Source

    if source.kind == "synthetic":
        return SYNTHETIC_SOURCES
    seen: dict[str, Any] = {}
    for p in source.provenance:
        attribution = ("Contains public sector information licensed under the Open Government "
                       "Licence v3.0." if "Open Government" in p.licence else "")
        if "boundar" in p.name.lower():
            attribution += " Contains OS data © Crown copyright and database right."
        seen.setdefault(p.name, Source(p.name, p.publisher, str(source.census), p.licence,
                                       attribution.strip()))
    return tuple(seen.values())


def run_instruments(out: Path, config: RunConfig, source: SourceData) -> list[str]:
    """The companion instruments on the synthetic inputs (demo only)."""
    if source.kind != "synthetic":
        return []
    from socint.synthetic.demo import run_demo_instruments

    paths = run_demo_instruments(out / "instruments", config.seed, source)
    return [str(p.relative_to(out)) for p in paths]


def run_manifest(config: RunConfig, source: SourceData, index: IndexResult, log: RunLog,
                 out: Path) -> dict[str, Any]:
    """The one manifest of a run: inputs, settings, trust source, assumptions, outputs."""
    from socint.store import sha256_file

    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()}
    settings["calibration"] = {"target": config.calibration.target,
                               "ethnic_mix": dict(config.calibration.ethnic_mix or {})}
    settings["out"] = Path(config.out).name
    outputs = {}
    for name in log.outputs:
        p = out / name
        if p.is_file() and p.suffix in (".csv", ".geojson"):
            outputs[name] = sha256_file(p)
    return {
        "socint_version": __version__,
        "python": platform.python_version(),
        "packages": _versions(),
        "source": {"name": source.name, "kind": source.kind, "census": source.census,
                   "lad_vintage": source.lad_vintage},
        "settings": settings,
        "inputs": [p.as_dict() for p in source.provenance],
        "tables_found": source.extra.get("found", []),
        "measures": source.measures_description,
        "trust": {"source": index.trust.source, "description": index.trust.description,
                  "assumptions": list(index.trust.notes)},
        "assumptions": [{"term": t, "what": w} for t, w in source.assumptions],
        "model": index.model_info,
        "disclosure": {"min_respondents": config.min_respondents,
                       "rule": "no respondent-level rows in any output; estimates of areas "
                               "with fewer respondents than the threshold are suppressed "
                               "(direct, report-style) or flagged (MRP)"},
        "stages_seconds": log.stages,
        "outputs": outputs,
        "notes": {**{k: v for k, v in log.notes.items() if k != "index_manifest"},
                  "source": list(source.extra.get("notes", []))},
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("numpy", "pandas", "scipy", "duckdb", "formulaic", "shapely", "matplotlib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - all are dependencies
            out[name] = "absent"
    return out


@contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """Write into a hidden sibling folder swapped into ``out`` on success (:func:`io.atomic_dir`).

    A folder that exists, is not empty and is not a socint output (no ``manifest.json``) is
    never replaced: a mistyped ``--out`` must not delete someone's files.
    """
    from socint.io import atomic_dir

    out = Path(out)
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise InputDataError(f"the output folder {out} exists, is not empty and is not a "
                             "socint output (no manifest.json); refusing to replace it",
                             file=out, hint="choose a new --out folder, or empty this one")
    with atomic_dir(out) as tmp:
        yield tmp


# --------------------------------------------------------------------------------------------
# the demo: the same pipeline on the synthetic England


@dataclass(frozen=True)
class DemoConfig:
    """Settings of ``socint demo`` (the synthetic England through every stage)."""

    out: Path
    seed: int = 2011
    scale: float = 1.0
    survey_size: int = 30_000
    draws: int = 1000
    min_respondents: int = 10
    write_inputs: bool = False


def run_demo(config: DemoConfig, *, progress: Progress | None = None) -> dict[str, Any]:
    """:func:`run` on the synthetic source with survey trust; returns the manifest."""
    result = run(RunConfig(out=config.out, source="synthetic", trust="survey",
                           draws=config.draws, seed=config.seed,
                           min_respondents=config.min_respondents, scale=config.scale,
                           survey_size=config.survey_size, instruments=True,
                           write_inputs=config.write_inputs), progress=progress)
    return result.manifest


__all__ = ["DemoConfig", "RunConfig", "RunResult", "fit_trust_models", "run", "run_demo"]
