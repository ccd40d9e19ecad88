"""Defences against hostile or damaged inputs, before and while a workbook is parsed.

* :func:`check_input_file`: only regular files (a symlink only when it resolves to one), under a size cap.
* :func:`check_zip_members`: a zip-bomb guard on the declared uncompressed sizes, before openpyxl parses.
* :func:`sheet_xml_facts`: what read-only openpyxl hides: merged ranges and formulas saved without a
  computed value, read from the sheet XML itself.
* :func:`clean_text` / :func:`bad_characters`: invisible characters at the edges of text count as
  nothing; control characters and Unicode non-characters are reported.
* :func:`confusable_key`: the key under which codes that differ only by case, spacing or look-alike
  letters collide (``AB-12``, ``ab-12``, ``АB-12`` with a Cyrillic А, ``AB-I2``).

Every limit is a module constant so that messages can quote it.
"""

from __future__ import annotations

import errno
import math
import os
import posixpath
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024  # size of one .xlsx on disk
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024  # sum of the declared sizes of every member of the zip
MAX_COMPRESSION_RATIO = 200  # uncompressed / compressed, per member that also expands beyond ...
MAX_RATIO_MEMBER_BYTES = 50 * 1024 * 1024  # ... this, in a workbook (a sheet of long repeated text compresses 400×)
RATIO_MEMBER_BYTES = 1024 * 1024  # ... this, by default (Word documents: text and images, nothing that repetitive)
MAX_ZIP_MEMBERS = 10_000


class UnsafeInput(Exception):
    """The file cannot be read safely; ``message`` is in Spanish and names no path (the caller does)."""


class UnsafeXml(UnsafeInput):
    """One sheet's XML is not well formed."""

    def __init__(self, sheet: str, message: str):
        super().__init__(message)
        self.sheet = sheet


SYMLINK_LOOP = "es un enlace simbólico que se apunta a sí mismo (bucle); reemplácelo por la carpeta o el archivo real"
PERMISSION_DENIED = "no se puede leer: permiso denegado; dé permiso de lectura al archivo (o cópielo de nuevo)"
DAMAGED_ZIP = ("el archivo está dañado (una parte interna no se puede descomprimir); "
               "ábralo en Excel y guárdelo de nuevo")


