"""A seeded generator of damaged copies of the 2022 data (issue 8: "trust nothing").

Each :class:`Variant` is (category, name, mutate). ``mutate(root)`` damages a copy of the project
inputs under ``root`` (``root/data/2022/*.xlsx`` and ``root/params/2022.yml``) and returns an
:class:`Expect`: where a message about the damage must point (file, sheet, row) and which outcomes
are acceptable. Cells are found by sheet, header name and row content, never by fixed addresses,
so that columns or sheets added later do not move the targets.

The chapter texts (``root/data/2022/textos/``) are damaged too: hostile Markdown or Word documents must be
refused naming the text and its paragraph (category ``texto-hostil``), and a number typed by hand that
contradicts the data must build with a warning naming the text and paragraph (``texto-cifra-contradicha``).

Outcomes (see :mod:`tests.mutations.oracle`):

* ``ok-unchanged``: exit 0 and every published figure equal to the pristine data's;
* ``ok-warning``: exit 0 with a new warning naming the damaged file, sheet (and row);
* ``refused``: exit 1 or 2 with an error naming the file and sheet (and row when there is one).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2022
SEED = 20221231

ANY_SHEET = "*"  # the message may name any sheet of the file (a consequence shows up where the total is)
OK_UNCHANGED, OK_WARNING, REFUSED = "ok-unchanged", "ok-warning", "refused"
ANY_SAFE = frozenset({OK_UNCHANGED, OK_WARNING, REFUSED})
MUST_REFUSE = frozenset({REFUSED})
HARMLESS = frozenset({OK_UNCHANGED, OK_WARNING})

FS, PLAN, INV, COOP, POS, ADM = ("estados_financieros.xlsx", "plan_desarrollo.xlsx", "inversion.xlsx",
                                 "cooperacion.xlsx", "posicionamiento.xlsx", "administrativo.xlsx")
WORKBOOKS = (PLAN, INV, COOP, POS, ADM, FS)
STRATEGY = "planeacion_estrategica.xlsx"  # its own category (strategy_references): the draws above stay as they were


@dataclass
class Expect:
    """What the oracle accepts for one variant."""

    file: str
    sheet: str | None = None  # None: the file is named, no sheet (the workbook cannot be opened)
    row: int | None = None
    allowed: frozenset = ANY_SAFE
    params: bool = False  # the message is about params/<year>.yml (sheet is None, column is the key)
    key: str | None = None
    paragraph: int | None = None  # a chapter text's paragraph the message must name
    says: str | None = None  # a regular expression the message must match (what kind of damage it names)


@dataclass
class Variant:
    category: str
    name: str
    mutate: Callable[[Path], Expect]
    subprocess: bool = False  # run `informe validate` in a fresh process with a timeout
    build: bool = False  # also run `informe build` (exit 0 expected when validation passes)
    tags: tuple = field(default_factory=tuple)
    literal: str | None = None  # text the built HTML book must contain verbatim
    printed: tuple = ()  # texts the build's console output must contain (the warnings it prints)

    @property
    def id(self) -> str:
        return f"{self.category}:{self.name}"


# --------------------------------------------------------------------------
# Workbook helpers: locate cells by header and row content
# --------------------------------------------------------------------------

def data_dir(root: Path) -> Path:
    return root / "data" / str(YEAR)


def prepare(root: Path) -> Path:
    """Copy the pristine inputs under ``root``; return the data folder."""
    shutil.copytree(ROOT / "data" / str(YEAR), data_dir(root))
    (root / "params").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "params" / f"{YEAR}.yml", root / "params" / f"{YEAR}.yml")
    return data_dir(root)


def column_index(ws, header: str) -> int:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(f"{ws.title} has no header {header!r}")


def data_rows(ws) -> list[int]:
    """Excel rows (≥ 2) holding at least one value."""
    rows = []
    for row in ws.iter_rows(min_row=2):
        if any(c.value not in (None, "") for c in row):
            rows.append(row[0].row)
    return rows


def row_where(ws, header: str, value) -> int:
    col = column_index(ws, header)
    for r in data_rows(ws):
        if ws.cell(r, col).value == value:
            return r
    raise KeyError(f"{ws.title}: no row with {header}={value!r}")


def rows_with_value(ws, header: str) -> list[int]:
    col = column_index(ws, header)
    return [r for r in data_rows(ws) if ws.cell(r, col).value not in (None, "")]


class Book:
    """An openpyxl workbook of the copy, saved on exit."""

    def __init__(self, root: Path, filename: str):
        self.path = data_dir(root) / filename
        self.filename = filename

    def __enter__(self):
        self.wb = load_workbook(self.path)
        return self.wb

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.wb.save(self.path)


def edit_sheet_xml(path: Path, sheet: str, edit: Callable[[str], str]) -> None:
    """Rewrite the XML of one sheet of ``path`` (for damage openpyxl cannot write)."""
    from informe.data.safety import _sheet_paths

    with zipfile.ZipFile(path) as zf:
        part = _sheet_paths(zf)[sheet]
    edit_parts(path, lambda name, xml: edit(xml) if name == part else xml)


def edit_parts(path: Path, edit: Callable[[str, str], str]) -> None:
    """Rewrite every XML part of ``path`` through ``edit(name, text)``."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info.filename)) for info in zf.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename.endswith(".xml"):
                data = edit(info.filename, data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)
    tmp.replace(path)


