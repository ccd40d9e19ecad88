#!/usr/bin/env python
"""Generate the DEMO data year 2023 from the real 2022 workbooks and the report's 2023 targets.

Usage: python scripts/make_demo_year.py [--source data/2022] [--out data/2023] [--params PATH]

The year starts exactly as an analyst's would, from what ``informe new-year`` carries over
(:func:`informe.data.newyear.carried_rows`: catalogs, the plan with its 2023 goals and reconciliations,
figure keys, the statements' structure with 2022 closing balances as «Año anterior», the 2022 strategic
framework with its key results); this script
only fills in synthetic but consistent figures (``informe validate`` finds no errors), drawn from one
seeded ``numpy.random.default_rng`` in a fixed order, so every run writes identical cell values.
``params/2023.yml`` is written with ``--params``, or by default when ``--out`` is ``data/2023``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from informe.data import finance
from informe.data.catalogs import catalog_values
from informe.data.contract import AWARD_RESULTS, CATALOG_SHEET, EVENT_KINDS, workbook
from informe.data.finance import CURRENT, PRIOR
from informe.data.newyear import carried_rows, params_text
from informe.data.plan import decimals, goal
from informe.data.strategy import KEY_RESULTS, STRATEGY_FILE
from informe.data.template import write_workbook
from informe.data.validation import validate_dir
from informe.data.workbooks import read_year

SEED, YEAR, PRIOR_YEAR = 20231231, 2023, 2022
ROOT = Path(__file__).resolve().parents[1]
DEMO = " (demo)"
COUNTRIES = ("Alemania", "Argentina", "Brasil", "Canadá", "Chile", "Corea del Sur", "España", "Estados Unidos",
             "Francia", "India", "Japón", "México", "Países Bajos", "Panamá", "Perú", "Reino Unido", "Suiza")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")
PLAN, INV, COOP, POS, ADMIN, FS = ("plan_desarrollo.xlsx", "inversion.xlsx", "cooperacion.xlsx",
                                   "posicionamiento.xlsx", "administrativo.xlsx", "estados_financieros.xlsx")
STRATEGY = STRATEGY_FILE
DEMO_STATUS = f"Estado de demostración (sintético): no es un reporte de la ACI Medellín sobre {YEAR}."
CASH_PLUG = "1.1.1.2"  # "Depósitos en instituciones financieras": closes assets = liabilities + equity
GROSS_ASSETS = ("1.2.1.1", "1.2.1.2", "1.2.1.3", "1.2.1.4")  # property, plant and equipment only grows
DEPRECIATION_BS, DEPRECIATION_IS = "1.2.1.5", "2.3.1"
CONTRA_LINES = {"8.3": ("8.1", "8.2"), "9.2": ("9.1",)}  # memorandum contra accounts = −(their lines)
# Cash-flow line -> (balance-sheet codes whose change it reports, sign of that change in the cash flow).
CASH_FLOW_SOURCES = {
    "O.5": (("1.1.3",), -1), "O.6": (("1.1.4.1",), -1), "O.7": (("1.1.4.2",), -1), "O.8": (("1.1.4.3",), -1),
    "O.9": (("1.1.4.4",), -1), "O.10": (("2.1.1.1", "2.1.1.4"), 1), "O.11": (("2.1.2",), 1),
    "O.12": (("2.1.1.2", "2.1.1.3"), 1), "O.14": (("2.1.3",), 1), "I.1": (GROSS_ASSETS, -1), "I.2": (("1.1.2",), -1),
}
CASH_FLOW_PLUG = "I.3"  # "Aumento ejecución excedentes": closes the cash flow (it equals the reserve movement)


# ---------------------------------------------------------------- helpers

def pick(rng, values):
    """One element of a sequence, as a plain Python value."""
    return values[int(rng.integers(len(values)))]


def split_integer(rng, total: int, parts: int) -> list[int]:
    """Split a non-negative integer into ``parts`` integers that add up to it exactly."""
    weights = rng.uniform(0.3, 1.7, size=parts)
    shares = [int(total * w // weights.sum()) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def take(rng, frame: pd.DataFrame, n: int | None = None, minimum: int = 0, marked=(), moved=()) -> pd.DataFrame:
    """``n`` rows of ``frame`` (default: between ``minimum`` and all; without replacement when possible) in their
    original order; text of the ``marked`` and ``moved`` columns moved from 2022 to 2023, ``marked`` also (demo)."""
    n = int(rng.integers(minimum, len(frame) + 1)) if n is None else n
    out = frame.iloc[np.sort(rng.choice(len(frame), size=n, replace=n > len(frame)))].reset_index(drop=True)
    for column in (*marked, *moved):
        moved_text = out[column].str.replace(str(PRIOR_YEAR), str(YEAR), regex=False)  # empty cells stay empty
        out[column] = moved_text + (DEMO if column in marked else "")
    return out


def scale_count(rng, value, low=0.7, high=1.3):
    """A count times a random factor (at least 1; 0 and empty stay as they are)."""
    factor = rng.uniform(low, high)
    return value if pd.isna(value) or value == 0 else max(1, int(round(value * factor)))


def figures(rng, base: pd.DataFrame, src: pd.DataFrame, computed: dict[str, float],
            added: dict[str, float] | None = None) -> pd.DataFrame:
    """The carried "Cifras" keys: ``computed`` values, 2022 value + ``added``, or 2022 value ±20 %."""
    out, added = base.copy(), added or {}
    values = []
    for key, value in zip(src["Clave"], src["Valor"]):
        scaled = value * rng.uniform(0.8, 1.2)
        scaled = float(round(scaled, -6) if value >= 1e6 else round(scaled))
        values.append(computed.get(key, round(value + added[key], 2) if key in added else scaled))
    out["Valor"], out["Fuente"] = values, "Datos de demostración (sintéticos)"
    return out


# ---------------------------------------------------------------- plan, investment, cooperation, positioning

def plan_indicators(rng, base: pd.DataFrame, src: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Logro año 70–130 % of the 2023 goal carried by new-year («Metas»); Acumulado adds it to 2022's."""
    out = base.copy()
    achieved = []
    for (_, row), before, cumulative in zip(out.iterrows(), src["Logro año"], src["Acumulado"]):
        target = goal(goals, row["Código"], YEAR)
        value = (before if np.isnan(target) else target) * rng.uniform(0.7, 1.3)
        if row["Unidad"] == "Porcentaje":
            achieved.append(float(min(round(value), 100 - cumulative)))
        elif decimals(row) == 0:
            achieved.append(float(max(1, round(value))))
        else:
            achieved.append(round(value, 2))
    out["Logro año"] = achieved
    out["Acumulado"] = (src["Acumulado"].to_numpy() + out["Logro año"]).round(2)
    return out


