"""The pip-only engine's pandoc conversions, chapter by chapter, reusing the chapters that did not change.

pandoc reads the whole book's Markdown twice per build, to HTML and to Typst: about 0.5 s each on two
cores, most of it spent reading pipe tables. A chapter's HTML or Typst depends only on its own Markdown,
on pandoc's version and arguments (and the Lua filters' text) and, for HTML, on its chapter number, as
long as nothing crosses chapters: pandoc makes the identifiers of headings unique over the whole
document (``resumen``, then ``resumen-1``), and a footnote, a reference-style link or an implicit
header reference (``[Título]``) may point into another chapter.

So:

* With nothing to reuse, the whole book is converted at once, as before, and the result is cut into
  one piece per chapter: HTML at each chapter's ``<section … class="level1"``, Typst at a comment line
  (:data:`MARKER`) that the Markdown puts between chapters.
* Pieces are kept, in ``outputs/<year>/.capitulos/`` (:class:`ChapterPieces`), only when the book is
  *self-contained* (:func:`self_contained`): no identifier could have been renamed because of another
  chapter, and no chapter has footnotes, reference-style links or implicit header references.
* The next build converts again only the chapters whose key changed, together in one pandoc run
  (:func:`_convert_together`; HTML with ``--number-offset`` and numbered fillers, so that each keeps its
  number) and reuses the other pieces when the assembled book is still self-contained with consecutive
  chapter numbers. Otherwise it converts the whole book again.

Converting a self-contained chapter alone, or with other chapters of the book, gives exactly its piece
of the whole book (tested on every chapter of 2022 and of the demo year), so a build that reuses chapters
renders what a build from scratch renders (tested: after an edit, the HTML pages and the PDF's text equal a
forced build's).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MARKER = "// informe: capítulo"  # a Typst comment between chapters: where the whole book's Typst is cut
TYPST_SEPARATOR = f"\n\n```{{=typst}}\n{MARKER}\n```\n\n"
PIECES = ".capitulos"  # next to the outputs, with the last build's pieces
_HTML_CHAPTER = re.compile(r'(?m)^(?=<section id="[^"]*" class="level1[ "])')
_TYPST_MARKER = re.compile(rf"\n*^{re.escape(MARKER)}$\n*", re.MULTILINE)
_HTML_IDS = re.compile(r'\sid="([^"]+)"')
_TYPST_LABELS = re.compile(r"(?<!\\)<([\w.:-]+)>")
_DATA_NUMBER = re.compile(r'^<section id="[^"]*" class="level1(?P<unnumbered> unnumbered)?[^"]*"'
                          r'(?: data-number="(?P<number>\d+)")?')
# Markdown that may refer to another chapter: footnotes, reference definitions, and bracketed text that
# is neither an inline link, an image, a span nor escaped (``[Título]`` and ``[Título][]`` link to a
# heading anywhere in the book; ``[texto][ref]`` to a definition anywhere).
_CROSS_CHAPTER = re.compile(r"\[\^|^ {0,3}\[[^\]\n]+\]:|(?<![\\!\]])\[(?:[^\]\\\n]|\\.)*\](?![({])",
                            re.MULTILINE)

Convert = Callable[[str, list[str]], str]  # (Markdown, extra pandoc arguments) -> pandoc's output


class ChapterPieces:
    """Converted chapters: those of the last build (``previous``) to reuse, and those of this build to keep.

    One JSON file per output format (``html5.json``, ``typst.json``), ``{key: text}``; a file that cannot
    be read is no file. Thread-safe: the HTML and the PDF are converted side by side.
    """

    def __init__(self, previous: Path | None):
        self.previous = Path(previous) if previous else None
        self._loaded: dict[str, dict[str, str]] = {}
        self._kept: dict[str, dict[str, str]] = {}
        self.reused: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, to: str, key: str) -> str | None:
        with self._lock:
            if to not in self._loaded:
                self._loaded[to] = _read_pieces(self.previous / f"{to}.json") if self.previous else {}
            return self._loaded[to].get(key)

    def keep(self, to: str, pieces: dict[str, str], reused: int) -> None:
        with self._lock:
            self._kept[to] = dict(pieces)
            self.reused[to] = reused

    def save(self, target: Path) -> None:
        """Write this build's pieces into ``target`` (a build's staging folder, published with it)."""
        target = Path(target)
        for to, pieces in self._kept.items():
            if pieces:
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{to}.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")


def _read_pieces(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def piece_key(salt: str, to: str, offset: int, chapter: str) -> str:
    return hashlib.sha256(json.dumps([salt, to, offset, chapter], ensure_ascii=False).encode()).hexdigest()


def split_pieces(text: str, to: str, count: int) -> list[str] | None:
    """The whole book's output cut into ``count`` chapter pieces (None when it does not cut so)."""
    if to == "typst":
        pieces = [p.strip("\n") for p in _TYPST_MARKER.split(text)]
    else:
        pieces = [p for p in _HTML_CHAPTER.split(text) if p]
        if "".join(pieces) != text:
            return None
    return pieces if len(pieces) == count else None