def is_symlink_loop(path: Path) -> bool:
    """Whether ``path`` (or a link on the way to it) is a symbolic link that leads back to itself."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    except (ValueError, RuntimeError):
        return False
    return False


def folder_problem(path: Path, what: str = "la carpeta") -> str | None:
    """One Spanish line naming ``path`` when it cannot be used as a folder because of a symlink loop, else None."""
    if is_symlink_loop(path):
        return f"{what} {path} {SYMLINK_LOOP}"
    return None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def check_input_file(path: Path, max_bytes: int = MAX_WORKBOOK_BYTES) -> os.stat_result:
    """Stat ``path`` following symlinks; raise :class:`UnsafeInput` unless it is a regular file under the cap.

    Never opens the file: a FIFO would block and a device such as ``/dev/zero`` never ends.
    """
    try:
        info = os.stat(path)  # follows symlinks: a link is judged by what it points to
    except FileNotFoundError:
        if os.path.islink(path):
            raise UnsafeInput("es un enlace simbólico roto (apunta a un archivo que no existe)") from None
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeInput(SYMLINK_LOOP) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise UnsafeInput(PERMISSION_DENIED) from None
        raise UnsafeInput(f"no se puede leer ({exc.strerror or exc})") from exc
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise UnsafeInput("es una carpeta, no un libro de Excel; ponga en su lugar el archivo .xlsx")
    if not stat.S_ISREG(mode):
        kind = ("una tubería (FIFO)" if stat.S_ISFIFO(mode)
                else "un dispositivo" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "un socket" if stat.S_ISSOCK(mode) else "un archivo especial")
        via = " (a través de un enlace simbólico)" if os.path.islink(path) else ""
        raise UnsafeInput(f"no es un archivo normal sino {kind}{via}; solo se leen archivos .xlsx normales")
    if info.st_size > max_bytes:
        raise UnsafeInput(f"pesa {_mb(info.st_size)}, más que el límite de {_mb(max_bytes)} por libro; "
                          "quite hojas, imágenes o filas que el informe no usa")
    return info


def check_zip_members(zf: zipfile.ZipFile, max_total: int = MAX_UNCOMPRESSED_BYTES,
                      max_ratio: float = MAX_COMPRESSION_RATIO, ratio_above: int = RATIO_MEMBER_BYTES) -> None:
    """Refuse archives whose declared contents would expand beyond the limits (zip bombs).

    A high compression ratio alone is not a bomb: a sheet of long repeated text (the same project
    description on every row) legitimately compresses several hundred times. A member is refused for its
    ratio only when it would also expand beyond ``ratio_above`` (workbooks: :data:`MAX_RATIO_MEMBER_BYTES`);
    the total stays capped at ``max_total``.
    """
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UnsafeInput(f"el archivo tiene {len(infos)} partes internas (límite {MAX_ZIP_MEMBERS}); "
                          "no parece un libro de Excel")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ratio_above and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UnsafeInput(f"la parte interna {info.filename} se expande "
                              f"{info.file_size / max(info.compress_size, 1):.0f} veces hasta {_mb(info.file_size)} "
                              f"(límite {max_ratio} veces por encima de "
                              f"{_mb(ratio_above)}); el archivo parece dañado o malicioso (bomba zip)")
    if total > max_total:
        raise UnsafeInput(f"descomprimido ocuparía {_mb(total)}, más que el límite de {_mb(max_total)}; "
                          "el archivo parece dañado o malicioso (bomba zip)")


# --------------------------------------------------------------------------
# What the sheet XML says that read-only openpyxl does not
# --------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetFacts:
    """Merged ranges (``A2:C2``) and cells holding a formula without a cached value (``E7``)."""

    merged: list[str] = field(default_factory=list)
    formulas_without_value: list[str] = field(default_factory=list)
    bad_numbers: list[tuple[str, str]] = field(default_factory=list)  # (cell, stored text) of unreadable numbers


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the zip."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        paths[sheet.get("name", "")] = path
    return paths


def _facts(stream) -> SheetFacts:
    facts = SheetFacts()
    for _event, elem in ET.iterparse(stream, events=("end",)):
        tag = elem.tag
        if tag == f"{_MAIN}c":
            formula = elem.find(f"{_MAIN}f")
            value = elem.find(f"{_MAIN}v")
            if formula is not None and (value is None or value.text is None or value.text == ""):
                facts.formulas_without_value.append(elem.get("r", "?"))
            elif value is not None and value.text and elem.get("t", "n") == "n" and not _finite_number(value.text):
                facts.bad_numbers.append((elem.get("r", "?"), value.text))
            elem.clear()
        elif tag == f"{_MAIN}row":
            elem.clear()
        elif tag == f"{_MAIN}mergeCell":
            facts.merged.append(elem.get("ref", ""))
    return facts


def _finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def sheet_xml_facts(zf: zipfile.ZipFile, sheets: list[str]) -> dict[str, SheetFacts]:
    """Facts for the named sheets (those missing from the archive are skipped)."""
    paths = _sheet_paths(zf)
    result = {}
    names = set(zf.namelist())
    for sheet in sheets:
        path = paths.get(sheet)
        if path is None or path not in names:
            continue
        try:
            with zf.open(path) as stream:
                result[sheet] = _facts(stream)
        except ET.ParseError as exc:
            raise UnsafeXml(sheet, f"la hoja «{sheet}» tiene XML mal formado ({exc}); ábrala y guárdela de nuevo "
                                   "en Excel, o quite el carácter no permitido") from None
    return result


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------

def _invisible(ch: str) -> bool:
    """Characters that show nothing: spaces of any kind (Zs), format characters (Cf: ZWSP, BOM,
    soft hyphen, bidi marks...), line and paragraph separators, and ordinary whitespace."""
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cf") or ch in "\u200b\ufeff\u2060"


def clean_text(text: str) -> str | None:
    """``text`` without invisible characters at its edges; None when nothing visible is left."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end] or None


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Decode the ``_xHHHH_`` escapes of OOXML text (Excel shows ``_x0041_`` as «A»).

    openpyxl decodes them in shared strings but not in inline strings; decoding both the same way
    means the report reads what Excel shows, and a hidden control character is seen and reported.
    """
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def bad_characters(text: str) -> list[str]:
    """Descriptions (``U+FFFF``) of the characters that must not appear in data text: control characters
    other than tab and line breaks, surrogates, private-use and Unicode non-characters."""
    found = []
    for ch in text:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if ch in "\t\n\r":
            continue
        if cat in ("Cc", "Cs", "Co") or _is_noncharacter(cp):
            code = f"U+{cp:04X}"
            if code not in found:
                found.append(code)
    return found


# Look-alike letters and digits, mapped to the Latin letter or digit they imitate.
_CONFUSABLES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin look-alikes and digits that pass for letters
    "Ɩ": "I", "ǀ": "I", "Ӏ": "I", "0": "O", "1": "I", "5": "S", "8": "B",
}
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d_]")


def confusable_key(text: str) -> str:
    """A key equal for codes a reader cannot tell apart.

    Case, Unicode compatibility forms (full-width letters), invisible characters and spaces, dash
    variants and look-alike letters (Cyrillic/Greek capitals, ``O``/``0``, ``I``/``l``/``1``) all
    collapse, so ``AB-10``, ``ab-10``, ``AB–10``, ``AB-1O`` and ``АB-10`` (Cyrillic А) share one key.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not _invisible(ch))
    text = _DASHES.sub("-", text).replace("l", "I").upper()  # a lower-case l passes for a capital I
    return "".join(_CONFUSABLES.get(ch, ch) for ch in text)
