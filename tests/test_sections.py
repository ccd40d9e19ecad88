"""Section computations on the 2022 data (expected values from the published report)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from informe.report.display import Table, Text, escape_markdown
from informe.report.report import ReportDataError, load_report
from informe.report.sections import administration, cooperation, financial, investment, plan, positioning, quality, summary


@pytest.fixture(scope="module")
def report():
    return load_report(2022, root=ROOT)


def test_report_without_prior_year(report):
    assert report.prior is None and report.params.year == 2022


def test_plan_progress(report):
    data = plan.indicator_progress(report, "Plan indicativo").set_index("Código")
    assert data.at["PI-01", "Avance del plan (%)"] == pytest.approx(744.16 / 850 * 100, abs=0.005)
    assert data.at["PI-01", "Cumplimiento año (%)"] == pytest.approx(155.67 / 140 * 100, abs=0.005)
    assert len(data) == 9


def test_investment_by_sector(report):
    data = investment.summary_by(report, "Sector").set_index("Sector")
    assert data.at["Ciencias de la vida", "Monto (USD millones)"] == 55  # LifeFactors
    assert data["Proyectos"].sum() == 15


def test_cooperation_by_cooperant(report):
    data = cooperation.received_by(report, "Cooperante").set_index("Cooperante")
    assert data.at["Ayuntamiento de Barcelona", "Monto (USD)"] == 693_123
    assert cooperation.south_south_by_country(report)["Acciones"].sum() == 9


def test_events_by_kind(report):
    data = positioning.events_by_kind(report).set_index("Tipo de evento")
    assert data["Eventos"].sum() == 36


def test_procurement_and_pqrs(report):
    proc = administration.procurement(report)
    assert proc["Participación (%)"].sum() == pytest.approx(100)
    assert proc.set_index("Modalidad").at["Contratación directa", "Valor (COP)"] == 1_239_870_769
    pqrs = administration.pqrs(report).set_index("Proceso")
    assert pqrs.at["Relaciones Locales e Internacionales", "Cantidad"] == 28


def test_financial_indicators_and_statement(report):
    ind = financial.indicators(report).set_index("Indicador")["2022"]
    assert round(ind["Liquidez"], 2) == 8.06 and round(ind["Razón de efectivo"], 2) == 3.79
    bs = financial.statement_frame(report, "Situación financiera")
    assert bs.loc[bs["Cuenta"] == "TOTAL ACTIVOS", "Var $"].item() == -286_420_405


def test_headline_figures(report):
    data = summary.headline_figures(report).set_index("Resultado")
    # «USD» joined to its number by a no-break space (issue 23: a number never breaks from its unit)
    assert data.at["Inversión nacional y extranjera reportada", "Texto"] == "USD\u00a0155,67 millones"
    assert data.at["PQRS atendidas", "Valor"] == 96
    assert data.at["Activo total", "Texto"] == "$5.509.310.977"


def test_quality_findings(report):
    data = quality.check_frame(report)
    assert (data["Resultado"] != "Cuadra").sum() == 23
    assert (data["Resultado"] == "Error").sum() == 0


def test_tables_escape_data():
    table = Table(pd.DataFrame({"Empresa": ["<script>alert(1)</script> | *Acme*"], "Monto": [1234.5]}))
    md = table._repr_markdown_()
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "\\|" in md and "\\*Acme\\*" in md
    assert "1.234,50" in md and "---:" in md
    assert escape_markdown("a_b") == "a\\_b"


def test_tables_and_texts_display_only_markdown(monkeypatch):
    """One form per output: a changed figure shows up once in a notebook diff."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    Table(pd.DataFrame({"A": [1]}), "Prueba")._ipython_display_()
    Text("**x**")._ipython_display_()
    assert [set(obj) for obj, raw in shown] == [{"text/markdown"}, {"text/markdown"}]
    assert all(raw for _obj, raw in shown) and shown[1][0]["text/markdown"] == "**x**"


def test_statement_indent_levels_not_em_spaces_in_data(report):
    table = financial.statement_table(report, "Situación financiera", "Estado de situación financiera")
    assert not table.data["Cuenta"].str.contains("\u2003").any()
    levels = dict(zip(table.data["Cuenta"], table.indent))
    assert levels["TOTAL ACTIVOS"] == 0 and levels["Caja"] == 2
    assert "|   Caja |" in table._repr_markdown_().replace("\u2003", " ")  # printed indented, as before


def test_invalid_data_is_refused(data_copy, tmp_path):
    from conftest import set_cell

    set_cell(data_copy / "administrativo.xlsx", "PQRS", "B2", "once")
    with pytest.raises(ReportDataError, match="PQRS"):
        load_report(2022, data_dir=data_copy, root=ROOT)


def test_awards_by_result(report):
    data = positioning.awards_by_result(report).set_index("Resultado")
    assert data.at["Ganador", "Postulaciones"] == 1  # BID Gobernarte 2022
    assert data["Postulaciones"].sum() == 20


def test_grouped_sums_have_no_float_artefacts():
    """Demo 2023 downloads showed 5.470000000000001 and 110.00000000000001: sums are exact, rounded to the data."""
    demo = load_report(2023, root=ROOT)
    amounts = investment.summary_by(demo, "Sector")["Monto (USD millones)"]
    assert all(v == round(v, 2) for v in amounts)
    assert cooperation.received_by(demo, "Cooperante")["Monto (USD)"].map(float.is_integer).all()
    progress = plan.indicator_progress(demo)["Avance del plan (%)"].dropna()
    assert all(repr(v).count("0000000") == 0 and repr(v).count("9999999") == 0 for v in progress)
    variation = plan.year_over_year(demo).to_frame()["Variación"].dropna()
    assert all(v == round(v, 2) for v in variation)