def set_value(filename: str, sheet: str, header: str, pick: Callable, value, allowed=MUST_REFUSE,
              expect_row=True) -> Callable[[Path], Expect]:
    """A mutation writing ``value`` into the cell of ``header`` in the row chosen by ``pick(ws)``."""

    def mutate(root: Path) -> Expect:
        with Book(root, filename) as wb:
            ws = wb[sheet]
            row = pick(ws)
            ws.cell(row, column_index(ws, header)).value = value
        return Expect(filename, sheet, row if expect_row else None, allowed)

    return mutate


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------

NUMERIC = (  # (file, sheet, header) of numeric columns with values
    (FS, "Situación financiera", "Año actual"), (FS, "Situación financiera", "Año anterior"),
    (FS, "Resultados", "Año actual"), (FS, "Flujo de efectivo", "Año actual"),
    (FS, "Cambios en el patrimonio", "Capital fiscal"), (FS, "Ejecución presupuestal", "Ejecución"),
    (FS, "Indicadores publicados", "Valor publicado"), (ADM, "Contratación", "Valor (COP)"),
    (ADM, "Contratación", "Procesos"), (ADM, "PQRS", "Cantidad"), (INV, "Proyectos", "Monto (USD millones)"),
    (COOP, "Cooperación recibida", "Monto (USD)"), (PLAN, "Indicadores", "Logro año"),
    (PLAN, "Indicadores", "Acumulado"), (POS, "Cifras", "Valor"), (INV, "Cifras", "Valor"),
    (ADM, "Procesos judiciales", "Cuantía (COP)"), (COOP, "OSC participantes", "N°"),
)
REQUIRED_TEXT = (
    (PLAN, "Indicadores", "Indicador"), (INV, "Proyectos", "Empresa"), (COOP, "Sur-Sur", "Tema"),
    (COOP, "Sur-Sur", "País"), (POS, "Eventos", "Nombre del evento"), (POS, "Premios", "Postulación"),
    (ADM, "Procesos judiciales", "Demandante"), (FS, "Situación financiera", "Cuenta"),
    (FS, "Flujo de efectivo", "Concepto"), (COOP, "Sos Paisa", "Aporte"), (COOP, "Col-Col", "Beneficiario"),
    (FS, "Ejecución presupuestal", "Rubro"),
)
STATEMENTS = {
    "Situación financiera": ("activo_corriente", "efectivo", "activo_total", "pasivo_corriente", "pasivo_total",
                             "patrimonio_total", "capital_fiscal", "resultados_anteriores", "reservas",
                             "resultado_ejercicio", "pasivo_mas_patrimonio"),
    "Resultados": ("excedente_neto",),
    "Flujo de efectivo": ("efectivo_inicial", "efectivo_final", "variacion_efectivo"),
}
SHEETS = {
    PLAN: ("Indicadores",), INV: ("Proyectos", "Zonas francas", "Cifras"),
    COOP: ("Cooperación recibida", "Sur-Sur", "Col-Col", "Sos Paisa", "Oportunidades OSC", "OSC participantes", "Cifras"),
    POS: ("Eventos", "Premios", "Cifras"), ADM: ("Contratación", "PQRS", "Procesos judiciales", "Cifras"),
    FS: ("Situación financiera", "Resultados", "Flujo de efectivo", "Cambios en el patrimonio",
         "Ejecución presupuestal", "Indicadores publicados"),
}
DECLARED_CODES = ("PI-01", "PI-02", "PI-04", "PI-05", "PI-06", "PI-07")


def pick_random(rng: random.Random, header: str) -> Callable:
    seed = rng.random()
    return lambda ws: random.Random(seed).choice(rows_with_value(ws, header))


# --------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------

def not_regular(rng: random.Random) -> list[Variant]:
    variants = []

    def dev_zero(filename):
        def mutate(root):
            path = data_dir(root) / filename
            path.unlink()
            path.symlink_to("/dev/zero")
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    def fifo(filename):
        def mutate(root):
            path = data_dir(root) / filename
            path.unlink()
            os.mkfifo(path)
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    def folder(filename):
        def mutate(root):
            path = data_dir(root) / filename
            path.unlink()
            path.mkdir()
            (path / "dentro.txt").write_text("x", encoding="utf-8")
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    def broken_link(filename):
        def mutate(root):
            path = data_dir(root) / filename
            path.unlink()
            path.symlink_to(root / "no-existe.xlsx")
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    def good_link(filename):
        def mutate(root):
            path = data_dir(root) / filename
            target = root / "elsewhere" / filename
            target.parent.mkdir(exist_ok=True)
            path.replace(target)
            path.symlink_to(target)
            return Expect(filename, None, None, frozenset({OK_UNCHANGED}))
        return mutate

    def oversized(filename):
        def mutate(root):
            path = data_dir(root) / filename
            with path.open("r+b") as fh:  # a sparse file: the size is real, the disk use is not
                fh.truncate(60 * 1024 * 1024)
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    def bomb_ratio(filename):
        def mutate(root):
            path = data_dir(root) / filename
            # A part that expands > 200× and beyond 50 MB (issue 22: 8 MB of zeros, or a sheet of long repeated text,
            # is not a bomb any more: only a member that is both is refused, besides the 300 MB total).
            with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("xl/media/relleno.bin", b"\0" * (64 * 1024 * 1024))
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    def bomb_total(filename):
        def mutate(root):
            path = data_dir(root) / filename
            with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                chunk = os.urandom(1024 * 1024)  # incompressible, so only the total trips
                for i in range(4):
                    with zf.open(f"xl/media/grande{i}.bin", "w", force_zip64=True) as fh:
                        for _ in range(80):
                            fh.write(chunk)
            return Expect(filename, None, None, MUST_REFUSE)
        return mutate

    for filename in WORKBOOKS:
        variants.append(Variant("no-regular", f"dev-zero {filename}", dev_zero(filename), subprocess=True))
        variants.append(Variant("no-regular", f"carpeta {filename}", folder(filename)))
    for filename in rng.sample(WORKBOOKS, 3):
        variants.append(Variant("no-regular", f"fifo {filename}", fifo(filename), subprocess=True))
    for filename in rng.sample(WORKBOOKS, 2):
        variants.append(Variant("no-regular", f"enlace roto {filename}", broken_link(filename)))
    for filename in rng.sample(WORKBOOKS, 2):
        variants.append(Variant("no-regular", f"enlace a archivo normal {filename}", good_link(filename)))
    for filename in rng.sample(WORKBOOKS, 2):
        variants.append(Variant("no-regular", f"más de 50 MB {filename}", oversized(filename)))
    variants.append(Variant("no-regular", f"bomba zip (razón) {ADM}", bomb_ratio(ADM)))
    variants.append(Variant("no-regular", f"bomba zip (total) {POS}", bomb_total(POS), tags=("heavy",)))
    return variants