def join_pieces(pieces: list[str], to: str) -> str:
    if to == "typst":
        return f"\n\n{MARKER}\n\n".join(pieces) + "\n"
    return "".join(pieces)


def _ids(piece: str, to: str) -> set[str]:
    return set((_TYPST_LABELS if to == "typst" else _HTML_IDS).findall(piece))


def self_contained(chapters: list[str], pieces: list[str], to: str) -> bool:
    """Whether each piece is what its chapter converts to alone: no chapter refers to another one, no
    identifier is in two chapters, and no ``x-N`` identifier has its ``x`` in another chapter (pandoc's
    renaming of a repeated identifier)."""
    if any(_CROSS_CHAPTER.search(chapter) for chapter in chapters):
        return False
    owner: dict[str, int] = {}
    ids = [_ids(piece, to) for piece in pieces]
    for i, found in enumerate(ids):
        for ident in found:
            if owner.setdefault(ident, i) != i:
                return False
    for i, found in enumerate(ids):
        for ident in found:
            base = re.sub(r"-\d+$", "", ident)
            if base != ident and owner.get(base, i) != i:
                return False
    return True


def _numbers_consecutive(pieces: list[str]) -> bool:
    """HTML: the numbered chapters are 1, 2, 3… in order (each piece opens with its level-1 section)."""
    expected = 1
    for piece in pieces:
        match = _DATA_NUMBER.match(piece)
        if match is None:
            return False
        if match.group("unnumbered"):
            continue
        if match.group("number") != str(expected):
            return False
        expected += 1
    return True


def _is_numbered(piece: str) -> bool:
    match = _DATA_NUMBER.match(piece)
    return bool(match and not match.group("unnumbered"))


def _unnumbered_markdown(chapter: str) -> bool:
    """Whether the chapter's first heading is unnumbered (``{.unnumbered}`` or ``{-}``); checked afterwards
    against pandoc's own numbering (:func:`_numbers_consecutive`)."""
    heading = next((line for line in chapter.splitlines() if line.startswith("# ")), "")
    match = re.search(r"\{([^}]*)\}\s*$", heading)
    return bool(match and re.search(r"(?:^|\s)(?:\.unnumbered|-)(?:\s|$)", match.group(1)))


def _plan(chapters: list[str], to: str, salt: str,
          piece_of: Callable[[int, str], str | None]) -> list[tuple[str, int, str | None]]:
    """(key, HTML chapter-number offset, piece or None) of each chapter, in order.

    ``piece_of(i, key)`` gives chapter ``i``'s piece when there is one: its numbering sets the offset of
    the chapters after it (HTML only; Typst numbers its headings itself, so its offset stays 0); without
    a piece, the chapter's Markdown says whether it is numbered.
    """
    plan, offset = [], 0
    for i, chapter in enumerate(chapters):
        key = piece_key(salt, to, offset, chapter)
        piece = piece_of(i, key)
        plan.append((key, offset, piece))
        numbered = _is_numbered(piece) if piece is not None else not _unnumbered_markdown(chapter)
        offset += int(to == "html5" and numbered)
    return plan


# Converting chapters one by one costs more per byte than converting the book at once (measured: the
# eleven chapters of 2022 alone take 1.7 times the whole book): beyond this share of the book's
# Markdown to convert again, the whole book is converted.
MAX_SHARE_ALONE = 0.4


def convert_chapters(chapters: list[str], to: str, convert: Convert, salt: str,
                     pieces: ChapterPieces | None = None) -> str:
    """pandoc's ``to`` output (``html5`` or ``typst``) of the book made of ``chapters`` (Markdown).

    ``convert(markdown, extra_args)`` runs pandoc with the book's arguments; ``salt`` names them (pandoc's
    version, the arguments, the Lua filters' text). With ``pieces``, unchanged chapters of the last build
    are reused and this build's are kept (see the module's docstring).
    """
    if pieces is None:
        return _whole(chapters, to, convert)[0]
    html = to == "html5"
    plan = _plan(chapters, to, salt, lambda _i, key: pieces.get(to, key))
    missing = sum(len(chapter) for chapter, (_k, _o, piece) in zip(chapters, plan) if piece is None)
    if missing > MAX_SHARE_ALONE * sum(len(chapter) for chapter in chapters):
        return _whole_and_keep(chapters, to, convert, salt, pieces)
    todo = [i for i, (_k, _o, piece) in enumerate(plan) if piece is None]
    converted = _convert_in_two([chapters[i] for i in todo], [plan[i][1] for i in todo], to, convert)
    if converted is None:
        return _whole_and_keep(chapters, to, convert, salt, pieces)
    done = dict(zip(todo, converted))  # todo: the chapters without a piece
    assembled = [done[i] if piece is None else piece for i, (_k, _o, piece) in enumerate(plan)]
    if not self_contained(chapters, assembled, to) or (html and not _numbers_consecutive(assembled)):
        return _whole_and_keep(chapters, to, convert, salt, pieces)
    reused = sum(1 for _k, _o, piece in plan if piece is not None)
    pieces.keep(to, {key: piece for (key, _o, _p), piece in zip(plan, assembled)}, reused)
    return join_pieces(assembled, to)


