"""One year of validated data, as the section notebooks use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths
from ..data import plan as plan_data
from ..data import prior as prior_data
from ..data.checks import CheckResult, figure
from ..data.params import Params, load_params
from ..data.problems import Problem
from ..data.texts import ChapterText
from . import trace

PLAN = plan_data.PLAN_FILE
NO_PRIOR = "El año anterior no está disponible para comparar."


class ReportDataError(RuntimeError):
    """The year's data did not pass validation; the message lists the first errors."""


@dataclass
class YearReport:
    """Validated frames, check results and parameters of one year (and the previous year, if any)."""

    year: int
    params: Params
    data_dir: Path
    frames: dict[tuple[str, str], pd.DataFrame]
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    prior: YearReport | None = None
    texts: dict[str, ChapterText] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prior = comparable_prior(self, self.prior)

    def text(self, slug: str) -> ChapterText | None:
        """The chapter's text (``data/<year>/textos/<slug>.md`` or ``.docx``), None when there is none."""
        return self.texts.get(slug)

    def frame(self, filename: str, sheet: str) -> pd.DataFrame:
        return self.frames[(filename, sheet)]

    @property
    def plan(self) -> plan_data.PlanInfo:
        """Name and period of the development plan (sheet «Plan» of plan_desarrollo.xlsx)."""
        info = plan_data.plan_info(self.frames)
        if info is None:
            raise ReportDataError("plan_desarrollo.xlsx, hoja «Plan»: falta el plan vigente (una fila)")
        return info

    @property
    def indicators(self) -> pd.DataFrame:
        """«Indicadores» with the year's goal («Meta año») and next year's («Meta año siguiente») from «Metas»."""
        return plan_data.indicators_for_year(self.frames, self.year)

    def headline_indicators(self) -> pd.DataFrame:
        """The indicators the executive summary shows, in their «Orden en resumen»."""
        table = self.indicators
        return table[table["Orden en resumen"].notna()].sort_values("Orden en resumen", kind="stable")

    @property
    def prior_note(self) -> str:
        """What the comparison says when there is no comparable prior year (never a file path)."""
        return "" if self.prior is not None else NO_PRIOR

    def indicator(self, code: str) -> pd.Series | None:
        """The plan indicator row with ``Código == code`` (None when absent)."""
        rows = self.indicators[self.indicators["Código"] == code]
        return None if rows.empty else rows.iloc[0]

    def achievement(self, code: str) -> float | None:
        row = self.indicator(code)
        return None if row is None else float(row["Logro año"])

    def figure(self, filename: str, key: str) -> float | None:
        """A value of a workbook's «Cifras» sheet (None when not reported)."""
        found = figure(self.frames, filename, key)
        return None if found is None else found[0]

    def figure_source(self, filename: str, key: str) -> trace.Source | None:
        """The cell of a «Cifras» value (:meth:`figure`)."""
        found = figure(self.frames, filename, key)
        return None if found is None else trace.cell(self.frames[(filename, "Cifras")], found[1], "Valor")


ACHIEVED, GOAL, CUMULATIVE, PLAN_GOAL = "Logro año", "Meta año", "Acumulado", "Meta del plan"


def indicator_cells(report: YearReport, code: str) -> dict[str, trace.Source | None]:
    """Where an indicator's figures are: its row of «Indicadores» (plan goal, achievement, cumulative), its
    goals of the year and the next in «Metas», and how the compliance and the plan's progress are computed."""
    frames, wanted = report.frames, plan_data.normalise_code(code)
    table = frames[(plan_data.PLAN_FILE, plan_data.INDICATORS)]
    rows = table.index[table["Código"].map(plan_data.normalise_code) == wanted]
    out: dict[str, trace.Source | None] = {c: trace.cell(table, rows[0], c) if len(rows) else None
                                           for c in (PLAN_GOAL, ACHIEVED, CUMULATIVE)}
    goals = frames.get((plan_data.PLAN_FILE, plan_data.GOALS))
    for key, year in ((GOAL, report.year), ("Meta año siguiente", report.year + 1)):
        found = [] if goals is None else goals.index[
            (goals["Código"].map(plan_data.normalise_code) == wanted) & (goals["Año"] == year)]
        out[key] = trace.cell(goals, found[0], "Meta") if len(found) else None
    out["Cumplimiento año (%)"] = trace.combine("calculado: logro del año ÷ meta del año × 100",
                                                [out[ACHIEVED], out[GOAL]]) if out[GOAL] else None
    out["Avance del plan (%)"] = trace.combine("calculado: acumulado ÷ meta del plan × 100",
                                               [out[CUMULATIVE], out[PLAN_GOAL]])
    return out


