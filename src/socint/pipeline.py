"""The method, stage by stage: from raw tables to the published index.

Each stage reads what the previous one produced, validates it, and writes its own outputs
atomically (``socint.io``), so a failure leaves earlier outputs intact. The demo runs the whole
chain on the built-in synthetic England, offline:

1. **synthetic England** — areas, census-like counts, boundaries, a survey drawn from the
   published Model 3, and the truth (``socint.synthetic``); written to ``inputs/``.
2. **ingest** — the synthetic LSOA ethnicity file, in the official MLID layout, goes through
   the same reader and store as a real Census file (``socint.data``, ``socint.store``).
3. **measures** — Ethnic Diversity Index and Index of Dissimilarity per LA (``socint.measures``).
4. **trust model** — the three-level random-intercept logistic regression (``socint.models``)
   and the comparison of the report's Models 1-4.
5. **index** — small-area trust (direct, report-style, MRP) and the Social Integration Index
   (``socint.estimates``, ``socint.composite``).
6. **change** — a second synthetic wave ten years on and the change of each LA's trust, EDI,
   ID and composite with intervals (``socint.composite.timeseries``).
7. **report** — the offline dashboard and figures (``socint.report``).
8. **companion instruments** — schools, scorecard, adjusted comparison, local survey
   (``socint.instruments``).

A run manifest (inputs with checksums, versions, seed, settings, timings) is written last.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from socint import __version__
from socint.io import write_csv, write_json
from socint.store import Store, sha256_file

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoConfig:
    """Settings of a demo run (all recorded in the manifest).

    Parameters
    ----------
    out
        Output folder.
    seed
        Seed of the synthetic England and of every simulation.
    scale
        Size of the synthetic England (1.0 ≈ 310 LAs, 3,100 MSOAs, 15,500 LSOAs).
    survey_size
        Respondents in the synthetic survey.
    draws
        Simulation draws for the uncertainty of small-area estimates and ranks.
    min_respondents
        Disclosure threshold: areas with fewer respondents are suppressed/flagged.
    """

    out: Path
    seed: int = 2011
    scale: float = 1.0
    survey_size: int = 30_000
    draws: int = 1000
    min_respondents: int = 10


@dataclass
class RunLog:
    """Timings and produced files of a run, for the manifest."""

    stages: dict[str, float] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, progress: Progress | None) -> Iterator[None]:
        if progress is not None:
            progress(name)
        start = time.perf_counter()
        yield
        self.stages[name] = round(time.perf_counter() - start, 3)


def run_demo(config: DemoConfig, *, progress: Progress | None = None) -> dict[str, Any]:
    """Run every stage on the synthetic England; return the manifest (also written to disk)."""
    from socint.synthetic import generate_england

    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    log = RunLog()

    with log.stage("synthetic England", progress):
        england = generate_england(config.seed, scale=config.scale,
                                   survey_size=config.survey_size)
        inputs = england.write(out / "inputs")

    with log.stage("ingest", progress):
        store = Store(out / "socint.duckdb")
        ingested = store.ingest_file(inputs / "ethnicity_2011_lsoa_ew.csv")
        log.notes["ingested"] = asdict(ingested)

    with log.stage("measures", progress):
        la_measures = la_measures_from_store(store, ingested.dataset, england.las)
        write_csv(la_measures, out / "la_measures.csv")
        log.outputs.append("la_measures.csv")

    with log.stage("trust model", progress):
        survey = survey_for_model(england.survey, england.la_covariates)
        model, model_tables = fit_trust_models(survey)
        for name, frame in model_tables.items():
            write_csv(frame, out / f"{name}.csv")
            log.outputs.append(f"{name}.csv")

    with log.stage("small-area trust and the index", progress):
        index_files = build_and_write_index(england, la_measures, model, config, out)
        log.outputs += [p.name for p in index_files.values() if p.name != "manifest.json"]
        log.notes["index_manifest"] = json.loads((out / "manifest.json").read_text("utf-8"))

    with log.stage("change between waves", progress):
        from socint.composite.timeseries import run_change

        change_path = run_change(england, la_measures, model, config, out)
        log.outputs.append(change_path.name)

    with log.stage("report", progress):
        from socint.report import SYNTHETIC_SOURCES, build_site, load_site_inputs

        site_inputs = replace(load_site_inputs(out, title="Social Integration Index "
                                                          "(synthetic England demo)"),
                              sources=SYNTHETIC_SOURCES)
        site = build_site(site_inputs, out / "site")
        log.outputs.append("site/index.html")
        log.notes["site"] = {"pages": site.pages, "bytes": site.bytes}

    with log.stage("companion instruments", progress):
        from socint.instruments.run import run_demo as run_instruments
        from socint.synthetic.instruments import la_population_from_counts

        paths = run_instruments(out / "instruments", config.seed, las=england.las,
                                la_population=la_population_from_counts(england.ethnicity))
        log.outputs += [str(p.relative_to(out)) for p in paths]

    manifest = _manifest(config, log, inputs)
    write_json(manifest, out / "manifest.json")
    return manifest


def la_measures_from_store(store: Store, dataset: str, las: pd.DataFrame) -> pd.DataFrame:
    """EDI and Index of Dissimilarity per LA from small-area ethnic counts held in the store.

    The definitions are those of the ``bright_blue_2019`` preset (``docs/methods/diversity.md``):
    EDI = Simpson's index of each MSOA over the 14 MLID groups, population-weighted mean over
    the LA's MSOAs; ID = White British vs all others (0-100) across the LA's smallest units.
    The real preset uses Output Areas; the synthetic England's smallest units are LSOAs, so the
    demo computes ID over LSOAs (which gives somewhat lower values than OAs would).
    """
    from socint.data.table import OfficialTable
    from socint.measures import MeasureSpec, UnitCounts, compute_measures

    prov = store.provenance(dataset)
    table = OfficialTable(
        dataset=dataset, kind="counts", level=prov["level"], vintage=int(prov["vintage"]),
        topic=prov["topic"], scheme=prov["scheme"], data=store.read(dataset),
        areas=store.read(dataset, "areas"), source=prov["source"], licence=prov["licence"],
        path=Path(prov["file_name"]), sha256=prov["sha256"],
    )
    units = UnitCounts.from_table(table)
    if "lad_code" not in units.parents.columns:
        from socint.measures.presets import attach_la_codes

        units = attach_la_codes(units, las)
    specs = (
        MeasureSpec(column="edi", measure="simpson", unit_level="msoa",
                    scheme="ethnicity_2011_mlid14", rollup="weighted_mean"),
        MeasureSpec(column="dissimilarity", measure="dissimilarity", unit_level=units.level,
                    scheme="ethnicity_white_british", group="white_british", scale=100.0),
    )
    out = compute_measures(units, specs, area_level="lad")
    return out.rename(columns={"area_code": "lad_code", "area_name": "lad_name"})


def survey_for_model(survey: pd.DataFrame, la_covariates: pd.DataFrame) -> pd.DataFrame:
    """The respondents with every covariate of Model 3 and the grouping factors ``la``/``msoa``.

    LA-level covariates (``wb_change``) are attached by LA code; a respondent whose LA has no
    covariates is an error, never a silent NaN.
    """
    from socint.errors import InputDataError

    frame = survey.copy()
    missing_cols = [c for c in la_covariates.columns if c != "lad_code" and c not in frame]
    if missing_cols:
        frame = frame.merge(la_covariates[["lad_code", *missing_cols]], on="lad_code",
                            how="left", validate="many_to_one")
        absent = frame.loc[frame[missing_cols].isna().any(axis=1), "lad_code"].unique()
        if len(absent):
            raise InputDataError(
                f"{len(absent)} LA(s) of the survey have no LA covariates: "
                f"{', '.join(map(str, absent[:10]))}",
                hint="add them to the LA covariate table")
    return frame.rename(columns={"lad_code": "la", "msoa_code": "msoa"})


#: Values at which the report's "means of predicted probability" figures are drawn.
MARGIN_GRID: dict[str, tuple[str, list[Any] | None]] = {
    "sex": ("female", [0, 1]),
    "age": ("age", list(range(16, 91, 2))),
    "ethnicity": ("ethnicity", None),
    "nssec": ("nssec", None),
    "income": ("income", list(range(1, 16))),
}


def model_variants() -> dict[str, str]:
    """Nested variants of Model 3, each differing from it by one term.

    The report compared four variants differing by one LA-level covariate; the synthetic
    England carries only White British change, so the demo compares Model 3 with the model
    without it and the model without the diversity × poor-English interaction (log-likelihood,
    AIC, BIC and likelihood-ratio tests).
    """
    from socint.models import MODEL3_FORMULA

    no_la = MODEL3_FORMULA.replace(' + C(wb_change, Treatment("<-5%"))', "")
    no_interaction = MODEL3_FORMULA.replace("div_decile * poor_english",
                                            "div_decile + poor_english")
    if MODEL3_FORMULA in (no_la, no_interaction):  # pragma: no cover - guards a formula edit
        raise RuntimeError("Model 3's formula changed: update model_variants()")
    return {"Model 3 without White British change (LA)": no_la,
            "Model 3 without diversity × poor English": no_interaction}


def fit_trust_models(survey: pd.DataFrame) -> tuple[Any, dict[str, pd.DataFrame]]:
    """Fit the report's Model 3 and derive the tables the report shows.

    Returns the fitted :class:`socint.models.GlmmResult` and tables: the model summary,
    marginal predicted probabilities by sex, age, ethnicity, class and income (everyone set to
    each value, predictions averaged, conditional on the random-effect modes, delta-method 95%
    intervals) and the diversity × poor-English interaction.
    """
    from socint.models import MODEL3_FORMULA, compare_models, fit_glmm

    result = fit_glmm(MODEL3_FORMULA, survey)
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


def build_and_write_index(england: Any, la_measures: pd.DataFrame, model: Any,
                          config: DemoConfig, out: Path) -> dict[str, Path]:
    """Small-area trust (direct, report-style, MRP) and the Social Integration Index.

    The index uses the LA measures computed from the store (one definition for the whole run)
    and the already fitted trust model.
    """
    from socint.composite import IndexConfig, build_index, write_index
    from socint.composite.inputs import inputs_from_synthetic

    inputs = replace(inputs_from_synthetic(england),
                     la_measures=la_measures[["lad_code", "edi", "dissimilarity"]])
    result = build_index(inputs, config=IndexConfig(n_draws=config.draws, seed=config.seed,
                                                    min_respondents=config.min_respondents),
                         model=model)
    return write_index(result, out)


def _manifest(config: DemoConfig, log: RunLog, inputs: Path) -> dict[str, Any]:
    files = sorted(p for p in inputs.glob("*") if p.is_file())
    return {
        "socint_version": __version__,
        "python": platform.python_version(),
        "packages": _versions(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "inputs": [{"file": f"inputs/{p.name}", "sha256": sha256_file(p)} for p in files],
        "stages_seconds": log.stages,
        "outputs": log.outputs,
        "notes": log.notes,
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


__all__ = ["DemoConfig", "fit_trust_models", "la_measures_from_store", "run_demo"]