def investment(rng, data, base, achieved: dict) -> dict[str, pd.DataFrame]:
    """PI-04 demo projects whose amounts add up to PI-01 to the cent; demo free-zone progress."""
    catalogs, rows = catalog_values(base[CATALOG_SHEET]), []
    for i, cents in enumerate(split_integer(rng, int(round(achieved["PI-01"] * 100)), int(achieved["PI-04"]))):
        sector, kind, amount = pick(rng, catalogs["Sector"]), pick(rng, catalogs["Tipo de inversión"]), cents / 100
        rows.append({"Empresa": f"Empresa demo {i + 1:02d}", "País de origen": pick(rng, COUNTRIES + ("Colombia",)),
                     "Sector": sector, "Tipo de inversión": kind, "Monto (USD millones)": amount,
                     "Empleos": int(round(10 + amount * rng.uniform(2, 8))),
                     "Descripción": f"{kind} en {sector.lower()} (datos de demostración)."})
    zones = data[(INV, "Zonas francas")].copy()
    zones["Resultado"] = [f"Avance {YEAR}: {int(rng.integers(2, 9))} gestiones realizadas{DEMO}." for _ in zones.index]
    return {"Proyectos": pd.DataFrame(rows), "Zonas francas": zones,
            "Cifras": figures(rng, base["Cifras"], data[(INV, "Cifras")], {},
                              {"monto_inversion_acumulado_2008": achieved["PI-01"]})}


