"""A real year prepared as an analyst would: `informe new-year`, then Excel (openpyxl) only.

The fabricated 2023 runs under a NEW development plan (2023-2026, other codes and names, a new
front and a new investment sector), with the real 2022 as its prior year. Every expected figure is
computed here from the fixture's own arithmetic, never copied from the program's output.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import DATA_2022, project_copy
from informe.data.validation import EXIT_ERRORS, EXIT_OK, validate_dir

YEAR = 2023
NEW_SECTOR = "Energías renovables"
NEW_FRONT = "Transición energética"
PLAN_NAME = "Plan de Desarrollo 2023-2026 «Ciudad Fabricada»"
STRATEGY = "planeacion_estrategica.xlsx"
# Fixture projects: (company, sector, amount in USD millions, jobs)
PROJECTS = [("Solar Uno", NEW_SECTOR, 12.5, 1200), ("Eólica Dos", NEW_SECTOR, 7.25, 43),
            ("Datos Tres", "Servicios de tecnología", 3.1, 1043)]
# New plan: code -> (name, unit, decimals, plan goal, goals per year, achievement, headline order, label)
INDICATORS = {
    "TE-1": ("Inversión atraída en energías limpias", "Millones de USD", 2, 100.0,
             {2023: 20.0, 2024: 25.0, 2025: 25.0, 2026: 30.0}, 25.0, 1, "Inversión en energías limpias"),
    "TE-2": ("Proyectos de energía renovable instalados", "Número", 0, 12.0,
             {2023: 2.0, 2024: 3.0, 2025: 3.0, 2026: 4.0}, 2.0, 2, "Proyectos de energía renovable"),
    "TE-3": ("Empresas con proyectos de inversión", "Número", 0, 20.0,
             {2023: 5.0, 2024: 5.0, 2025: 5.0, 2026: 5.0}, 4.0, None, None),
}


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "informe", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(Path.home())})


def headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def filled_rows(ws) -> list[int]:
    return [r for r in range(2, ws.max_row + 1) if any(c.value is not None for c in ws[r])]


def clear(ws) -> None:
    for r in filled_rows(ws):
        for c in ws[r]:
            c.value = None


def append(ws, values: dict) -> int:
    row = max(filled_rows(ws), default=1) + 1
    cols = headers(ws)
    for key, value in values.items():
        ws.cell(row=row, column=cols.index(key) + 1, value=value)
    return row


def column(ws, name: str) -> list:
    j = headers(ws).index(name) + 1
    return [ws.cell(row=r, column=j).value for r in filled_rows(ws)]


def set_column(ws, name: str, values: list) -> None:
    j = headers(ws).index(name) + 1
    for r, v in zip(filled_rows(ws), values):
        ws.cell(row=r, column=j, value=v)


def add_to_catalog(ws, catalog: str, value: str) -> None:
    j = headers(ws).index(catalog) + 1
    row = 2
    while ws.cell(row=row, column=j).value is not None:
        row += 1
    ws.cell(row=row, column=j, value=value)


def roll_up(codes, parents, signs, leaves: dict) -> list[float]:
    """Parents = signed sum of their children (the fixture's own arithmetic)."""
    children = {}
    for code, parent in zip(codes, parents):
        if parent is not None:
            children.setdefault(parent, []).append(code)
    sign = dict(zip(codes, [1 if s == "+" else -1 for s in signs]))

    def value(code):
        return sum(sign[c] * value(c) for c in children[code]) if code in children else leaves.get(code, 0)

    return [value(c) for c in codes]


def write_plan(path: Path, name: str, first: int, last: int, indicators: dict) -> None:
    """Replace the carried plan with a new one, as an analyst would in Excel."""
    wb = load_workbook(path)
    for sheet in ("Plan", "Indicadores", "Metas", "Conciliaciones"):
        clear(wb[sheet])
    append(wb["Plan"], {"Nombre": name, "Primer año": first, "Último año": last})
    add_to_catalog(wb["Catálogos"], "Frente", NEW_FRONT)
    for code, (title, unit, places, plan_goal, goals, achieved, order, label) in indicators.items():
        append(wb["Indicadores"], {
            "Código": code, "Plan": "Plan indicativo", "Frente": NEW_FRONT, "Indicador": title, "Unidad": unit,
            "Decimales": places, "Meta del plan": plan_goal, "Logro año": achieved, "Acumulado": achieved,
            "Orden en resumen": order, "Cifra en resumen": label,
            "Frase en resumen": None if order is None else f"Logramos **{{valor}}** en {title.lower()}."})
        for year, value in goals.items():
            append(wb["Metas"], {"Código": code, "Año": year, "Meta": value})
    conc = wb["Conciliaciones"]
    append(conc, {"Código": "TE-1", "Libro": "inversion.xlsx", "Hoja": "Proyectos", "Medida": "Suma",
                  "Columna": "Monto (USD millones)", "Detalle": "monto de los proyectos"})
    append(conc, {"Código": "TE-2", "Libro": "inversion.xlsx", "Hoja": "Proyectos", "Medida": "Filas con valor",
                  "Columna": "Sector", "Valor": NEW_SECTOR, "Detalle": "proyectos de energía renovable"})
    append(conc, {"Código": "TE-3", "Libro": "inversion.xlsx", "Hoja": "Proyectos", "Medida": "Filas",
                  "Detalle": "proyectos detallados"})
    wb.save(path)
    # The key results of the strategic framework named indicators of the replaced plan: unlinked.
    strategy = load_workbook(path.parent / STRATEGY)
    results = strategy["Resultados clave"]
    j = headers(results).index("Indicador del plan") + 1
    for r in filled_rows(results):
        results.cell(row=r, column=j).value = None
    strategy.save(path.parent / STRATEGY)


def fill_year(data: Path) -> dict:
    """Fill every empty cell new-year left, with a year 'without movements' in the statements."""
    expected = {}
    # Investment: projects in a new sector, added to the workbook's catalog.
    wb = load_workbook(data / "inversion.xlsx")
    add_to_catalog(wb["Catálogos"], "Sector", NEW_SECTOR)
    for company, sector, amount, jobs in PROJECTS:
        append(wb["Proyectos"], {"Empresa": company, "Sector": sector, "Tipo de inversión": "Nueva inversión",
                                 "Monto (USD millones)": amount, "Empleos": jobs})
    set_column(wb["Cifras"], "Valor", [1000 + i for i, _ in enumerate(column(wb["Cifras"], "Clave"))])
    wb.save(data / "inversion.xlsx")
    for name in ("cooperacion.xlsx", "posicionamiento.xlsx"):
        wb = load_workbook(data / name)
        set_column(wb["Cifras"], "Valor", [10 + i for i, _ in enumerate(column(wb["Cifras"], "Clave"))])
        wb.save(data / name)
    # Administration: processes and PQRS per carried modality/process; the printed totals add them up.
    wb = load_workbook(data / "administrativo.xlsx")
    modalities = column(wb["Contratación"], "Modalidad")
    set_column(wb["Contratación"], "Procesos", [i + 1 for i in range(len(modalities))])
    set_column(wb["Contratación"], "Valor (COP)", [1_000_000 * (i + 1) for i in range(len(modalities))])
    processes = column(wb["PQRS"], "Proceso")
    set_column(wb["PQRS"], "Cantidad", [3 * (i + 1) for i in range(len(processes))])
    totals = {"contratacion_valor_total": sum(1_000_000 * (i + 1) for i in range(len(modalities))),
              "contratacion_procesos_total": sum(i + 1 for i in range(len(modalities))),
              "pqrs_total": sum(3 * (i + 1) for i in range(len(processes)))}
    set_column(wb["Cifras"], "Valor", [totals[k] for k in column(wb["Cifras"], "Clave")])
    wb.save(data / "administrativo.xlsx")
    expected["pqrs"] = totals["pqrs_total"]
    expected["procurement"] = totals["contratacion_valor_total"]
    # Financial statements: no movements (Año actual = Año anterior); cash flow zero but for the opening cash.
    wb = load_workbook(data / "estados_financieros.xlsx")
    for sheet in ("Situación financiera", "Resultados"):
        set_column(wb[sheet], "Año actual", column(wb[sheet], "Año anterior"))
    bs = wb["Situación financiera"]
    cash = dict(zip(column(bs, "Rol"), column(bs, "Año anterior")))["efectivo"]
    expected["assets"] = dict(zip(column(bs, "Rol"), column(bs, "Año anterior")))["activo_total"]
    cf = wb["Flujo de efectivo"]
    codes, roles = column(cf, "Código"), column(cf, "Rol")
    opening = codes[roles.index("efectivo_inicial")]
    set_column(cf, "Año actual", roll_up(codes, column(cf, "Código padre"), column(cf, "Signo"), {opening: cash}))
    eq = wb["Cambios en el patrimonio"]
    last = {name: column(eq, name)[-1] for name in ("Capital fiscal", "Resultados de ejercicios anteriores",
                                                    "Reservas", "Resultado del ejercicio")}
    append(eq, {"Orden": max(column(eq, "Orden")) + 1, "Periodo": YEAR, "Tipo de fila": "Saldo final",
                "Concepto": f"Saldos al 31 de diciembre del {YEAR}", **last})
    source = load_workbook(DATA_2022 / "estados_financieros.xlsx", data_only=True)
    for name in ("Presupuesto inicial", "Adiciones", "Reducciones", "Presupuesto definitivo", "Ejecución"):
        set_column(wb["Ejecución presupuestal"], name, column(source["Ejecución presupuestal"], name))
    set_column(wb["Indicadores publicados"], "Valor publicado", column(source["Indicadores publicados"], "Valor publicado"))
    wb.save(data / "estados_financieros.xlsx")
    # Strategic framework: a status for every key result; the first one supports the new plan's TE-2.
    wb = load_workbook(data / STRATEGY)
    results = wb["Resultados clave"]
    codes = column(results, "Código")
    set_column(results, "Estado", ["En curso"] * len(codes))
    set_column(results, "Indicador del plan", ["TE-2"] + [None] * (len(codes) - 1))
    wb.save(data / STRATEGY)
    expected["linked_key_result"] = codes[0]
    return expected


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project folder with the real 2022 and a 2023 started by `informe new-year 2023`."""
    root = project_copy(tmp_path_factory.mktemp("proyecto"))
    result = run("new-year", str(YEAR), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Qué falta para el informe 2023" in result.stdout and "Logro año" in result.stdout
    return root


@pytest.fixture(scope="module")
def unfilled(project, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("sin-llenar") / "2023"
    shutil.copytree(project / "data" / "2023", copy)
    return copy


@pytest.fixture(scope="module")
def filled(project, unfilled):
    data = project / "data" / str(YEAR)
    write_plan(data / "plan_desarrollo.xlsx", PLAN_NAME, 2023, 2026, INDICATORS)
    return fill_year(data)


def test_new_year_never_overwrites(project):
    again = run("new-year", str(YEAR), cwd=project)
    assert again.returncode == 2 and "no se sobrescribe" in again.stderr and "Traceback" not in again.stderr


def test_new_year_carries_closing_balances_catalogs_and_plan(project, unfilled):
    wb = load_workbook(unfilled / "estados_financieros.xlsx")
    before = load_workbook(DATA_2022 / "estados_financieros.xlsx", data_only=True)
    for sheet in ("Situación financiera", "Resultados", "Flujo de efectivo"):
        assert column(wb[sheet], "Año anterior") == column(before[sheet], "Año actual")
        assert not any(v is not None for v in column(wb[sheet], "Año actual"))
    catalog = load_workbook(unfilled / "inversion.xlsx")["Catálogos"]
    assert "Servicios de tecnología" in column(catalog, "Sector")
    plan = load_workbook(unfilled / "plan_desarrollo.xlsx")
    assert column(plan["Plan"], "Último año") == [2023]  # the 2020-2023 plan continues into 2023
    assert column(plan["Indicadores"], "Logro año") == [None] * len(column(plan["Indicadores"], "Código"))
    # The strategic framework: texts and key results carried, every status left for the analyst.
    strategy, before = load_workbook(unfilled / STRATEGY), load_workbook(DATA_2022 / STRATEGY)
    for sheet in ("Marco", "Objetivos estratégicos", "Objetivos tácticos"):
        assert list(strategy[sheet].values) == list(before[sheet].values)
    results, previous = strategy["Resultados clave"], before["Resultados clave"]
    for name in ("Código", "Objetivo táctico", "Resultado clave", "Trimestre", "Indicador del plan"):
        assert column(results, name) == column(previous, name)  # the 2020-2023 plan continues: links kept
    assert column(results, "Estado") == column(results, "Observación") == [None] * len(column(results, "Código"))
    params = (project / "params" / "2023.yml").read_text(encoding="utf-8")
    assert "demo: false" in params and "Luisa Fernanda Márquez Ruíz" in params


def test_unfilled_year_exits_1_naming_file_and_sheet(project, unfilled):
    result = run("validate", str(unfilled), cwd=project)
    assert result.returncode == EXIT_ERRORS, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    report = validate_dir(unfilled)
    assert report.errors and all(p.file and p.sheet for p in report.errors)
    assert any(p.file == "plan_desarrollo.xlsx" and p.sheet == "Indicadores" and p.column == "Logro año"
               for p in report.errors)
    missing_status = [p.row for p in report.errors if (p.file, p.sheet, p.column) == (STRATEGY, "Resultados clave",
                                                                                      "Estado")]
    assert missing_status == list(range(2, 2 + len(column(load_workbook(unfilled / STRATEGY)["Resultados clave"],
                                                           "Código"))))


def test_filled_year_validates_under_the_new_plan(project, filled):
    report = validate_dir(project / "data" / str(YEAR))
    assert report.exit_code == EXIT_OK, [str(p) for p in report.errors]
    checks = {r.description.split()[0]: r for r in report.checks if r.check == "indicador frente a detalle"}
    total = math.fsum(amount for _, _, amount, _ in PROJECTS)
    renewables = sum(1 for _, sector, _, _ in PROJECTS if sector == NEW_SECTOR)
    assert checks["TE-1"].left == pytest.approx(total) and checks["TE-1"].right == INDICATORS["TE-1"][5]
    assert checks["TE-2"].left == renewables and checks["TE-2"].passed
    assert checks["TE-3"].left == len(PROJECTS) and checks["TE-3"].status == "advertencia"  # 3 < 4


def test_report_prints_the_new_plan(project, filled):
    from informe.report.report import load_report
    from informe.report.sections import investment, plan, summary

    report = load_report(YEAR, root=project)
    assert (report.plan.name, report.plan.first_year, report.plan.last_year) == (PLAN_NAME, 2023, 2026)
    intro = plan.introduction(report).markdown
    assert "Ciudad Fabricada" in intro and "2020" not in intro and "Medellín Futuro" not in intro
    heads = summary.headline_figures(report).set_index("Resultado")
    total = INDICATORS["TE-1"][5]
    assert heads.at["Inversión en energías limpias", "Texto"] == f"USD\u00a0{total:.2f} millones".replace(".", ",")
    assert heads.at["Proyectos de energía renovable", "Texto"] == str(int(INDICATORS["TE-2"][5]))
    assert "—" not in heads["Texto"].tolist()
    assert heads.at["PQRS atendidas", "Valor"] == filled["pqrs"]
    bullets = summary.headline_bullets(report)
    assert bullets[0] == f"Logramos **USD\u00a0{total:.2f} millones** en inversión atraída en energías limpias.".replace(
        "25.00", "25,00")
    table = plan.indicator_table(report, "Plan indicativo").formatted().set_index("Código")
    assert table.at["TE-1", "Meta del plan"] == "100,00" and table.at["TE-1", f"Meta {YEAR}"] == "20,00"
    assert table.at["TE-2", f"Meta {YEAR + 1}"] == "3"
    progress = plan.indicator_progress(report).set_index("Código")
    assert progress.at["TE-2", "Avance del plan (%)"] == pytest.approx(2 / 12 * 100, abs=0.005)
    # Jobs of the new sector: 1.200 + 43 = 1.243, with a thousands separator.
    sectors = investment.summary_table(report, "Sector", "t").formatted().set_index("Sector")
    assert sectors.at[NEW_SECTOR, "Empleos"] == "1.243"
    # The key result linked to TE-2 shows the new plan's figures: 2 installed against a 2023 goal of 2.
    from informe.report.sections import strategy
    results = strategy.key_results_table(report).formatted()
    [linked] = results[results["Indicador del plan"] != ""].to_dict("records")
    achieved, target = INDICATORS["TE-2"][5], INDICATORS["TE-2"][4][YEAR]
    assert linked["Indicador del plan"] == f"TE-2 {INDICATORS['TE-2'][0]}"
    assert linked[f"Logro {YEAR}"] == str(int(achieved))
    assert linked["Cumplimiento año (%)"] == f"{achieved / target * 100:.1f}\u00a0%".replace(".", ",")
    # The real 2022 is the prior year: its closing balances were carried.
    assert report.prior is not None and report.prior.year == 2022
    assert plan.year_over_year(report) is not None


def test_carried_balance_mismatch_is_a_warning_naming_both_cells(project, filled, tmp_path):
    data = tmp_path / "data" / str(YEAR)
    shutil.copytree(project / "data", tmp_path / "data")
    shutil.copytree(project / "params", tmp_path / "params")
    wb = load_workbook(data / "estados_financieros.xlsx")
    ws = wb["Situación financiera"]
    j = headers(ws).index("Año anterior") + 1
    ws.cell(row=3, column=j, value=ws.cell(row=3, column=j).value + 5)
    wb.save(data / "estados_financieros.xlsx")
    report = validate_dir(data)
    [found] = [p for p in report.warnings if "Año actual de 2022" in p.message]
    assert (found.sheet, found.row, found.column) == ("Situación financiera", 3, "Año anterior")
    assert "fila 3" in found.message and "diferencia 5" in found.message


def test_demo_prior_year_is_never_mixed_into_a_real_year(project, filled, tmp_path):
    from informe.report.report import load_report
    from informe.report.sections import plan

    shutil.copytree(project / "data", tmp_path / "data")
    shutil.copytree(project / "params", tmp_path / "params")
    prior = tmp_path / "params" / "2022.yml"
    prior.write_text(prior.read_text(encoding="utf-8").replace("demo: false", "demo: true"), encoding="utf-8")
    report = load_report(YEAR, root=tmp_path)
    assert report.prior is None
    text = plan.year_over_year(report) or report.prior_note
    assert text == "El año anterior no está disponible para comparar." and "data/" not in text
    assert not [c for c in validate_dir(tmp_path / "data" / str(YEAR)).checks
                if c.check.startswith("año anterior")]


def test_three_year_plan(project, filled, tmp_path):
    """A plan of three years: goals outside its period are errors; the chapter names its period."""
    from informe.report.report import load_report
    from informe.report.sections import plan

    shutil.copytree(project / "data", tmp_path / "data")
    shutil.copytree(project / "params", tmp_path / "params")
    path = tmp_path / "data" / str(YEAR) / "plan_desarrollo.xlsx"
    three = {code: (*spec[:4], {y: g for y, g in spec[4].items() if y <= 2025}, *spec[5:])
             for code, spec in INDICATORS.items()}
    write_plan(path, "Plan Trienal de Prueba", 2023, 2025, three)
    report = load_report(YEAR, root=tmp_path)
    assert report.plan.years == 3
    assert "Plan Trienal de Prueba (periodo 2023-2025)" in plan.introduction(report).markdown
    fig = plan.progress_figure(report)
    assert "2023-2025" in fig._informe_text.title  # the caption (the image draws no title of its own)
    # A goal for 2026 lies outside the three-year period: an error naming the sheet, row and column.
    wb = load_workbook(path)
    row = append(wb["Metas"], {"Código": "TE-1", "Año": 2026, "Meta": 1})
    wb.save(path)
    errors = validate_dir(path.parent).errors
    assert [(p.sheet, p.row, p.column) for p in errors] == [("Metas", row, "Año")]


def test_plan_that_ended_is_not_carried(project, filled, tmp_path):
    """new-year after the plan's last year starts with an empty plan and says so."""
    shutil.copytree(project / "data", tmp_path / "data")
    shutil.copytree(project / "params", tmp_path / "params")
    path = tmp_path / "data" / str(YEAR) / "plan_desarrollo.xlsx"
    write_plan(path, "Plan Corto", 2023, 2023, {k: (*v[:4], {2023: v[4][2023]}, *v[5:]) for k, v in INDICATORS.items()})
    result = run("new-year", str(YEAR + 1), cwd=tmp_path)
    assert result.returncode == 0 and "registre el nuevo plan" in result.stdout
    assert "«Indicador del plan» quedó vacío porque el plan terminó" in result.stdout
    report = validate_dir(tmp_path / "data" / str(YEAR + 1))
    assert report.exit_code == EXIT_ERRORS
    assert any(p.sheet == "Plan" and "no tiene filas" in p.message for p in report.errors)
    # The key results are carried without their links to the plan that ended.
    results = load_workbook(tmp_path / "data" / str(YEAR + 1) / STRATEGY)["Resultados clave"]
    assert column(results, "Resultado clave") == column(
        load_workbook(tmp_path / "data" / str(YEAR) / STRATEGY)["Resultados clave"], "Resultado clave")
    assert not any(column(results, "Indicador del plan"))


@pytest.mark.parametrize("change, sheet, column, fragment", [
    ({"Código": "TE-9"}, "Conciliaciones", "Código", "«TE-9» no es el código"),
    ({"Hoja": "Proyectoz"}, "Conciliaciones", "Hoja", "no tiene la hoja «Proyectoz»"),
    ({"Columna": "Monto"}, "Conciliaciones", "Columna", "no tiene la columna «Monto»"),
])
def test_a_reconciliation_that_cannot_be_computed_is_an_error(project, filled, tmp_path, change, sheet, column,
                                                               fragment):
    shutil.copytree(project / "data", tmp_path / "data")
    shutil.copytree(project / "params", tmp_path / "params")
    path = tmp_path / "data" / str(YEAR) / "plan_desarrollo.xlsx"
    wb = load_workbook(path)
    ws = wb["Conciliaciones"]
    for key, value in change.items():
        ws.cell(row=2, column=headers(ws).index(key) + 1, value=value)
    wb.save(path)
    errors = validate_dir(path.parent).errors
    assert [(p.file, p.sheet, p.row, p.column) for p in errors] == [("plan_desarrollo.xlsx", sheet, 2, column)]
    assert fragment in errors[0].message