FILLER = "informe-relleno"  # the id prefix of the numbered headings that stand for reused chapters


def _convert_together(chapters: list[str], offsets: list[int], to: str, convert: Convert) -> list[str] | None:
    """The pieces of ``chapters`` (the ones to convert again, in book order), from one pandoc run.

    pandoc's start-up and its Lua filters' are paid once, not once per chapter (measured on 2 idle cores:
    the three chapters an edit of posicionamiento.xlsx converts, 0.18 s one by one against 0.12 s
    together, per format). The
    chapters are joined as in the whole book and cut as its output is (Typst at :data:`MARKER`); for HTML
    the first one is numbered from its ``offset`` (``--number-offset``) and, before each next one, one
    numbered filler heading stands for each numbered chapter in between that is reused, so that each keeps
    its own number; the fillers' pieces are dropped. None when the output does not cut so (the caller
    then converts the whole book).
    """
    if not chapters:
        return []
    if to == "typst":
        return split_pieces(convert(TYPST_SEPARATOR.join(chapters) + "\n", []), to, len(chapters))
    parts, fillers, expected = [], 0, offsets[0]
    for chapter, offset in zip(chapters, offsets):
        if offset < expected:
            return None
        for _ in range(offset - expected):
            fillers += 1
            parts.append(f"# {FILLER} {{#{FILLER}-{fillers}}}\n")
        parts.append(chapter)
        expected = offset + (not _unnumbered_markdown(chapter))
    text = convert("\n\n".join(parts) + "\n", [f"--number-offset={offsets[0]}"])
    cut = split_pieces(text, to, len(chapters) + fillers)
    if cut is None:
        return None
    kept = [piece for piece in cut if not piece.startswith(f'<section id="{FILLER}-')]
    return kept if len(kept) == len(chapters) else None


SPLIT_FROM = 30_000  # characters of Markdown to convert again from which two pandoc runs share the work


def _convert_in_two(chapters: list[str], offsets: list[int], to: str, convert: Convert) -> list[str] | None:
    """:func:`_convert_together`, in two pandoc runs side by side when there is enough to convert (the chapters
    cut where the two halves' Markdown is closest in size): pandoc uses one core per run, and a workbook edit
    converts again two or three chapters, one of them as long as the annex (measured on 2 cores: 0,67 s in one
    run)."""
    sizes = [len(chapter) for chapter in chapters]
    if len(chapters) < 2 or sum(sizes) < SPLIT_FROM or (os.cpu_count() or 1) < 2:
        return _convert_together(chapters, offsets, to, convert)
    cut = min(range(1, len(chapters)), key=lambda k: max(sum(sizes[:k]), sum(sizes[k:])))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="informe-pandoc") as pool:
        first = pool.submit(_convert_together, chapters[:cut], offsets[:cut], to, convert)
        second = pool.submit(_convert_together, chapters[cut:], offsets[cut:], to, convert)
        pieces = [first.result(), second.result()]
    return None if pieces[0] is None or pieces[1] is None else [*pieces[0], *pieces[1]]


def _whole(chapters: list[str], to: str, convert: Convert) -> tuple[str, list[str] | None]:
    """The whole book converted at once, and its pieces (None when it does not cut into one per chapter)."""
    if to == "typst":
        text = convert(TYPST_SEPARATOR.join(chapters) + "\n", [])
        pieces = split_pieces(text, to, len(chapters))
        return (join_pieces(pieces, to) if pieces else text), pieces
    text = convert("\n\n".join(chapters) + "\n", [])
    return text, split_pieces(text, to, len(chapters))


def _whole_and_keep(chapters: list[str], to: str, convert: Convert, salt: str, pieces: ChapterPieces) -> str:
    text, cut = _whole(chapters, to, convert)
    if cut is None or not self_contained(chapters, cut, to):
        pieces.keep(to, {}, 0)  # nothing reusable: the next build converts the whole book again
        return text
    keys = [key for key, _offset, _piece in _plan(chapters, to, salt, lambda i, _key: cut[i])]
    pieces.keep(to, dict(zip(keys, cut)), 0)
    return text