def cooperation(rng, data, base, achieved: dict) -> dict[str, pd.DataFrame]:
    """Received cooperation adding up to PI-02 in whole dollars; PI-05 sur-sur and PI-07 Sos Paisa rows."""
    catalogs, sheets = catalog_values(base[CATALOG_SHEET]), {s: frame for (f, s), frame in data.items() if f == COOP}
    received = take(rng, sheets["Cooperación recibida"], minimum=12, marked=("Cooperante",), moved=("Proyecto",))
    for column in ("Línea temática", "Tipo de cooperación"):
        received[column] = [pick(rng, catalogs[column]) for _ in received.index]
    received["Monto (USD)"] = split_integer(rng, int(round(achieved["PI-02"] * 1e6)), len(received))
    south = take(rng, sheets["Sur-Sur"], int(achieved["PI-05"]), marked=("Agenda",))
    paisas = take(rng, sheets["Sos Paisa"], int(achieved["PI-07"]))
    paisas["Aporte"] = [f"Charla o transferencia de conocimiento sobre {str(t).lower()}{DEMO}." for t in paisas["Tema"]]
    paisas["Paisa"] = [f"Paisa demo {i + 1:02d}" for i in paisas.index]
    paisas["País de residencia"] = [pick(rng, COUNTRIES) for _ in paisas.index]
    paisas["Mes"] = [pick(rng, MONTHS).capitalize() for _ in paisas.index]
    colcol = take(rng, sheets["Col-Col"], minimum=5, marked=("Beneficiario",))
    offers = take(rng, sheets["Oportunidades OSC"], minimum=8, marked=("Aliado",), moved=("Oportunidad",))
    offers["Importe (USD)"] = [float(round(v * rng.uniform(0.8, 1.2), -3)) for v in offers["Importe (USD)"]]
    members = take(rng, sheets["OSC participantes"], minimum=20, marked=("Organización",))
    members["N°"] = range(1, len(members) + 1)
    return {"Cooperación recibida": received, "Sur-Sur": south, "Col-Col": colcol, "Sos Paisa": paisas,
            "Oportunidades OSC": offers, "OSC participantes": members,
            "Cifras": figures(rng, base["Cifras"], data[(COOP, "Cifras")], {},
                              {"monto_cooperacion_acumulado_2008": achieved["PI-02"]})}


def positioning(rng, data, base, achieved: dict) -> dict[str, pd.DataFrame]:
    """PI-06 new ¿Por qué Medellín? events plus a resample of the other 2022 events; resampled award
    postulations; the figures they imply."""
    pqm = []
    for _ in range(int(achieved["PI-06"])):
        country, day, month = pick(rng, COUNTRIES), int(rng.integers(1, 29)), pick(rng, MONTHS)
        guests = int(rng.integers(5, 60))
        pqm.append({"Tipo de evento": "Propio", "Nombre del evento": f"¿Por Qué Medellín? {country}{DEMO}",
                    "Fecha": f"{day} de {month}", "Finalidad": "Promoción de Medellín como destino de inversión.",
                    "Asistentes": guests, "Asistentes (detalle)": f"{guests} representantes de empresas",
                    "¿Por qué Medellín?": "Sí"})
    others = data[(POS, "Eventos")][data[(POS, "Eventos")]["¿Por qué Medellín?"] == "No"]
    others = take(rng, others, minimum=len(others) * 2 // 3, marked=("Nombre del evento", "Participante por Medellín"),
                  moved=("Fecha",))
    others["Asistentes"] = [scale_count(rng, n) for n in others["Asistentes"]]
    others["Asistentes (detalle)"] = [text if pd.isna(n) or pd.isna(text) else re.sub(r"^\d+", str(n), text)
                                      for n, text in zip(others["Asistentes"], others["Asistentes (detalle)"])]
    table = pd.concat([pd.DataFrame(pqm, columns=others.columns), others], ignore_index=True)
    table = table.sort_values("Tipo de evento", key=lambda s: s.map(EVENT_KINDS.index), kind="stable")
    awards = take(rng, data[(POS, "Premios")], minimum=12, marked=("Premio",))
    chances = np.array([0.15, 0.1, 0.1, 0.5, 0.15])  # in AWARD_RESULTS order
    awards["Resultado"] = [AWARD_RESULTS[i] for i in rng.choice(len(AWARD_RESULTS), size=len(awards), p=chances)]
    managed = table[table["Tipo de evento"] == "Gestionado para la Alcaldía"]
    with_mayor = managed["Participante por Medellín"].str.contains("alcalde de Medellín", na=False)
    computed = {"postulaciones_premios": float(len(awards)), "premios_postulados": float(awards["Premio"].nunique()),
                "eventos_internacionales_alcaldia": float(len(managed)), "eventos_con_alcalde": float(with_mayor.sum())}
    return {"Eventos": table, "Premios": awards,
            "Cifras": figures(rng, base["Cifras"], data[(POS, "Cifras")], computed)}


