"""The small per-year parameters file ``params/<year>.yml``, checked against a pydantic schema.

Types are strict (``year: true`` is not a year, ``agency: null`` is not a name, ``.nan`` is not an
exchange rate) and every problem is reported in Spanish naming the file and the key, e.g.
«params/2022.yml, clave «exchange_rate.cop_per_usd»: debe ser un número positivo y finito».
"""

from __future__ import annotations

import datetime as dt
import math
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
class Params:
    year: int
    cutoff: dt.date
    demo: bool
    agency: str
    exchange_rate: float | None = None
    exchange_rate_note: str = ""
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)


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
}


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


class _ParamsFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")
    year: StrictInt
    cutoff: StrictStr  # kept as text by the loader; parsed below so that 2022-02-30 is a message, not a crash
    demo: StrictBool
    agency: StrictStr
    nit: StrictStr | None = None
    exchange_rate: _Rate | None = None
    signatories: list[_Signatory] = []

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
            generic = key.split(".")[0] + "." + key.split(".")[-1] if key.startswith("signatories.") else key
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
        problems.append(("cutoff", EXPECTED["cutoff"] + f" (se encontró «{model.cutoff}», que no es una fecha posible)"))
    if cutoff is not None and cutoff.year != model.year:
        problems.append(("cutoff", f"la fecha de corte {cutoff.isoformat()} no está en el año del informe ({model.year})"))
    wanted = _expected_year(path, expected_year)
    if wanted is not None and model.year != wanted:
        problems.append(("year", f"dice {model.year} pero el archivo es del año {wanted}; corrija «year» o el nombre del archivo"))
    if problems:
        _fail(name, problems)
    rate = model.exchange_rate or _Rate()
    return Params(
        year=model.year,
        cutoff=cutoff,
        demo=model.demo,
        agency=model.agency,
        exchange_rate=float(rate.cop_per_usd) if rate.cop_per_usd is not None else None,
        exchange_rate_note=rate.note,
        signatories=tuple(Signatory(s.name, s.role) for s in model.signatories),
    )
