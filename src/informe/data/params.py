"""The small per-year parameters file ``params/<year>.yml``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml


class ParamsError(ValueError):
    """The parameters file is missing or malformed."""


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


def load_params(path: Path) -> Params:
    """Read and check ``params/<year>.yml``; raise :class:`ParamsError` in Spanish."""
    path = Path(path)
    if not path.exists():
        raise ParamsError(f"falta el archivo de parámetros {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path.name}: YAML inválido: {exc}") from exc
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise ParamsError(f"{path.name}: faltan las claves {', '.join(missing)}")
    cutoff = raw["cutoff"]
    if not isinstance(cutoff, dt.date):
        raise ParamsError(f"{path.name}: «cutoff» debe ser una fecha AAAA-MM-DD")
    if not isinstance(raw["demo"], bool):
        raise ParamsError(f"{path.name}: «demo» debe ser true o false")
    try:
        year = int(raw["year"])
        rate = raw.get("exchange_rate", {}) or {}
        signatories = tuple(Signatory(s["name"], s["role"]) for s in raw.get("signatories", []) or [])
        return Params(
            year=year,
            cutoff=cutoff,
            demo=raw["demo"],
            agency=str(raw["agency"]),
            exchange_rate=float(rate["cop_per_usd"]) if "cop_per_usd" in rate else None,
            exchange_rate_note=str(rate.get("note", "")),
            signatories=signatories,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ParamsError(f"{path.name}: valor inválido ({exc})") from exc