def administration(rng, data, base, achieved: dict) -> dict[str, pd.DataFrame]:
    """Procurement and PQRS perturbed, with totals and percentages computed from them."""
    procurement = data[(ADMIN, "Contratación")].copy()
    procurement["Procesos"] = [scale_count(rng, n) for n in procurement["Procesos"]]
    procurement["Valor (COP)"] = [float(round(v * rng.uniform(0.85, 1.15))) for v in procurement["Valor (COP)"]]
    pqrs = data[(ADMIN, "PQRS")].copy()
    pqrs["Cantidad"] = [scale_count(rng, n) for n in pqrs["Cantidad"]]
    pqrs["Porcentaje publicado"] = (pqrs["Cantidad"].astype(float) / pqrs["Cantidad"].sum() * 100).round()
    lawsuits = data[(ADMIN, "Procesos judiciales")].copy()
    for column in ("Demandante", "Demandado"):
        lawsuits[column] = lawsuits[column].where(lawsuits[column] == "ACI Medellín", lawsuits[column] + DEMO)
    totals = {"contratacion_valor_total": float(procurement["Valor (COP)"].sum()),
              "pqrs_total": float(pqrs["Cantidad"].sum())}
    return {"Contratación": procurement, "PQRS": pqrs, "Procesos judiciales": lawsuits,
            "Cifras": figures(rng, base["Cifras"], data[(ADMIN, "Cifras")], totals)}


# ---------------------------------------------------------------- financial statements

def roll_up(statement: pd.DataFrame, leaves: dict[str, int], column: str = CURRENT) -> pd.DataFrame:
    """``statement`` with ``column`` filled: leaves as given, parents = signed sum of their children."""
    sign = dict(zip(statement["Código"], statement["Signo"].map({"+": 1, "-": -1})))
    children = statement.groupby("Código padre", sort=False)["Código"].agg(list).to_dict()

    def value(code: str) -> int:
        return sum(sign[c] * value(c) for c in children[code]) if code in children else leaves[code]

    return statement.assign(**{column: [value(code) for code in statement["Código"]]})


def perturbed_leaves(rng, statement: pd.DataFrame) -> dict[str, int]:
    """Every leaf of a statement: its 2022 value ±15 %, in whole pesos."""
    parents = set(statement["Código padre"].dropna())
    return {code: int(round(v * rng.uniform(0.85, 1.15)))
            for code, v in zip(statement["Código"], statement[CURRENT]) if code not in parents}


def balance_sheet(rng, src: pd.DataFrame, base: pd.DataFrame, surplus: int, depreciation: int,
                  reserve_move: int) -> pd.DataFrame:
    """Leaves ±15 %, equity rolled forward, bank deposits as the plug of assets = liabilities + equity."""
    prior = {c: int(round(v)) for c, v in zip(src["Código"], src[CURRENT])}
    code = dict(zip(src["Rol"], src["Código"]))
    before = {role: prior[code[role]] for role in ("resultados_anteriores", "resultado_ejercicio", "reservas")}
    leaves = perturbed_leaves(rng, src)
    leaves.update({line: int(round(prior[line] * rng.uniform(1.0, 1.15))) for line in GROSS_ASSETS})
    leaves[DEPRECIATION_BS] = prior[DEPRECIATION_BS] - depreciation
    for contra, lines in CONTRA_LINES.items():
        leaves[contra] = -sum(leaves[line] for line in lines)
    leaves |= {code["resultados_anteriores"]: before["resultados_anteriores"] + before["resultado_ejercicio"],
               code["capital_fiscal"]: prior[code["capital_fiscal"]], code["resultado_ejercicio"]: surplus,
               code["reservas"]: before["reservas"] + reserve_move, CASH_PLUG: 0}
    draft = roll_up(base, leaves)
    leaves[CASH_PLUG] = int(finance.line(draft, "pasivo_mas_patrimonio") - finance.line(draft, "activo_total"))
    if leaves[CASH_PLUG] < 0:
        raise SystemExit("the bank deposits came out negative; choose another SEED")
    return roll_up(base, leaves)


def cash_flow(base: pd.DataFrame, bs: pd.DataFrame, surplus: int, depreciation: int) -> pd.DataFrame:
    """Indirect method from the balance-sheet changes; one investing line closes the statement."""
    change = dict(zip(bs["Código"], bs[CURRENT] - bs[PRIOR]))
    start = base.loc[base["Rol"] == "efectivo_inicial", "Código"].iloc[0]
    leaves = {c: 0 for c in base["Código"]} | {"O.1": surplus, "O.3": depreciation,
                                                start: int(finance.line(bs, "efectivo", PRIOR))}
    for line, (codes, sign) in CASH_FLOW_SOURCES.items():
        leaves[line] = sign * int(sum(change[c] for c in codes))
    draft = roll_up(base, leaves)
    leaves[CASH_FLOW_PLUG] = int(finance.line(bs, "efectivo")) - int(finance.line(draft, "efectivo_final"))
    return roll_up(base, leaves)


