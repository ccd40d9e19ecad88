"""Plausible-looking damage (issue 8, second round): values that read as data but are not what the analyst meant.

Six categories, each a function ``(rng) -> list[Variant]`` appended to :data:`.generator.CATEGORIES`:

* ``unidades``: a figure typed in the wrong unit (a goal divided by 100, a percentage as a fraction, pesos in
  millions, a negative or fractional count);
* ``numeros-texto``: a number typed as text («1.550.910», «155,67», «USD 813.000», «35 %», «doce»);
* ``filas-repetidas``: a detail row pasted twice;
* ``anios-fechas``: last year's goals, a period out of the window, Excel dates (and date serials, and the 1904
  date system) in text columns;
* ``estructura``: headers moved, columns without a header, columns swapped, Excel tables, filters, blank rows,
  a hand-typed total row;
* ``ruido-carpeta``: files Excel, LibreOffice or the system leave in the folder, copies of a workbook, a
  workbook saved as .ods.

Cells are found by header and row content, never by fixed addresses (see :mod:`.generator`).
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Callable

from .generator import (ADM, COOP, FS, INV, MUST_REFUSE, OK_UNCHANGED, OK_WARNING, PLAN, POS, REFUSED, Book,
                        Expect, Variant, column_index, data_dir, data_rows, edit_parts, row_where, rows_with_value)

WARNS = frozenset({OK_WARNING})
UNCHANGED = frozenset({OK_UNCHANGED})
HARMLESS = frozenset({OK_UNCHANGED, OK_WARNING})


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def es(value) -> str:
    """``value`` as an analyst in Colombia types it: 1.550.910, 155,67."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".") if isinstance(value, float) and not value.is_integer() \
        else f"{int(value):,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def last_row(ws) -> int:
    return data_rows(ws)[-1]


def indicator_row(ws, code: str) -> int:
    return row_where(ws, "Código", code)


def goal_row(ws, code: str, year: int) -> int:
    code_col, year_col = column_index(ws, "Código"), column_index(ws, "Año")
    for r in data_rows(ws):
        if ws.cell(r, code_col).value == code and ws.cell(r, year_col).value == year:
            return r
    raise KeyError(f"no goal of {code} for {year}")


def write(filename: str, sheet: str, header: str, pick: Callable, value: Callable | object,
          allowed=MUST_REFUSE, says: str | None = None, expect_row: bool = True) -> Callable[[Path], Expect]:
    """Write ``value`` (or ``value(old)`` when callable) into ``header`` of the row ``pick(ws)`` chooses."""

    def mutate(root: Path) -> Expect:
        with Book(root, filename) as wb:
            ws = wb[sheet]
            row = pick(ws)
            cell = ws.cell(row, column_index(ws, header))
            cell.value = value(cell.value) if callable(value) else value
        return Expect(filename, sheet, row if expect_row else None, allowed, says=says)

    return mutate


def where(header: str, value) -> Callable:
    return lambda ws: row_where(ws, header, value)


def seeded(rng: random.Random, rows: Callable) -> Callable:
    """A pick of one of ``rows(ws)``, fixed by a draw of ``rng`` now."""
    seed = rng.random()
    return lambda ws: random.Random(seed).choice(rows(ws))


def copy_row(ws, source: int, target: int) -> None:
    for col in range(1, ws.max_column + 1):
        ws.cell(target, col).value = ws.cell(source, col).value


# --------------------------------------------------------------------------
# unidades: a figure typed in the wrong unit
# --------------------------------------------------------------------------

UNIT = r"(?i)unidad"
UNUSUAL = r"(?i)inusual|unidad"


def units(rng: random.Random) -> list[Variant]:
    cat = "unidades"

    def goal_over_100(root):
        with Book(root, PLAN) as wb:
            ws = wb["Metas"]
            row = goal_row(ws, "PI-01", 2022)
            cell = ws.cell(row, column_index(ws, "Meta"))
            cell.value = cell.value / 100  # 140 → 1.4
        return Expect(PLAN, "Metas", row, WARNS, says=UNIT)

    def thousandfold(code, with_cumulative, allowed, says):
        def mutate(root):
            with Book(root, PLAN) as wb:
                ws = wb["Indicadores"]
                row = indicator_row(ws, code)
                for header in ("Logro año", "Acumulado") if with_cumulative else ("Logro año",):
                    cell = ws.cell(row, column_index(ws, header))
                    cell.value = cell.value * 1000
            return Expect(PLAN, "Indicadores", row, allowed, says=says)
        return mutate

    def all_pqrs_over_100(root):
        with Book(root, ADM) as wb:
            ws = wb["PQRS"]
            col = column_index(ws, "Porcentaje publicado")
            for r in rows_with_value(ws, "Porcentaje publicado"):
                ws.cell(r, col).value = ws.cell(r, col).value / 100
        # The published percentages are already compared with the counts (warnings that say «Porcentaje de
        # PQRS»): the message asked for is the one that says the column holds fractions.
        return Expect(ADM, "PQRS", None, WARNS,
                      says=r"(?i)fracci|unidad|tanto por uno|sobre 1\b|por 100|x ?100|×")

    figure_row = lambda key: where("Clave", key)  # noqa: E731
    return [
        Variant(cat, "meta 2022 de PI-01 dividida por 100 (Metas)", goal_over_100),
        Variant(cat, "logro de PI-09 (porcentaje) como fracción: 35 → 0,35",
                write(PLAN, "Indicadores", "Logro año", where("Código", "PI-09"), 0.35, WARNS, UNIT)),
        # Alone, a logro ×1000 is above its own «Acumulado»: that check refuses it (naming the row) already.
        Variant(cat, "logro de PI-08 ×1000", thousandfold("PI-08", False, frozenset({OK_WARNING, REFUSED}),
                                                          r"(?i)unidad|acumulado")),
        Variant(cat, "logro y acumulado de PA-01 ×1000", thousandfold("PA-01", True, WARNS, UNIT)),
        Variant(cat, "cuantía en millones de pesos (1.550.910 → 1,55)",
                write(ADM, "Procesos judiciales", "Cuantía (COP)", where("Cuantía (COP)", 1550910), 1.55, WARNS,
                      UNUSUAL)),
        Variant(cat, "monto de cooperación en millones de USD (693.123 → 0,693123)",
                write(COOP, "Cooperación recibida", "Monto (USD)", where("Monto (USD)", 693123), 0.693123, WARNS,
                      UNUSUAL)),
        Variant(cat, "importe de una oportunidad OSC en millones de USD (70.000 → 0,07)",
                write(COOP, "Oportunidades OSC", "Importe (USD)", where("Importe (USD)", 70000), 0.07, WARNS,
                      UNUSUAL)),
        Variant(cat, "monto de un proyecto en USD en la columna de millones (55 → 55.000.000)",
                write(INV, "Proyectos", "Monto (USD millones)", where("Monto (USD millones)", 55), 55_000_000,
                      frozenset({REFUSED, OK_WARNING}), r"(?i)rango|unidad|inusual")),
        Variant(cat, "porcentajes de PQRS como fracciones (todos /100)", all_pqrs_over_100),
        Variant(cat, "porcentaje de PQRS mayor que 100",
                write(ADM, "PQRS", "Porcentaje publicado", where("Porcentaje publicado", 28), 280, MUST_REFUSE,
                      r"(?i)100|porcentaje|%")),
        Variant(cat, "cifra en cantidad negativa (agendas_trabajo −76)",
                write(POS, "Cifras", "Valor", figure_row("agendas_trabajo"), -76, MUST_REFUSE,
                      r"(?i)negativ|menor")),
        Variant(cat, "cifra en cantidad con decimales (agendas_trabajo 76,5)",
                write(POS, "Cifras", "Valor", figure_row("agendas_trabajo"), 76.5, MUST_REFUSE,
                      r"(?i)enter|decimal|cantidad")),
    ]


# --------------------------------------------------------------------------
# numeros-texto: numbers typed as text
# --------------------------------------------------------------------------

def text_numbers(rng: random.Random) -> list[Variant]:
    cat = "numeros-texto"
    read = r"(?i)texto"  # «número escrito como texto … se leyó como …»
    refused_number = r"(?i)número"
    variants = []
    # (file, sheet, header, the cell's value, the text typed in its place): read as the same number, with a remark.
    same = [
        (COOP, "Cooperación recibida", "Monto (USD)", 693123, "693.123"),
        (ADM, "Procesos judiciales", "Cuantía (COP)", 1550910, es(1550910)),
        (ADM, "Contratación", "Valor (COP)", 1239870769, es(1239870769)),
        (PLAN, "Indicadores", "Logro año", 155.67, es(155.67)),
        (INV, "Proyectos", "Monto (USD millones)", 4.5, es(4.5)),
        (COOP, "Cooperación recibida", "Monto (USD)", 813000, f"USD {es(813000)}"),
        (ADM, "Procesos judiciales", "Cuantía (COP)", 12000000, f"$ {es(12000000)}"),
        (ADM, "PQRS", "Porcentaje publicado", 28, "28 %"),
    ]
    for file, sheet, header, value, text in same:
        variants.append(Variant(cat, f"«{text}» en {file}/{sheet}/{header}",
                                write(file, sheet, header, where(header, value), text, WARNS, read)))
    refused = [  # (file, sheet, header, text, what the message says)
        (COOP, "Cooperación recibida", "Monto (USD)", "35 %", r"(?i)porcentaje"),
        (INV, "Proyectos", "Monto (USD millones)", "35 %", r"(?i)porcentaje"),
        (ADM, "PQRS", "Cantidad", "doce", refused_number),
        (ADM, "Procesos judiciales", "Cuantía (COP)", "1.2.3", refused_number),
        (PLAN, "Indicadores", "Acumulado", "12,5,7", refused_number),
    ]
    for file, sheet, header, text, says in refused:
        variants.append(Variant(cat, f"«{text}» en {file}/{sheet}/{header}",
                                write(file, sheet, header, seeded(rng, lambda ws, h=header: rows_with_value(ws, h)),
                                      text, MUST_REFUSE, says)))
    return variants


# --------------------------------------------------------------------------
# filas-repetidas: a detail row pasted twice
# --------------------------------------------------------------------------

REPEATED = r"(?i)repite"


def repeated_rows(rng: random.Random) -> list[Variant]:
    cat = "filas-repetidas"

    def append_copy(file, sheet, rows: Callable, seed, allowed=WARNS, says=REPEATED, named=True):
        """A copy of one of ``rows(ws)`` on a new row after the last; the message names the new row."""
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                source = random.Random(seed).choice(rows(ws))
                new = last_row(ws) + 1
                copy_row(ws, source, new)
            return Expect(file, sheet, new if named else None, allowed, says=says)
        return mutate

    def paste_over_last(file, sheet, seed):
        """An earlier row pasted over the last one (the count of rows stays: no reconciliation moves)."""
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                target = last_row(ws)
                source = random.Random(seed).choice([r for r in data_rows(ws) if r != target])
                copy_row(ws, source, target)
            return Expect(file, sheet, target, WARNS, says=REPEATED)
        return mutate

    def not_counted(ws):  # events that are not «¿Por qué Medellín?» (PI-06 counts those)
        col = column_index(ws, "¿Por qué Medellín?")
        return [r for r in data_rows(ws) if ws.cell(r, col).value == "No"]

    variants = []
    for file, sheet in ((COOP, "Cooperación recibida"), (INV, "Proyectos"), (COOP, "Col-Col"),
                        (INV, "Zonas francas")):
        variants.append(Variant(cat, f"fila copiada al final de {file}/{sheet}",
                                append_copy(file, sheet, data_rows, rng.random())))
    variants.append(Variant(cat, f"evento que no es ¿Por qué Medellín? copiado al final de {POS}/Eventos",
                            append_copy(POS, "Eventos", not_counted, rng.random())))
    # Sur-Sur, Sos Paisa and Premios are counted against a figure they equal (PI-05, PI-07,
    # postulaciones_premios): one more row is a detail above its figure, an error of the reconciliation (which
    # must then say that the sheet has repeated rows); a row pasted over the last one keeps the count.
    for file, sheet in ((COOP, "Sur-Sur"), (COOP, "Sos Paisa"), (POS, "Premios")):
        variants.append(Variant(cat, f"fila pegada sobre la última de {file}/{sheet}",
                                paste_over_last(file, sheet, rng.random())))
    variants.append(Variant(cat, f"fila copiada al final de {COOP}/Sur-Sur (más acciones que PI-05)",
                            append_copy(COOP, "Sur-Sur", data_rows, rng.random(),
                                        allowed=frozenset({REFUSED, OK_WARNING}), says=r"(?i)repite|repetid",
                                        named=False)))
    return variants


# --------------------------------------------------------------------------
# anios-fechas: years and dates
# --------------------------------------------------------------------------

YEAR_SAYS = r"(?i)año"
DATE_SAYS = r"(?i)fecha"


def years_and_dates(rng: random.Random) -> list[Variant]:
    cat = "anios-fechas"

    def all_goals_back(root):
        """Last year's «Metas» pasted: every year one less."""
        with Book(root, PLAN) as wb:
            ws = wb["Metas"]
            col = column_index(ws, "Año")
            for r in rows_with_value(ws, "Año"):
                ws.cell(r, col).value = ws.cell(r, col).value - 1
        return Expect(PLAN, "Metas", None, MUST_REFUSE, says=YEAR_SAYS)

    def rows_of_year(header, year):
        return lambda ws: [r for r in rows_with_value(ws, header) if ws.cell(r, column_index(ws, header)).value == year]

    def date_in(file, sheet, header, pick, when, says, allowed=WARNS, fmt="DD/MM/YYYY"):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                row = pick(ws)
                cell = ws.cell(row, column_index(ws, header))
                cell.value = when
                cell.number_format = fmt
            return Expect(file, sheet, row, allowed, says=says)
        return mutate

    def date1904(root):
        """posicionamiento.xlsx switched to the 1904 date system after a date was typed: Excel now shows it
        four years and a day later (28/02/2022 → 01/03/2026)."""
        with Book(root, POS) as wb:
            ws = wb["Eventos"]
            row = row_where(ws, "Fecha", "28 de febrero al 2 de marzo")
            cell = ws.cell(row, column_index(ws, "Fecha"))
            cell.value = datetime(2022, 2, 28)
            cell.number_format = "DD/MM/YYYY"
        edit_parts(data_dir(root) / POS, lambda name, xml: re.sub(r"<workbookPr\b", '<workbookPr date1904="1"', xml,
                                                                  count=1) if name == "xl/workbook.xml" else xml)
        return Expect(POS, "Eventos", row, WARNS, says=r"(?i)año|fecha")

    fecha = lambda text: where("Fecha", text)  # noqa: E731
    return [
        Variant(cat, "metas del año anterior pegadas (todos los años −1)", all_goals_back),
        Variant(cat, "una meta de 2022 pasada a 2021",
                write(PLAN, "Metas", "Año", seeded(rng, rows_of_year("Año", 2022)), 2021, MUST_REFUSE, YEAR_SAYS)),
        Variant(cat, "periodo 2021 → 2020 en Cambios en el patrimonio",
                write(FS, "Cambios en el patrimonio", "Periodo", seeded(rng, rows_of_year("Periodo", 2021)), 2020,
                      MUST_REFUSE, YEAR_SAYS)),
        Variant(cat, "periodo 2022 → 2023 en Cambios en el patrimonio",
                write(FS, "Cambios en el patrimonio", "Periodo", seeded(rng, rows_of_year("Periodo", 2022)), 2023,
                      MUST_REFUSE, YEAR_SAYS)),
        # A real date of the report year typed where a range was: a legitimate edit, printed as Excel shows it
        # (28/02/2022), not a timestamp; only that sheet may change.
        Variant(cat, "fecha de Excel (28/02/2022) en Eventos/Fecha",
                date_in(POS, "Eventos", "Fecha", fecha("28 de febrero al 2 de marzo"), datetime(2022, 2, 28),
                        DATE_SAYS, allowed=HARMLESS), tags=("changes",)),
        # The same day the text said: nothing printed changes (a remark is allowed).
        Variant(cat, "fecha de Excel igual al texto que había (26/04/2022) en Eventos/Fecha",
                date_in(POS, "Eventos", "Fecha", fecha("26/04/2022"), datetime(2022, 4, 26), DATE_SAYS,
                        allowed=HARMLESS)),
        Variant(cat, "fecha de Excel de 2026 en Eventos/Fecha",
                date_in(POS, "Eventos", "Fecha", fecha("19 de abril"), datetime(2026, 4, 19), r"(?i)2026|año")),
        Variant(cat, "número de serie 44620 en Eventos/Fecha",
                write(POS, "Eventos", "Fecha", fecha("5 al 12 de febrero"), 44620, WARNS, r"(?i)serie")),
        Variant(cat, "libro con el sistema de fechas 1904 y una fecha en Eventos/Fecha", date1904),
        Variant(cat, "fecha de Excel en Sos Paisa/Mes (texto)",
                date_in(COOP, "Sos Paisa", "Mes", where("Mes", "Marzo"), datetime(2022, 3, 1), DATE_SAYS)),
        Variant(cat, "fecha de Excel en Cooperación recibida/Monto (USD)",
                date_in(COOP, "Cooperación recibida", "Monto (USD)", where("Monto (USD)", 30000),
                        datetime(2022, 3, 1), r"(?i)fecha|número", allowed=MUST_REFUSE)),
    ]


# --------------------------------------------------------------------------
# estructura: headers, columns, tables and rows moved around
# --------------------------------------------------------------------------

HEADER_SAYS = r"(?i)encabezado"
TOTAL_SAYS = r"\btotal\b"  # lowercase: the typed «TOTAL» / «Total general» echoed in another message does not count


def structure(rng: random.Random) -> list[Variant]:
    cat = "estructura"

    def header_moved_right(file, sheet, header):
        """The header of an optional (last) column moved one column to the right: its values sit under a blank
        header, the named column is empty."""
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                col = column_index(ws, header)
                assert all(ws.cell(1, c).value in (None, "") for c in range(col + 1, ws.max_column + 2))
                ws.cell(1, col + 1).value = header
                ws.cell(1, col).value = None
            return Expect(file, sheet, None, WARNS, says=HEADER_SAYS)
        return mutate

    def unnamed_column(file, sheet, before: str | None, seed):
        """A column with values and no header: inserted before ``before`` (None: after the last)."""
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                if before is None:
                    col = max(c.column for c in ws[1] if c.value not in (None, "")) + 1
                else:
                    col = column_index(ws, before)
                    ws.insert_cols(col)
                rows = data_rows(ws)
                for r in random.Random(seed).sample(rows, max(2, len(rows) // 2)):
                    ws.cell(r, col).value = f"nota {r}"
            return Expect(file, sheet, None, WARNS, says=HEADER_SAYS)
        return mutate

    def swap_columns(file, sheet, a, b, with_data, allowed, says=None):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                ca, cb = column_index(ws, a), column_index(ws, b)
                last = max(data_rows(ws)) if with_data else 1
                for r in range(1, last + 1):
                    ws.cell(r, ca).value, ws.cell(r, cb).value = ws.cell(r, cb).value, ws.cell(r, ca).value
            return Expect(file, sheet, None, allowed, says=says)
        return mutate

    def excel_table(file, sheet):
        def mutate(root):
            from openpyxl.utils import get_column_letter
            from openpyxl.worksheet.table import Table, TableStyleInfo

            with Book(root, file) as wb:
                ws = wb[sheet]
                width = max(c.column for c in ws[1] if c.value not in (None, ""))
                table = Table(displayName="Tabla1", ref=f"A1:{get_column_letter(width)}{last_row(ws)}")
                table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
                ws.add_table(table)
            return Expect(file, sheet, None, UNCHANGED)
        return mutate

    def autofilter(file, sheet):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                ws.auto_filter.ref = ws.dimensions
            return Expect(file, sheet, None, UNCHANGED)
        return mutate

    def blank_rows(file, sheet, seed):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                rows = data_rows(ws)
                ws.insert_rows(random.Random(seed).choice(rows[1:]), 2)
            return Expect(file, sheet, None, HARMLESS)
        return mutate

    def total_row(file, sheet, label, sums: tuple[str, ...], fixed: dict | None = None):
        """A hand-typed total row after the last: ``label`` in the first column, the column sums of ``sums``."""
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                rows = data_rows(ws)
                new = rows[-1] + 1
                ws.cell(new, 1).value = label
                for header in sums:
                    col = column_index(ws, header)
                    ws.cell(new, col).value = sum(ws.cell(r, col).value or 0 for r in rows)
                for header, value in (fixed or {}).items():
                    ws.cell(new, column_index(ws, header)).value = value
            return Expect(file, sheet, new, MUST_REFUSE, says=TOTAL_SAYS)
        return mutate

    return [
        Variant(cat, f"encabezado «Descripción» corrido una columna en {INV}/Proyectos",
                header_moved_right(INV, "Proyectos", "Descripción")),
        Variant(cat, f"encabezado «Participante por Medellín» corrido una columna en {POS}/Eventos",
                header_moved_right(POS, "Eventos", "Participante por Medellín")),
        Variant(cat, f"columna con valores y sin encabezado insertada en {POS}/Premios",
                unnamed_column(POS, "Premios", "Postulación", rng.random())),
        Variant(cat, f"columna con valores y sin encabezado al final de {COOP}/Col-Col",
                unnamed_column(COOP, "Col-Col", None, rng.random())),
        Variant(cat, f"columnas «País de origen» y «Sector» intercambiadas con sus datos en {INV}/Proyectos",
                swap_columns(INV, "Proyectos", "País de origen", "Sector", True, UNCHANGED), tags=("changes",)),
        Variant(cat, f"columnas «Año actual» y «Año anterior» intercambiadas con sus datos en {FS}/Situación financiera",
                swap_columns(FS, "Situación financiera", "Año actual", "Año anterior", True, UNCHANGED),
                tags=("changes",)),
        Variant(cat, f"encabezados «Año actual» y «Año anterior» intercambiados en {FS}/Situación financiera",
                swap_columns(FS, "Situación financiera", "Año actual", "Año anterior", False, MUST_REFUSE,
                             r"(?i)intercambi")),
        Variant(cat, f"tabla de Excel sobre {INV}/Proyectos", excel_table(INV, "Proyectos")),
        Variant(cat, f"autofiltro en {POS}/Eventos", autofilter(POS, "Eventos")),
        Variant(cat, f"dos filas en blanco dentro de {COOP}/Cooperación recibida",
                blank_rows(COOP, "Cooperación recibida", rng.random()), tags=("changes",)),
        Variant(cat, f"dos filas en blanco dentro de {PLAN}/Indicadores",
                blank_rows(PLAN, "Indicadores", rng.random()), tags=("changes",)),
        Variant(cat, f"fila «TOTAL» tecleada al final de {INV}/Proyectos",
                total_row(INV, "Proyectos", "TOTAL", ("Monto (USD millones)", "Empleos"))),
        Variant(cat, f"fila «Total general» tecleada al final de {COOP}/Cooperación recibida",
                total_row(COOP, "Cooperación recibida", "Total general", ("Monto (USD)",))),
        Variant(cat, f"fila «TOTAL» tecleada al final de {ADM}/PQRS",
                total_row(ADM, "PQRS", "TOTAL", ("Cantidad",), {"Porcentaje publicado": 100})),
        Variant(cat, f"fila «Total» tecleada al final de {ADM}/Contratación",
                total_row(ADM, "Contratación", "Total", ("Procesos", "Valor (COP)"))),
    ]


# --------------------------------------------------------------------------
# ruido-carpeta: what Excel, LibreOffice and the system leave in the folder
# --------------------------------------------------------------------------

def folder_noise(rng: random.Random) -> list[Variant]:
    cat = "ruido-carpeta"

    def junk(name, seed):
        def mutate(root):
            (data_dir(root) / name).write_bytes(random.Random(seed).randbytes(165))
            return Expect(name, None, None, UNCHANGED)
        return mutate

    def copy(name, says):
        def mutate(root):
            shutil.copy(data_dir(root) / INV, data_dir(root) / name)
            return Expect(name, None, None, WARNS, says=says)
        return mutate

    def old_copies(root):
        folder = data_dir(root) / "anteriores"
        folder.mkdir()
        for filename in (INV, PLAN):
            shutil.copy(data_dir(root) / filename, folder / filename)
        (folder / "inversion v2.xlsx").write_bytes(b"no es un libro")
        return Expect("anteriores", None, None, UNCHANGED)

    def saved_as_ods(root):
        path = data_dir(root) / PLAN
        path.rename(path.with_suffix(".ods"))
        return Expect(PLAN, None, None, MUST_REFUSE, says=r"guárdelo como \.xlsx")

    variants = [Variant(cat, f"«{name}» en la carpeta", junk(name, rng.random()))
                for name in (f"~${INV}", f".~lock.{INV}#", f"._{INV}", ".DS_Store", "Thumbs.db", "desktop.ini",
                             f"{INV}.bak", "inversion.tmp")]
    variants += [
        Variant(cat, "subcarpeta «anteriores» con copias de los libros", old_copies),
        Variant(cat, "«inversion - copia.xlsx» junto a inversion.xlsx", copy("inversion - copia.xlsx", r"(?i)copia")),
        Variant(cat, "«inversion (1).xlsx» junto a inversion.xlsx", copy("inversion (1).xlsx", r"(?i)copia")),
        Variant(cat, "«inversion.ods» junto a inversion.xlsx", copy("inversion.ods", r"(?i)copia")),
        Variant(cat, f"{PLAN} guardado como .ods", saved_as_ods),
    ]
    return variants


CATEGORIES = (units, text_numbers, repeated_rows, years_and_dates, structure, folder_noise)