def indicator_sources(report: YearReport, codes, columns: dict[str, str]) -> dict[str, list[trace.Source | None]]:
    """The sources of a table with one indicator per row (``codes``): ``columns`` maps a table column to the
    figure of :func:`indicator_cells` it prints."""
    found = [indicator_cells(report, code) for code in codes]
    return {shown: [cells.get(figure) for cells in found] for shown, figure in columns.items()}


def comparable_prior(report: YearReport, prior: YearReport | None) -> YearReport | None:
    """``prior`` when it may be compared with ``report``: the year just before, and never a demo year for a real
    one (:func:`informe.data.prior.comparable`); else None. Every prior column, change and comparison of the
    report comes from ``report.prior``, so a demo year is never printed next to a real year, and the text that
    says there is no prior year (``prior_note``) agrees with the tables."""
    if prior is None:
        return None
    if prior.year != report.year - 1 or not prior_data.comparable(report.params.demo, prior.params.demo):
        return None
    return prior


def default_paths(year: int, root: Path) -> tuple[Path, Path]:
    return paths.data_dir(root, year), paths.params_file(root, year)


def load_report(year: int, data_dir: str | Path | None = None, params_file: str | Path | None = None,
                root: str | Path = ".", with_prior: bool = True, validation=None, texts: bool = True) -> YearReport:
    """Validate and load a year; also the previous year when ``data/<year-1>`` exists next to it
    and may be compared (a real year is never compared with a demo year).

    Raises :class:`ReportDataError` when the data has errors: a section is
    never computed from invalid data. ``validation``: the year's validation when
    the caller already has it (the build), so that it is not done twice.
    """
    from ..data.validation import validate_dir  # pandera: imported only when validating

    root = Path(root)
    default_data, default_params = default_paths(year, root)
    data_dir = Path(data_dir) if data_dir else default_data
    params = load_params(Path(params_file) if params_file else default_params)
    validation = validation or validate_dir(data_dir, year=year, texts=texts)
    if validation.exit_code:
        first = "; ".join(str(p) for p in validation.errors[:5])
        raise ReportDataError(f"los datos de {data_dir} no son válidos: {first}")
    prior = None
    prior_params = (Path(params_file).parent if params_file else root / "params") / f"{year - 1}.yml"
    prior_dir = prior_data.prior_dir_for(data_dir, year, params.demo, prior_params)
    if with_prior and prior_dir is not None:
        try:
            # only its figures are compared: its texts are not read
            prior = load_report(year - 1, prior_dir, prior_params, root, with_prior=False, texts=False)
        except ReportDataError:
            prior = None
    return YearReport(year, params, data_dir, validation.data, validation.checks, validation.problems, prior,
                      validation.texts)


# --------------------------------------------------------------------------
# The build's snapshot: the validated data written once, read by every notebook
# --------------------------------------------------------------------------

def write_report_snapshot(report: YearReport, folder: Path) -> dict[str, dict]:
    """Write ``report`` (and its prior year) into ``folder``; return each year's manifest by tag."""
    from ..data import snapshot

    years = {"current": report, "prior": report.prior}
    return {tag: snapshot.write_year(Path(folder) / tag, r.params, r.data_dir, r.frames, r.checks, r.problems,
                                     r.texts)
            for tag, r in years.items() if r is not None}


def load_report_from_snapshot(folder: str | Path, reads: str | Path | None = None) -> YearReport:
    """The year (and prior year) a build validated and wrote with :func:`write_report_snapshot`.

    Every frame, check or problem a notebook uses is recorded in ``reads`` (JSON): the build learns
    each section's inputs from it.
    """
    from ..data import snapshot

    folder = Path(folder)
    log = snapshot.ReadLog(Path(reads) if reads else None)

    def year(tag: str) -> YearReport:
        manifest, params, _none, checks, problems = snapshot.read_year(folder / tag, frames=False)
        return YearReport(manifest["year"], params, Path(manifest["data_dir"]),
                          snapshot.RecordingFrames({}, log, tag, snapshot.sheet_paths(folder / tag, manifest)),
                          snapshot.RecordingList(checks, log, tag, snapshot.CHECKS),
                          snapshot.RecordingList(problems, log, tag, snapshot.PROBLEMS),
                          texts=snapshot.RecordingTexts(snapshot.read_texts(folder / tag), log, tag))

    report = year("current")
    if (folder / "prior").is_dir():
        # a snapshot's prior year is compared only when it may be (a stale or demo prior is left out)
        report.prior = comparable_prior(report, year("prior"))
    return report