def booleans(rng: random.Random) -> list[Variant]:
    variants = []
    for file, sheet, header in NUMERIC:
        value = rng.choice([True, False])
        variants.append(Variant("booleanos", f"{value} en {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), value)))
    for file, sheet, header in rng.sample(REQUIRED_TEXT, 3):
        variants.append(Variant("booleanos", f"True en texto {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), True)))
    return variants


def non_finite(rng: random.Random) -> list[Variant]:
    variants = []

    def raw_number(file, sheet, header, pick, text):
        """Write a number cell whose stored value is ``text`` (nan, inf), which openpyxl reads as a float."""
        def mutate(root):
            marker = 987654321.25
            with Book(root, file) as wb:
                ws = wb[sheet]
                row = pick(ws)
                ws.cell(row, column_index(ws, header)).value = marker
            edit_sheet_xml(data_dir(root) / file, sheet, lambda xml: xml.replace(f"<v>{marker}</v>", f"<v>{text}</v>"))
            return Expect(file, sheet, row, MUST_REFUSE)
        return mutate

    for i, (file, sheet, header) in enumerate(rng.sample(NUMERIC, 10)):
        text = ("nan", "inf", "-inf", "NaN", "1e999")[i % 5]
        variants.append(Variant("nan-inf", f"{text} almacenado en {file}/{sheet}/{header}",
                                raw_number(file, sheet, header, pick_random(rng, header), text)))
    for i, (file, sheet, header) in enumerate(rng.sample(NUMERIC, 6)):
        text = ("NaN", "inf", "-Infinity", "nan", "Infinity", "-inf")[i]
        variants.append(Variant("nan-inf", f"texto «{text}» en {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), text)))
    return variants


def periods(rng: random.Random) -> list[Variant]:
    sheet = "Cambios en el patrimonio"
    variants = []
    for value in (9999, 1800, 0, 2030, 2023, 2020, 1900, -2022):
        variants.append(Variant("periodos", f"Periodo {value}",
                                set_value(FS, sheet, "Periodo", pick_random(rng, "Periodo"), value)))
    return variants


INVISIBLE_ONLY = ("\u200b", "\ufeff", "\u00a0", " \u200b\u00a0 ", "\u2060\u200b", "\u3000", "\u200e")


def invisible_text(rng: random.Random) -> list[Variant]:
    variants = []
    for i, (file, sheet, header) in enumerate(REQUIRED_TEXT):
        value = INVISIBLE_ONLY[i % len(INVISIBLE_ONLY)]
        variants.append(Variant("texto-invisible", f"{value.encode('unicode_escape').decode()} en {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), value)))

    def wrap(file, sheet, header, pick, before, after):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                row = pick(ws)
                cell = ws.cell(row, column_index(ws, header))
                cell.value = f"{before}{cell.value}{after}"
            return Expect(file, sheet, row, HARMLESS)
        return mutate

    for file, sheet, header in rng.sample(REQUIRED_TEXT, 5):
        before, after = rng.choice([("\ufeff", ""), ("", "\u00a0"), ("\u200b", "\u200b"), (" ", "\u2060")])
        variants.append(Variant("texto-invisible", f"bordes invisibles en {file}/{sheet}/{header}",
                                wrap(file, sheet, header, pick_random(rng, header), before, after)))
    return variants


def merged(rng: random.Random) -> list[Variant]:
    variants = []

    def merge(file, sheet, first_header, width, pick):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                row = pick(ws)
                col = column_index(ws, first_header)
                ws.merge_cells(start_row=row, start_column=col, end_row=row + (width[1] - 1),
                               end_column=col + width[0] - 1)
            return Expect(file, sheet, row, MUST_REFUSE)
        return mutate

    targets = [(ADM, "Contratación", "Modalidad"), (ADM, "PQRS", "Proceso"), (FS, "Situación financiera", "Cuenta"),
               (INV, "Proyectos", "Empresa"), (COOP, "Sur-Sur", "Tema"), (PLAN, "Indicadores", "Indicador"),
               (POS, "Eventos", "Tipo de evento"), (FS, "Ejecución presupuestal", "Rubro")]
    for file, sheet, header in targets:
        width = rng.choice([(2, 1), (3, 1), (1, 2), (2, 2)])
        variants.append(Variant("celdas-combinadas", f"{width[0]}x{width[1]} en {file}/{sheet}/{header}",
                                merge(file, sheet, header, width, pick_random(rng, header))))
    return variants


def formulas(rng: random.Random) -> list[Variant]:
    variants = []
    for file, sheet, header in rng.sample(NUMERIC, 8):
        formula = rng.choice(["=1+1", "=SUM(A1:A2)", "=10*2", '=""&1'])
        variants.append(Variant("formula-sin-valor", f"{formula} en {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), formula)))
    for file, sheet, header in rng.sample(REQUIRED_TEXT, 2):
        variants.append(Variant("formula-sin-valor", f"fórmula de texto en {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), '="a"&"b"')))
    return variants


def indicator_codes(rng: random.Random) -> list[Variant]:
    variants = []
    sheet = "Indicadores"

    def rename(code, new, allowed=MUST_REFUSE):
        def mutate(root):
            with Book(root, PLAN) as wb:
                ws = wb[sheet]
                row = row_where(ws, "Código", code)
                ws.cell(row, column_index(ws, "Código")).value = new
            return Expect(PLAN, sheet, row, allowed)
        return mutate

    def delete(code):
        def mutate(root):
            with Book(root, PLAN) as wb:
                ws = wb[sheet]
                ws.delete_rows(row_where(ws, "Código", code))
            return Expect(PLAN, ANY_SHEET, None, MUST_REFUSE)  # named where the reconciliation is declared
        return mutate

    look_alikes = [
        ("PI-01", "pi-01"), ("PI-02", "PІ-02"), ("PI-04", "PI-O4"), ("PI-05", "PI–05"), ("PI-06", "Pl-06"),
        ("PI-07", "PI-0７"), ("PI-01", "PI - 01"), ("PI-04", "РI-04"),
    ]
    for code, new in look_alikes:
        variants.append(Variant("codigos-indicador", f"{code} → {new!a}", rename(code, new)))
    for code in DECLARED_CODES:
        variants.append(Variant("codigos-indicador", f"fila {code} borrada", delete(code)))
    # Two codes no reader could tell apart, neither declared by a reconciliation.
    variants.append(Variant("codigos-indicador", "PA-03 → pa-02 (choca con PA-02)", rename("PA-03", "pa-02")))
    variants.append(Variant("codigos-indicador", "PA-05 → PA-O4 (choca con PA-04)", rename("PA-05", "PA-O4")))
    variants.append(Variant("codigos-indicador", "espacio duro al final de PI-01",
                            rename("PI-01", "PI-01\u00a0", HARMLESS)))
    return variants


def roles(rng: random.Random) -> list[Variant]:
    variants = []

    def clear(sheet, role):
        def mutate(root):
            with Book(root, FS) as wb:
                ws = wb[sheet]
                row = row_where(ws, "Rol", role)
                ws.cell(row, column_index(ws, "Rol")).value = None
            return Expect(FS, sheet, None, MUST_REFUSE)
        return mutate

    def duplicate(sheet, role, seed):
        def mutate(root):
            with Book(root, FS) as wb:
                ws = wb[sheet]
                col = column_index(ws, "Rol")
                free = [r for r in data_rows(ws) if ws.cell(r, col).value in (None, "")]
                row = random.Random(seed).choice(free)
                ws.cell(row, col).value = role
            return Expect(FS, sheet, row, MUST_REFUSE)
        return mutate

    def delete_row(sheet, role):
        def mutate(root):
            with Book(root, FS) as wb:
                ws = wb[sheet]
                ws.delete_rows(row_where(ws, "Rol", role))
            return Expect(FS, sheet, None, MUST_REFUSE)
        return mutate

    for sheet, names in STATEMENTS.items():
        for role in names:
            variants.append(Variant("roles", f"sin rol {role} ({sheet})", clear(sheet, role)))
    for sheet, role in rng.sample([(s, r) for s, rs in STATEMENTS.items() for r in rs], 6):
        variants.append(Variant("roles", f"rol {role} repetido ({sheet})", duplicate(sheet, role, rng.random())))
    for sheet, role in (("Flujo de efectivo", "efectivo_final"), ("Situación financiera", "activo_total"),
                        ("Resultados", "excedente_neto")):
        variants.append(Variant("roles", f"fila con rol {role} borrada ({sheet})", delete_row(sheet, role)))
    return variants


def deleted_rows(rng: random.Random) -> list[Variant]:
    variants = []

    def delete(file, sheet, header, pick):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                ws.delete_rows(pick(ws))
            return Expect(file, ANY_SHEET, None, ANY_SAFE)  # the totals that no longer add up may be elsewhere
        return mutate

    for file, sheet, header in ((ADM, "Contratación", "Modalidad"), (ADM, "PQRS", "Proceso"),
                                (FS, "Ejecución presupuestal", "Rubro"), (FS, "Situación financiera", "Cuenta"),
                                (FS, "Cambios en el patrimonio", "Concepto"), (COOP, "Sos Paisa", "Aporte")):
        variants.append(Variant("filas-borradas", f"fila borrada en {file}/{sheet}",
                                delete(file, sheet, header, pick_random(rng, header))))
    return variants


def stale_dimension(rng: random.Random) -> list[Variant]:
    variants = []

    def shrink(file, sheet, ref):
        def mutate(root):
            edit_sheet_xml(data_dir(root) / file, sheet,
                           lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml, count=1))
            return Expect(file, sheet, None, frozenset({OK_UNCHANGED}))
        return mutate

    for file, sheets in SHEETS.items():
        for sheet in sheets:
            if rng.random() < 0.55 or (file, sheet) in ((INV, "Proyectos"), (FS, "Flujo de efectivo")):
                ref = rng.choice(["A1:C3", "A1", "A1:B2", "A1:J4"])
                variants.append(Variant("dimension-falsa", f"<dimension {ref}> en {file}/{sheet}", shrink(file, sheet, ref)))
    return variants


def duplicate_headers(rng: random.Random) -> list[Variant]:
    variants = []

    def dup(file, sheet, source, target):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                ws.cell(1, column_index(ws, target)).value = source
            return Expect(file, sheet, 1, MUST_REFUSE)
        return mutate

    def extra_copy(file, sheet, header):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                src = column_index(ws, header)
                new = ws.max_column + 1
                for r in range(1, ws.max_row + 1):
                    ws.cell(r, new).value = ws.cell(r, src).value
            return Expect(file, sheet, 1, MUST_REFUSE)
        return mutate

    for file, sheet, source, target in ((ADM, "Contratación", "Valor (COP)", "Procesos"),
                                        (FS, "Situación financiera", "Año actual", "Año anterior"),
                                        (PLAN, "Indicadores", "Código", "Plan"), (INV, "Proyectos", "Empresa", "Descripción"),
                                        (POS, "Eventos", "Fecha", "Finalidad")):
        variants.append(Variant("encabezados-repetidos", f"«{source}» dos veces en {file}/{sheet}", dup(file, sheet, source, target)))
    for file, sheet, header in ((ADM, "PQRS", "Cantidad"), (FS, "Resultados", "Año actual"), (COOP, "Sur-Sur", "País")):
        variants.append(Variant("encabezados-repetidos", f"columna «{header}» copiada al final de {file}/{sheet}",
                                extra_copy(file, sheet, header)))
    return variants


def huge_amounts(rng: random.Random) -> list[Variant]:
    variants = []
    values = (1e300, 1e20, -1e300, 1e16, "1e300", "1e20", -1e20, 1.7e308)
    for i, (file, sheet, header) in enumerate(rng.sample(NUMERIC, 14)):
        value = values[i % len(values)]
        variants.append(Variant("montos-enormes", f"{value!r} en {file}/{sheet}/{header}",
                                set_value(file, sheet, header, pick_random(rng, header), value)))
    return variants


def bad_characters(rng: random.Random) -> list[Variant]:
    variants = []

    def raw_text(file, sheet, header, pick, char, sheet_named=True):
        """Put ``char`` inside a text cell by editing the XML (openpyxl refuses to write it)."""
        def mutate(root):
            marker = "MARCADOR-MUTACION"
            with Book(root, file) as wb:
                ws = wb[sheet]
                row = pick(ws)
                cell = ws.cell(row, column_index(ws, header))
                cell.value = f"{cell.value}{marker}"
            edit_parts(data_dir(root) / file, lambda _name, xml: xml.replace(marker, char))
            return Expect(file, sheet if sheet_named else None, row if sheet_named else None, MUST_REFUSE)
        return mutate

    # _xHHHH_ is how OOXML escapes a character in text; openpyxl decodes it into the character itself.
    chars = ("_xFFFF_", "_xFFFE_", "\ufdd0", "_x0001_", "_x0000_", "\ue000", "\U0010ffff", "_x001F_", "_x001b_")
    for i, (file, sheet, header) in enumerate(rng.sample(REQUIRED_TEXT, 9)):
        char = chars[i % len(chars)]
        variants.append(Variant("caracteres-prohibidos", f"{char.encode('unicode_escape').decode()} en {file}/{sheet}/{header}",
                                raw_text(file, sheet, header, pick_random(rng, header), char)))
    # A raw U+FFFF or a reference to U+0001 is not well-formed XML: the workbook itself is refused.
    for char, (file, sheet, header) in zip(("\uffff", "&#x1;"), rng.sample(REQUIRED_TEXT, 2)):
        variants.append(Variant("caracteres-prohibidos", f"XML mal formado ({char.encode('unicode_escape').decode()}) "
                                f"en {file}/{sheet}/{header}",
                                raw_text(file, sheet, header, pick_random(rng, header), char, sheet_named=False)))
    return variants


def params_file(rng: random.Random) -> list[Variant]:
    variants = []

    def edit(old, new, key):
        def mutate(root):
            path = root / "params" / f"{YEAR}.yml"
            text = path.read_text(encoding="utf-8")
            assert old in text, old
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return Expect(f"params/{YEAR}.yml", None, None, MUST_REFUSE, params=True, key=key)
        return mutate

    cases = [
        ("year: 2022", "year: true", "year"), ("year: 2022", "year: 2021", "year"), ("year: 2022", "year: '2022'", "year"),
        ("year: 2022", "year: 2022.5", "year"), ("agency: ", "agency: null #", "agency"), ("agency: ", "agency: '' #", "agency"),
        ("cop_per_usd: 4810.20", "cop_per_usd: -4810.20", "exchange_rate.cop_per_usd"),
        ("cop_per_usd: 4810.20", "cop_per_usd: .nan", "exchange_rate.cop_per_usd"),
        ("cop_per_usd: 4810.20", "cop_per_usd: .inf", "exchange_rate.cop_per_usd"),
        ("cop_per_usd: 4810.20", "cop_per_usd: 0", "exchange_rate.cop_per_usd"),
        ("cutoff: 2022-12-31", "cutoff: 2022-02-30", "cutoff"), ("cutoff: 2022-12-31", "cutoff: 2021-12-31", "cutoff"),
        ("cutoff: 2022-12-31", "cutoff: mañana", "cutoff"), ("demo: false", "demo: 'no'", "demo"),
        ("demo: false", "demo: 0", "demo"), ('- name: "Luisa', '- name: null\n    x: "', "signatories"),
    ]
    for old, new, key in cases:
        variants.append(Variant("parametros", f"{new.splitlines()[0]}", edit(old, new, key)))
    return variants


def harmless(rng: random.Random) -> list[Variant]:
    """Controls: changes that must leave every figure as it was."""

    def roundtrip(file):
        def mutate(root):
            with Book(root, file):
                pass
            return Expect(file, None, None, frozenset({OK_UNCHANGED}))
        return mutate

    return [Variant("controles", f"abrir y guardar {file}", roundtrip(file)) for file in WORKBOOKS]


def literal_text(rng: random.Random) -> list[Variant]:
    """Text that renderers could misread; it must validate and build, printed literally."""
    variants = []

    def append(file, sheet, header, code, text):
        def mutate(root):
            with Book(root, file) as wb:
                ws = wb[sheet]
                row = row_where(ws, "Código", code) if code else rows_with_value(ws, header)[0]
                cell = ws.cell(row, column_index(ws, header))
                cell.value = f"{cell.value} {text}"
            return Expect(file, sheet, row, frozenset({OK_UNCHANGED, OK_WARNING}))
        return mutate

    variants.append(Variant("texto-literal", "$\\notacommand$ en el nombre de un indicador",
                            append(PLAN, "Indicadores", "Indicador", "PI-01", "$\\notacommand$"), build=True,
                            tags=("changes",), literal="$\\notacommand$"))
    variants.append(Variant("texto-literal", "apóstrofo y comillas en un indicador",
                            append(PLAN, "Indicadores", "Indicador", "PA-01", "l'ACI \"Medellín\" `x` *y* _z_ <b>"),
                            build=True, tags=("changes",), literal="`x` *y* _z_ &lt;b&gt;"))  # quotes: pandoc «smart» (helper book)
    variants.append(Variant("texto-literal", "monto justo bajo el límite en una cuantía",
                            set_value(ADM, "Procesos judiciales", "Cuantía (COP)",
                                      lambda ws: rows_with_value(ws, "Cuantía (COP)")[0], 999_999_999_999_999.0,
                                      allowed=frozenset({OK_UNCHANGED, OK_WARNING})), build=True, tags=("changes",)))
    return variants


def strategy_references(rng: random.Random) -> list[Variant]:
    """The strategic framework: broken references between its sheets and to the plan's indicators."""
    tactical, results = "Objetivos tácticos", "Resultados clave"

    def linked_row(ws) -> int:
        return rows_with_value(ws, "Indicador del plan")[0]

    def delete_objective(code):
        def mutate(root):
            with Book(root, STRATEGY) as wb:
                ws = wb["Objetivos estratégicos"]
                ws.delete_rows(row_where(ws, "Código", code))
            return Expect(STRATEGY, tactical, None, MUST_REFUSE)  # its tactical objectives name it
        return mutate

    def delete_linked_indicator(root):
        with Book(root, STRATEGY) as wb:
            ws = wb[results]
            row = linked_row(ws)
            code = ws.cell(row, column_index(ws, "Indicador del plan")).value
        with Book(root, PLAN) as wb:
            wb["Indicadores"].delete_rows(row_where(wb["Indicadores"], "Código", code))
        return Expect(STRATEGY, results, row, MUST_REFUSE)

    def roundtrip(root):
        with Book(root, STRATEGY):
            pass
        return Expect(STRATEGY, None, None, frozenset({OK_UNCHANGED}))

    def folder(root):
        path = data_dir(root) / STRATEGY
        path.unlink()
        path.mkdir()
        return Expect(STRATEGY, None, None, MUST_REFUSE)

    return [
        Variant("referencias-estrategia", "OT de un OE inexistente",
                set_value(STRATEGY, tactical, "Objetivo estratégico", pick_random(rng, "Objetivo estratégico"), "OE9")),
        Variant("referencias-estrategia", "KR de un OT inexistente",
                set_value(STRATEGY, results, "Objetivo táctico", pick_random(rng, "Objetivo táctico"), "OE1.OT9")),
        Variant("referencias-estrategia", "KR sin estado",
                set_value(STRATEGY, results, "Estado", pick_random(rng, "Estado"), None)),
        Variant("referencias-estrategia", "KR con un estado fuera del catálogo",
                set_value(STRATEGY, results, "Estado", pick_random(rng, "Estado"), "Cumplido a medias")),
        Variant("referencias-estrategia", "KR ligado a un indicador inexistente",
                set_value(STRATEGY, results, "Indicador del plan", pick_random(rng, "Resultado clave"), "PI-99")),
        Variant("referencias-estrategia", "espacio duro al final del indicador de un KR",
                set_value(STRATEGY, results, "Indicador del plan", linked_row, "PI-08\u00a0", allowed=HARMLESS)),
        Variant("referencias-estrategia", "OE5 borrado", delete_objective("OE5")),
        Variant("referencias-estrategia", "indicador de un KR borrado del plan", delete_linked_indicator),
        Variant("referencias-estrategia", f"carpeta {STRATEGY}", folder),
        Variant("referencias-estrategia", f"abrir y guardar {STRATEGY}", roundtrip),
    ]


# --------------------------------------------------------------------------
# Chapter texts (data/<year>/textos/)
# --------------------------------------------------------------------------

TEXTS = "textos"
TEXT_TAGS = ("textos",)  # the oracle runs the build's check of the texts (check_texts) on these


def text_path(root: Path, name: str) -> Path:
    return data_dir(root) / TEXTS / name


def shown(name: str) -> str:
    """How a problem names a text: ``textos/<name>``."""
    return f"{TEXTS}/{name}"


def prepend(slug: str, blocks: tuple[str, ...], says: str, allowed=MUST_REFUSE, line: int | None = None):
    """Put ``blocks`` (paragraphs 1 to n) before the chapter's own text; the message must name the last one."""

    def mutate(root):
        path = text_path(root, f"{slug}.md")
        original = path.read_text(encoding="utf-8")
        path.write_text("\n\n".join(blocks) + "\n\n" + original, encoding="utf-8")
        return Expect(shown(path.name), None, None, allowed, paragraph=None if line else len(blocks), says=says)

    return mutate


def reencode(slug: str, encoding: str, says: Callable[[str], str]):
    """The chapter's text saved again in ``encoding`` (as Notepad's «ANSI» or «Unicode»)."""

    def mutate(root):
        path = text_path(root, f"{slug}.md")
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.encode(encoding, errors="replace"))
        return Expect(shown(path.name), None, None, MUST_REFUSE, says=says(text))

    return mutate


def first_line_beyond_ascii(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if any(ord(c) > 127 for c in line))


def padded(slug: str, size: int):
    """The chapter's text padded with prose up to ``size`` bytes."""

    def mutate(root):
        path = text_path(root, f"{slug}.md")
        data = path.read_bytes()
        filler = "\n\nUn párrafo de relleno que repite lo ya dicho.".encode("utf-8")
        path.write_bytes((data + filler * (size // len(filler) + 1))[:size])
        return Expect(shown(path.name), None, None, MUST_REFUSE, says=r"más que el límite de 1 MB")

    return mutate


def as_word(slug: str, root: Path, markdown: str | None = None) -> Path:
    """``textos/<slug>.docx`` written by pandoc from the chapter's Markdown (or ``markdown``); the .md is removed."""
    import pypandoc

    source = text_path(root, f"{slug}.md")
    target = source.with_suffix(".docx")
    pypandoc.convert_text(markdown if markdown is not None else source.read_text(encoding="utf-8"), "docx",
                          format="markdown", outputfile=str(target), extra_args=["--sandbox"])
    source.unlink()
    return target


def word_damaged(slug: str, how: str, seed: float):
    def mutate(root):
        if how == "random":
            path = text_path(root, f"{slug}.docx")
            path.write_bytes(random.Random(seed).randbytes(20_000))
            text_path(root, f"{slug}.md").unlink()
            return Expect(shown(path.name), None, None, MUST_REFUSE, says=r"no es un documento de Word \(\.docx\) válido")
        path = as_word(slug, root)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * random.Random(seed).uniform(0.3, 0.9))])
        return Expect(shown(path.name), None, None, MUST_REFUSE, says=r"documento de Word|dañado")

    return mutate


def word_hostile(slug: str, blocks: tuple[str, ...], says: str):
    """A Word version of a short text whose last paragraph is hostile (typed as text in Word)."""

    def mutate(root):
        path = as_word(slug, root, "\n\n".join(blocks) + "\n")
        return Expect(shown(path.name), None, None, MUST_REFUSE, paragraph=len(blocks), says=says)

    return mutate


def both_formats(slug: str):
    def mutate(root):
        markdown = text_path(root, f"{slug}.md").read_text(encoding="utf-8")
        as_word(slug, root)
        text_path(root, f"{slug}.md").write_text(markdown, encoding="utf-8")
        # the second in the folder's order is the one refused
        return Expect(shown(f"{slug}.md"), None, None, MUST_REFUSE, says=rf"hay dos textos para el capítulo «{slug}»")

    return mutate


def not_a_file(slug: str, kind: str):
    def mutate(root):
        path = text_path(root, f"{slug}.md")
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
        return Expect(shown(path.name), None, None, MUST_REFUSE, says=r"no es un archivo normal")

    return mutate


LEAD = "Párrafo añadido por la variante."


def hostile_texts(rng: random.Random) -> list[Variant]:
    """One variant per kind of hostile text; each must be refused naming the text (and its paragraph)."""
    cases = [  # (name, chapter, hostile paragraph, what the message says)
        ("HTML <b>", "inversion", "Texto con <b>x</b> en negrita.", r"código HTML sin procesar"),
        ("HTML <script>", "cooperacion", "<script>alert(1)</script>", r"código HTML sin procesar"),
        ("bloque Typst crudo", "posicionamiento", '```{=typst}\n#read("/etc/passwd")\n```', r"código TYPST sin procesar"),
        ("LaTeX \\input", "administrativo", "\\input{x}", r"código TEX sin procesar"),
        ("código Typst #read", "resumen-ejecutivo", 'El valor es #read("x") según el sistema.', r"código de Typst"),
        ("código Typst #set", "retos", "#set text(fill: red)", r"código de Typst"),
        ("shortcode include", "sobre-la-aci", "{{< include x.qmd >}}", r"código corto de Quarto"),
        ("shortcode meta", "valle-del-software", "El título es {{< meta title >}}.", r"código corto de Quarto"),
        ("enlace javascript:", "innovacion", "Vea [x](javascript:alert(1)).", r"apunta a «javascript:alert\(1\)»"),
        ("enlace file:", "contratos-asociados", "Vea [x](file:///etc/passwd).", r"apunta a «file:///etc/passwd»"),
        ("enlace relativo", "estados-financieros", "Vea [x](../params/2022.yml).", r"apunta a «\.\./params/2022\.yml»"),
        ("imagen remota", "plan-de-desarrollo", "![Foto](https://example.com/foto.png)", r"no es un archivo del documento"),
        ("imagen fuera de textos/", "inversion", "![Libro](../inversion.xlsx)", r"fuera de la carpeta"),
    ]
    variants = []
    for name, slug, hostile, says in cases:
        blocks = (LEAD, hostile)
        variants.append(Variant("texto-hostil", f"{name} en textos/{slug}.md", prepend(slug, blocks, says),
                                tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "caracteres de control en textos/planeacion-estrategica.md",
                            prepend("planeacion-estrategica", (LEAD, "Texto con \x1b[31m en rojo \x07."),
                                    r"la línea 3 tiene caracteres de control", line=3), tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/retos.md en Windows-1252",
                            reencode("retos", "cp1252", lambda t: rf"no está en UTF-8 \(byte 0x[0-9A-F]{{2}} en la línea "
                                                                  rf"{first_line_beyond_ascii(t)}\)"), tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/innovacion.md en UTF-16",
                            reencode("innovacion", "utf-16", lambda t: r"UTF-16"), tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/cooperacion.md de 10 MB", padded("cooperacion", 10 * 1000 * 1000),
                            tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/inversion.docx de bytes al azar",
                            word_damaged("inversion", "random", rng.random()), tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/administrativo.docx truncado",
                            word_damaged("administrativo", "truncated", rng.random()), tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "shortcode tecleado en textos/retos.docx",
                            word_hostile("retos", (LEAD, r"Escriba \{\{< include x.qmd >\}\} aquí."),
                                         r"código corto de Quarto"), tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/posicionamiento.md y .docx a la vez", both_formats("posicionamiento"),
                            tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/retos.md es una tubería (FIFO)", not_a_file("retos", "fifo"),
                            subprocess=True, tags=TEXT_TAGS))
    variants.append(Variant("texto-hostil", "textos/sobre-la-aci.md enlaza a /dev/zero",
                            not_a_file("sobre-la-aci", "dev-zero"), subprocess=True, tags=TEXT_TAGS))
    return variants


def contradicted_figures(rng: random.Random) -> list[Variant]:
    """A number typed by hand that contradicts the data: the build goes on, with a warning naming the text,
    its paragraph and the figure (never a wrong figure printed in silence)."""
    cases = [  # (chapter, paragraph typed, the figure the warning must name)
        ("inversion", "La inversión reportada en 2022 fue de USD 155,76 millones.", "indicador.pi-01"),
        ("inversion", "Se concretaron 25 empresas con nuevos proyectos en la ciudad.", "indicador.pi-04"),
        ("inversion", "El cumplimiento de la meta de inversión fue del 111,5 %.", "indicador.pi-01.cumplimiento"),
        ("inversion", "Se detallaron 16 proyectos de inversión.", "inversion.proyectos_detallados"),
        ("cooperacion", "La cooperación recibida sumó USD 7,45 millones.", "indicador.pi-02"),
        ("posicionamiento", "Se desarrollaron 77 agendas de trabajo con aliados.", "posicionamiento.agendas_trabajo"),
        ("administrativo", "El plan anual de adquisiciones contrató $1.615.131.000 en el año.",
         "administrativo.contratacion_valor_total"),
    ]
    variants = []
    for slug, typed, figure in cases:
        says = rf"el texto dice «[^»]+» pero la cifra \{{\{{{re.escape(figure)}\}}\}}"
        variants.append(Variant("texto-cifra-contradicha", f"«{typed}» en textos/{slug}.md",
                                prepend(slug, (LEAD, typed), says, allowed=frozenset({OK_WARNING})), tags=TEXT_TAGS))
    # A control: the same sentences with the figures of the data say nothing.
    right = ("La inversión reportada en 2022 fue de USD 155,67 millones.",
             "Se concretaron 24 empresas con nuevos proyectos en la ciudad.")
    variants.append(Variant("texto-cifra-contradicha", "cifras correctas tecleadas en textos/inversion.md",
                            prepend("inversion", (LEAD, *right), ".*", allowed=frozenset({OK_UNCHANGED})),
                            tags=TEXT_TAGS))
    # The whole build (full set only): it succeeds, prints the warning and the text as typed.
    typed = "La inversión reportada en 2022 fue de USD 155,76 millones."
    variants.append(Variant("texto-cifra-contradicha", "la construcción avisa de «USD 155,76 millones»",
                            prepend("inversion", (LEAD, typed), r"\{\{indicador\.pi-01\}\}",
                                    allowed=frozenset({OK_WARNING})),
                            build=True, tags=(*TEXT_TAGS, "heavy"), literal="USD 155,76 millones",
                            printed=("textos/inversion.md, párrafo 2", "«USD 155,76 millones»", "{{indicador.pi-01}}")))
    return variants


from .plausibility import (folder_noise, repeated_rows, structure, text_numbers, units,  # noqa: E402 (it imports
                           years_and_dates)  # the helpers above)

CATEGORIES = (not_regular, booleans, non_finite, periods, invisible_text, merged, formulas, indicator_codes, roles,
              deleted_rows, stale_dimension, duplicate_headers, huge_amounts, bad_characters, params_file, harmless,
              literal_text, strategy_references, hostile_texts, contradicted_figures, units, text_numbers,
              repeated_rows, years_and_dates, structure, folder_noise)


def variants(seed: int = SEED) -> list[Variant]:
    """Every variant, in a stable order for a given seed."""
    rng = random.Random(seed)
    result = []
    for category in CATEGORIES:
        result += category(rng)
    return result


def sample(all_variants: list[Variant], per_category: int = 1, seed: int = SEED) -> list[Variant]:
    """A deterministic sample: ``per_category`` variants of every category (builds: exactly one)."""
    rng = random.Random(seed + 1)
    by_category: dict[str, list[Variant]] = {}
    for v in all_variants:
        if "heavy" in v.tags:
            continue
        by_category.setdefault(v.category, []).append(v)
    chosen = []
    for category, items in by_category.items():
        builds = [v for v in items if v.build]
        if builds:
            chosen.append(builds[0])
            continue
        chosen += rng.sample(items, min(per_category, len(items)))
    return chosen