def equity_changes(base: pd.DataFrame, bs: pd.DataFrame, surplus: int, reserve_move: int) -> pd.DataFrame:
    """The carried 2022 closing block (renumbered), then the 2023 movements and the 2023 closing balance."""
    components = list(finance.EQUITY_COMPONENTS)
    prior_result = int(finance.line(bs, "resultado_ejercicio", PRIOR))
    moves = [("Traslado a ejercicios anteriores", {components[1]: prior_result, components[3]: -prior_result}),
             ("Excedente del ejercicio", {components[3]: surplus}),
             ("Ejecución de excedentes", {components[2]: reserve_move})]
    rows = [{"Tipo de fila": "Movimiento", "Concepto": name, **{c: values.get(c, 0) for c in components}}
            for name, values in moves]
    closing = {c: int(finance.line(bs, role)) for c, role in finance.EQUITY_COMPONENTS.items()}
    rows.append({"Tipo de fila": "Saldo final", "Concepto": f"Saldos al 31 de diciembre del {YEAR}", **closing})
    new = pd.DataFrame(rows, columns=workbook(FS).sheet("Cambios en el patrimonio").headers).assign(Periodo=YEAR)
    new["Total publicado"] = new[components].sum(axis=1)
    out = pd.concat([base, new], ignore_index=True)
    out["Orden"] = range(1, len(out) + 1)
    return out


def budget(rng, src: pd.DataFrame) -> pd.DataFrame:
    """One factor per amount column (so income and expenses stay balanced); parents add up; % rounded."""
    out = src.assign(Signo="+")  # every line adds to its parent; «Signo» is not a budget column, never written
    for column, (low, high) in {"Presupuesto inicial": (0.95, 1.2), "Adiciones": (0.6, 1.1),
                                "Reducciones": (0.5, 1.5)}.items():
        factor = rng.uniform(low, high)
        leaves = {c: int(round(v * factor)) for c, v in zip(src["Código"], src[column])}
        leaves["G.1.2"] += leaves["I.1"] + leaves["I.2"] - leaves["G.1.1"] - leaves["G.1.2"] - leaves["G.1.3"]
        out = roll_up(out, leaves, column)
    out["Presupuesto definitivo"] = out["Presupuesto inicial"] + out["Adiciones"] - out["Reducciones"]
    execution = {c: int(round(v * rng.uniform(*((0.95, 1.15) if kind == "Ingresos" else (0.75, 0.98)))))
                 for c, v, kind in zip(out["Código"], out["Presupuesto definitivo"], out["Tipo"])}
    out = roll_up(out, execution, "Ejecución")
    out["% publicado"] = (out["Ejecución"] / out["Presupuesto definitivo"] * 100).round()
    return out


def financial_statements(rng, data, base) -> dict[str, pd.DataFrame]:
    """All six financial sheets, built from the income statement outwards."""
    src = {sheet: frame for (filename, sheet), frame in data.items() if filename == FS}
    income = roll_up(base["Resultados"], perturbed_leaves(rng, src["Resultados"]))
    surplus = int(finance.line(income, "excedente_neto"))
    depreciation = int(income.loc[income["Código"] == DEPRECIATION_IS, CURRENT].iloc[0])
    reserve_move = -int(round(finance.line(src["Situación financiera"], "reservas") * rng.uniform(0.1, 0.4)))
    bs = balance_sheet(rng, src["Situación financiera"], base["Situación financiera"], surplus, depreciation,
                       reserve_move)
    indicators, computed = src["Indicadores publicados"].copy(), finance.financial_indicators(bs)
    indicators["Valor publicado"] = [round(computed[name] / (1e6 if name == "Capital de trabajo" else 1), 2)
                                     for name in indicators["Indicador"]]
    return {"Situación financiera": bs, "Resultados": income,
            "Flujo de efectivo": cash_flow(base["Flujo de efectivo"], bs, surplus, depreciation),
            "Cambios en el patrimonio": equity_changes(base["Cambios en el patrimonio"], bs, surplus, reserve_move),
            "Ejecución presupuestal": budget(rng, src["Ejecución presupuestal"]),
            "Indicadores publicados": indicators}


