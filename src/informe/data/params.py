"""The small per-year parameters file ``params/<year>.yml``, checked against a pydantic schema.

Types are strict (``year: true`` is not a year, ``agency: null`` is not a name, ``.nan`` is not an
exchange rate) and every problem is reported in Spanish naming the file and the key, e.g.
«params/2022.yml, clave «exchange_rate.cop_per_usd»: debe ser un número positivo y finito».
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError, field_validator

MIN_YEAR, MAX_YEAR = 2000, 2100


class ParamsError(ValueError):
    """The parameters file is missing or malformed; ``problems`` holds (key, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None, file: str = ""):
        super().__init__(message)
        self.problems = problems or [("", message)]
        self.file = file


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book, as ``params/<year>.yml`` declares it (key ``chapters``).

    ``notebook``: the section notebook that computes its tables (``notebooks/<notebook>.ipynb``); empty
    for a chapter that is only text (the generic narrative notebook runs it). ``figures``: the
    namespaces of the figures its text is compared with (default: its slug; ``*``: every figure).
    ``text``: whether the chapter expects a text in ``data/<year>/textos/`` (a data chapter may have
    none; a text-only chapter must have one). ``fronts``: the values of the plan's «Frente» catalog
    (``plan_desarrollo.xlsx``, hoja «Catálogos») whose indicators the chapter's tables show, in the order its
    notebook uses them (see ``capitulos.yml``).
    """

    slug: str
    title: str
    notebook: str = ""
    figures: tuple[str, ...] = ()
    numbered: bool = True
    fronts: tuple[str, ...] = ()

    @property
    def text_only(self) -> bool:
        return not self.notebook

    @property
    def namespaces(self) -> tuple[str, ...]:
        return self.figures or (self.slug,)


@dataclass(frozen=True)
class Params:
    year: int
    cutoff: dt.date
    demo: bool
    agency: str
    exchange_rate: float | None = None
    exchange_rate_note: str = ""
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)
    chapters: tuple[Chapter, ...] = field(default_factory=tuple)

    def chapter(self, slug: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.slug == slug:
                return chapter
        raise KeyError(f"el capítulo «{slug}» no está declarado en params/{self.year}.yml (clave chapters)")


REQUIRED = ("year", "cutoff", "demo", "agency")

# What each key must be, as the analyst is told when it is not.
EXPECTED = {
    "year": "debe ser el año del informe, un número entero (p. ej. 2022)",
    "cutoff": "debe ser una fecha posible AAAA-MM-DD dentro del año del informe (p. ej. 2022-12-31)",
    "demo": "debe ser true o false",
    "agency": "debe ser el nombre de la entidad, un texto no vacío",
    "nit": "debe ser un texto",
    "exchange_rate": "debe ser un bloque con cop_per_usd (número) y note (texto)",
    "exchange_rate.cop_per_usd": "debe ser un número positivo y finito (pesos por dólar)",
    "exchange_rate.note": "debe ser un texto",
    "signatories": "debe ser una lista de firmantes, cada uno con name y role",
    "signatories.name": "debe ser el nombre del firmante, un texto no vacío",
    "signatories.role": "debe ser el cargo del firmante, un texto no vacío",
    "chapters": "debe ser la lista de capítulos del libro, cada uno con slug y title (y notebook si tiene tablas)",
    "chapters.slug": "debe ser el nombre corto del capítulo: minúsculas, números y guiones (p. ej. valle-del-software)",
    "chapters.title": "debe ser el título del capítulo, un texto no vacío",
    "chapters.notebook": "debe ser el nombre de un cuaderno de notebooks/ sin .ipynb (p. ej. 03-inversion)",
    "chapters.figures": "debe ser una lista de prefijos de cifras (p. ej. [inversion, indicador]) o [\"*\"]",
    "chapters.numbered": "debe ser true o false",
    "chapters.fronts": "debe ser una lista de frentes del catálogo «Frente» de plan_desarrollo.xlsx "
                       "(p. ej. [Inversión])",
}

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NOTEBOOK = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DEFAULT_CHAPTERS = Path(__file__).with_name("capitulos.yml")  # the chapters of a year that declares none


def _non_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("vacío")
    return value


class _Rate(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    cop_per_usd: float | None = None
    note: StrictStr = ""

    @field_validator("cop_per_usd")
    @classmethod
    def _positive(cls, value):
        if value is not None and (isinstance(value, bool) or not math.isfinite(value) or value <= 0):
            raise ValueError("no positivo")
        return value


class _Signatory(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    name: StrictStr
    role: StrictStr
    _blank = field_validator("name", "role")(classmethod(lambda cls, v: _non_blank(v)))


class _Chapter(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    slug: StrictStr
    title: StrictStr
    notebook: StrictStr = ""
    figures: list[StrictStr] = []
    numbered: StrictBool = True
    fronts: list[StrictStr] = []

    _title = field_validator("title")(classmethod(lambda cls, v: _non_blank(v)))

    @field_validator("slug")
    @classmethod
    def _slug(cls, value):
        if not SLUG.match(value):
            raise ValueError("slug")
        return value

    @field_validator("fronts")
    @classmethod
    def _fronts(cls, value):
        return [_non_blank(v) for v in value]

    @field_validator("notebook")
    @classmethod
    def _notebook(cls, value):
        if value and not NOTEBOOK.match(value):
            raise ValueError("notebook")
        return value


class _ParamsFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")
    year: StrictInt
    cutoff: StrictStr  # kept as text by the loader; parsed below so that 2022-02-30 is a message, not a crash
    demo: StrictBool
    agency: StrictStr
    nit: StrictStr | None = None
    exchange_rate: _Rate | None = None
    signatories: list[_Signatory] = []
    chapters: list[_Chapter] | None = None

    _agency = field_validator("agency")(classmethod(lambda cls, v: _non_blank(v)))

    @field_validator("year")
    @classmethod
    def _plausible_year(cls, value):
        if not MIN_YEAR <= value <= MAX_YEAR:
            raise ValueError("fuera de rango")
        return value


class _TextDates(yaml.SafeLoader):
    """A safe loader that leaves dates as text (PyYAML crashes on an impossible date such as 2022-02-30)."""


_TextDates.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _display(path: Path) -> str:
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _key(loc: tuple) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    return ".".join(parts)


def _fail(name: str, problems: list[tuple[str, str]]):
    text = "; ".join(f"{name}, clave «{k}»: {m}" if k else f"{name}: {m}" for k, m in problems)
    raise ParamsError(text, problems, name)


def _expected_year(path: Path, expected_year: int | None) -> int | None:
    if expected_year is not None:
        return expected_year
    return int(path.stem) if path.stem.isdigit() and len(path.stem) == 4 else None


def load_params(path: Path, expected_year: int | None = None) -> Params:
    """Read and check ``params/<year>.yml``; raise :class:`ParamsError` in Spanish naming file and key.

    ``expected_year`` (default: the file name's year, ``2022.yml`` → 2022) must equal ``year``.
    """
    path = Path(path)
    name = _display(path)
    if not path.exists():
        raise ParamsError(f"falta el archivo de parámetros {path}", file=name)
    if not path.is_file():
        _fail(name, [("", "no es un archivo normal; debe ser un archivo YAML")])
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDates)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        _fail(name, [("", f"YAML inválido: {exc}")])
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        _fail(name, [("", f"no se pudo leer: {exc}")])
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        _fail(name, [("", "debe ser un conjunto de claves (year, cutoff, demo, agency...)")])
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        _fail(name, [("", f"faltan las claves {', '.join(missing)}")])
    problems: list[tuple[str, str]] = []
    try:
        model = _ParamsFile.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            key = _key(err["loc"])
            generic = (key.split(".")[0] + "." + key.split(".")[-1]
                       if key.startswith(("signatories.", "chapters.")) else key)
            message = EXPECTED.get(generic, EXPECTED.get(key.split(".")[0], "valor no válido"))
            shown = err.get("input")
            if not isinstance(shown, (dict, list)):
                message += f" (se encontró «{shown}»)"
            if (key, message) not in problems:
                problems.append((key, message))
        _fail(name, problems)
    try:
        cutoff = dt.date.fromisoformat(model.cutoff.strip())
    except ValueError:
        cutoff = None
        problems.append(("cutoff", EXPECTED["cutoff"]
                         + f" (se encontró «{model.cutoff}», que no es una fecha posible)"))
    if cutoff is not None and cutoff.year != model.year:
        problems.append(("cutoff",
                         f"la fecha de corte {cutoff.isoformat()} no está en el año del informe ({model.year})"))
    wanted = _expected_year(path, expected_year)
    if wanted is not None and model.year != wanted:
        problems.append(("year", f"dice {model.year} pero el archivo es del año {wanted}; "
                                 "corrija «year» o el nombre del archivo"))
    chapters = (tuple(_chapter(c) for c in model.chapters) if model.chapters is not None
                else default_chapters())
    problems += chapter_problems(chapters)
    if problems:
        _fail(name, problems)
    assert cutoff is not None, "a cutoff that is not a date is a problem, and problems raise just above"
    rate = model.exchange_rate or _Rate()
    return Params(
        year=model.year,
        cutoff=cutoff,
        demo=model.demo,
        agency=model.agency,
        exchange_rate=float(rate.cop_per_usd) if rate.cop_per_usd is not None else None,
        exchange_rate_note=rate.note,
        signatories=tuple(Signatory(s.name, s.role) for s in model.signatories),
        chapters=chapters,
    )


def _chapter(c: _Chapter) -> Chapter:
    return Chapter(c.slug, c.title.strip(), c.notebook, tuple(f.strip() for f in c.figures), c.numbered,
                   tuple(c.fronts))


def default_chapters() -> tuple[Chapter, ...]:
    """The chapters of a year whose parameters declare none (``capitulos.yml``, next to this module)."""
    raw = yaml.safe_load(DEFAULT_CHAPTERS.read_text(encoding="utf-8"))
    return tuple(_chapter(_Chapter.model_validate(c)) for c in raw["chapters"])


def chapter_problems(chapters: tuple[Chapter, ...]) -> list[tuple[str, str]]:
    """A repeated slug or notebook, or a book without chapters."""
    problems = []
    if not chapters:
        problems.append(("chapters", "la lista de capítulos está vacía: declare al menos un capítulo"))
    seen: dict[str, int] = {}
    for i, chapter in enumerate(chapters, start=1):
        if chapter.slug in seen:
            problems.append(("chapters.slug", f"el capítulo {i} repite el slug «{chapter.slug}» del capítulo "
                                              f"{seen[chapter.slug]}; cada capítulo necesita uno distinto"))
        seen.setdefault(chapter.slug, i)
    return problems


def front_problems(chapters: tuple[Chapter, ...], catalog: list[str] | tuple[str, ...] | set[str] | None,
                   catalog_name: str = "plan_desarrollo.xlsx, hoja «Catálogos», columna «Frente»"
                   ) -> list[tuple[str, str]]:
    """A front a chapter declares (key ``chapters.fronts``) that the plan's «Frente» catalog does not hold:
    ``(key, message)`` pairs as :class:`ParamsError` gives them (the caller names the file). A renamed front
    would otherwise leave the chapter's indicator tables empty without a word. ``catalog`` None: the plan
    workbook could not be read (its own error is reported), nothing to compare with."""
    if catalog is None:
        return []
    known = {str(v).strip() for v in catalog}
    listed = ", ".join(f"«{v}»" for v in dict.fromkeys(str(v).strip() for v in catalog)) or "ninguno"
    problems = []
    for i, chapter in enumerate(chapters, start=1):
        for front in chapter.fronts:
            if front.strip() not in known:
                problems.append(("chapters.fronts", f"el capítulo {i} («{chapter.slug}») declara el frente «{front}», "
                                                    f"que no está en {catalog_name}; frentes del catálogo: {listed}. "
                                                    "Corrija el nombre del frente o agréguelo al catálogo"))
    return problems


def catalog_fronts(frames) -> list[str] | None:
    """The «Frente» catalog of ``plan_desarrollo.xlsx`` (sheet «Catálogos») from validated ``frames``; None when
    the sheet or the column is missing (its own problem is reported by the validation)."""
    sheet = frames.get(("plan_desarrollo.xlsx", "Catálogos")) if frames is not None else None
    if sheet is None or "Frente" not in sheet:
        return None
    return [str(v).strip() for v in sheet["Frente"].dropna()]