def strategy(rng, base) -> dict[str, pd.DataFrame]:
    """The 2022 framework as new-year carries it; each key result with a random status of the workbook's
    «Estado» catalog, marked as synthetic in «Observación»."""
    results = base[KEY_RESULTS].copy()
    statuses = catalog_values(base[CATALOG_SHEET])["Estado"]
    results["Estado"] = [pick(rng, statuses) for _ in results.index]
    results["Observación"] = DEMO_STATUS
    return {KEY_RESULTS: results}


def generate(data, base, rng) -> dict[str, dict[str, pd.DataFrame]]:
    """All seven workbooks of the demo year, as {file name: {sheet name: DataFrame}}, from new-year's ``base``."""
    plan = plan_indicators(rng, base[PLAN]["Indicadores"], data[(PLAN, "Indicadores")], data[(PLAN, "Metas")])
    achieved = dict(zip(plan["Código"], plan["Logro año"]))
    out = {PLAN: base[PLAN] | {"Indicadores": plan}}
    for filename, build in ((INV, investment), (COOP, cooperation), (POS, positioning), (ADMIN, administration)):
        out[filename] = base[filename] | build(rng, data, base[filename], achieved)
    out[FS] = financial_statements(rng, data, base[FS])
    # Drawn last, so that adding the framework changed none of the other workbooks' draws.
    out[STRATEGY] = base[STRATEGY] | strategy(rng, base[STRATEGY])
    return out


# ---------------------------------------------------------------- README, parameters, entry point

README = f"""# DATOS DE DEMOSTRACIÓN — año {YEAR}

DATOS DE DEMOSTRACIÓN — synthetic, generated by scripts/make_demo_year.py from the {PRIOR_YEAR} data and the
report's {YEAR} targets; not real figures.

**Español.** Datos sintéticos, generados por `scripts/make_demo_year.py` a partir de los datos de {PRIOR_YEAR}
y de las metas {YEAR} del informe; no son cifras reales. Solo las metas del año («Meta año») son
las metas {YEAR} publicadas en el informe de {PRIOR_YEAR}; todo lo demás es inventado, aunque coherente
(`informe validate --year {YEAR}` no encuentra errores). Los nombres llevan «(demo)» o son del tipo
«Empresa demo 01». No cite ni publique estas cifras.

**English.** DEMO DATA — synthetic, generated by `scripts/make_demo_year.py` from the {PRIOR_YEAR} data and the
report's {YEAR} targets; not real figures. Only the year targets ("Meta año") are the {YEAR} targets published in
the {PRIOR_YEAR} report; everything else is invented but internally consistent. Names are marked "(demo)" or
look like "Empresa demo 01". Do not quote or publish these figures.

Regenerate (deterministic, seed {SEED}): `python scripts/make_demo_year.py --source data/{PRIOR_YEAR} --out data/{YEAR}`
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data" / str(PRIOR_YEAR))
    parser.add_argument("--out", type=Path, default=ROOT / "data" / str(YEAR))
    parser.add_argument("--params", type=Path, help=f"where to write the {YEAR} parameters file")
    args = parser.parse_args()
    source = validate_dir(args.source)
    if source.exit_code:
        raise SystemExit(f"{args.source} does not validate; fix it first")
    base = carried_rows(read_year(args.source), YEAR, source_is_demo=False, plan_continues=True)
    for filename, sheets in generate(source.data, base, np.random.default_rng(SEED)).items():
        write_workbook(workbook(filename), args.out / filename, sheets)
    (args.out / "README.md").write_text(README, encoding="utf-8")
    default_out = args.out.resolve() == ROOT / "data" / str(YEAR)
    params = args.params or (ROOT / "params" / f"{YEAR}.yml" if default_out else None)
    if params is not None:
        prior = yaml.safe_load((ROOT / "params" / f"{PRIOR_YEAR}.yml").read_text(encoding="utf-8"))
        header = ("# DEMO parameters of a synthetic year generated by scripts/make_demo_year.py (not a published "
                  f"report).\n# DEMO: the {PRIOR_YEAR} signatories, named for layout only; they did not sign these "
                  "synthetic figures.\n")
        params.write_text(params_text(YEAR, prior, demo=True, header=header,
                                      rate_note=f"DEMO: sin tasa de cambio; los datos de {YEAR} son sintéticos."),
                          encoding="utf-8")
    result = validate_dir(args.out)
    print(f"wrote {args.out}{f' and {params}' if params else ''}: "
          f"{len(result.errors)} errors, {len(result.warnings)} warnings")


if __name__ == "__main__":
    main()
