"""The pip-only engine converts again only the chapters that changed, and renders what converting the
whole book renders (issue 12: an edit re-renders the book incrementally)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, SECTIONS_2022, SECTIONS_2023
from informe.publish.book import MARKDOWN_READER, book_chapters, convert_book, load_book_config, lua_filter_args, \
    pandoc_text, stage_sources
from informe.publish.chapters import ChapterPieces, _convert_together, convert_chapters, self_contained, split_pieces
from informe.data.params import load_params
from informe.publish import chapters as chapters_module

HTML = ["-f", MARKDOWN_READER, "-t", "html5", "--section-divs", "--number-sections", "--wrap=none"]
TYPST = ["-f", MARKDOWN_READER, "-t", "typst"]


def staged(built: Path, year: int, tmp_path: Path) -> Path:
    """The book sources of a built year (its executed notebooks), as the pip-only engine stages them."""
    info = json.loads((built / "build-info.json").read_text(encoding="utf-8"))
    params = load_params(ROOT / "params" / f"{year}.yml")
    return stage_sources(ROOT, built / "notebooks", tmp_path / "src", params, {**info, "engine": "pandoc"},
                         downloads=False)


def args_for(src: Path, base: list[str]) -> list[str]:
    return [*base, *lua_filter_args(src)]


@pytest.mark.parametrize("fixture, year, sections", [("built_2022", 2022, SECTIONS_2022),
                                                      ("built_2023", 2023, SECTIONS_2023)])
def test_each_chapter_alone_converts_to_its_piece_of_the_whole_book(fixture, year, sections, request, tmp_path,
                                                                    monkeypatch):
    """What makes reuse correct: every chapter converted alone (HTML with its chapter number as offset) is
    exactly its piece of the whole book's conversion, for the real report (14 chapters) and the demo year (8)."""
    src = staged(request.getfixturevalue(fixture), year, tmp_path)
    chapters = book_chapters(src, load_book_config(src))
    assert load_book_config(src)["book"]["chapters"] == [
        "index.qmd", *(f"notebooks/{name}.qmd" for name in sections), "firmas.qmd", "colofon.qmd"]
    assert len(chapters) == len(sections) + 3
    for base, to in ((HTML, "html5"), (TYPST, "typst")):
        whole = convert_book(src, chapters, args_for(src, base))
        pieces = split_pieces(whole, to, len(chapters))
        assert pieces is not None and self_contained(chapters, pieces, to)
        numbered, offsets = 0, []
        for chapter, piece in zip(chapters, pieces):
            extra = [f"--number-offset={numbered}"] if to == "html5" else []
            alone = convert_book(src, [chapter], args_for(src, base) + extra)
            assert (alone if to == "html5" else alone.strip("\n")) == piece, chapter.splitlines()[0]
            offsets.append(numbered)
            numbered += to == "html5" and 'data-number="' in piece.split("\n", 1)[0]
        # HTML: the year's chapters; the front page, signatures and colophon unnumbered
        assert numbered == (len(sections) if to == "html5" else 0)
        # several chapters converted again in one pandoc run (numbered fillers stand for the HTML chapters
        # in between): each is still its piece
        args = args_for(src, base)
        convert = lambda text, extra, args=args: pandoc_text(src, text, [*args, *extra])  # noqa: E731
        last = len(chapters) - 1
        for subset in ([1, 5, last], [0, 2, 3, 9], [4], list(range(len(chapters))), [last - 2, last - 1, last]):
            together = _convert_together([chapters[i] for i in subset], [offsets[i] for i in subset], to, convert)
            assert together == [pieces[i] for i in subset], (to, subset)
        # ... and in two pandoc runs side by side (cut where the halves are closest in size), the same pieces
        monkeypatch.setattr(chapters_module, "SPLIT_FROM", 0)
        for subset in ([1, 5, last], [0, 2, 3, 9], list(range(len(chapters)))):
            halves = chapters_module._convert_in_two([chapters[i] for i in subset], [offsets[i] for i in subset], to,
                                                     convert)
            assert halves == [pieces[i] for i in subset], (to, subset)


def test_a_changed_chapter_is_converted_alone_and_the_book_is_the_same(built_2022, tmp_path):
    src = staged(built_2022, 2022, tmp_path)
    chapters = book_chapters(src, load_book_config(src))
    changed = list(chapters)
    positioning = 1 + SECTIONS_2022.index("07-posicionamiento")  # after the front page
    assert chapters[positioning].startswith("# Promoción de ciudad y comunicaciones")
    changed[positioning] = changed[positioning].replace("| [57]{", "| [58]{", 1)  # journalists attended
    assert changed[positioning] != chapters[positioning]
    for base in (HTML, TYPST):
        args = args_for(src, base)
        to = args[args.index("-t") + 1]
        first = ChapterPieces(None)
        assert convert_book(src, changed, args, first) == convert_book(src, changed, args)  # whole book, cut
        first.save(tmp_path / "piezas")
        assert first.reused[to] == 0

        second = ChapterPieces(tmp_path / "piezas")
        assert convert_book(src, chapters, args, second) == convert_book(src, chapters, args)
        assert second.reused[to] == len(chapters) - 1  # all but the changed chapter

        # a damaged file of pieces is no file: the whole book again, the same output
        (tmp_path / "piezas" / f"{to}.json").write_text("{roto", encoding="utf-8")
        damaged = ChapterPieces(tmp_path / "piezas")
        assert convert_book(src, chapters, args, damaged) == convert_book(src, chapters, args)
        assert damaged.reused[to] == 0


def test_pieces_depend_on_the_pandoc_arguments_and_filters(built_2022, tmp_path):
    src = staged(built_2022, 2022, tmp_path)
    chapters = book_chapters(src, load_book_config(src))
    args = args_for(src, TYPST)
    kept = ChapterPieces(None)
    convert_book(src, chapters, args, kept)
    kept.save(tmp_path / "piezas")
    filter_file = src / "book" / "literal-text.lua"
    filter_file.write_text(filter_file.read_text(encoding="utf-8") + "\n-- cambiado\n", encoding="utf-8")
    again = ChapterPieces(tmp_path / "piezas")
    convert_book(src, chapters, args, again)
    assert again.reused["typst"] == 0


SMALL = ["# Uno\n\n## Resumen\n\nTexto uno.\n", "# Dos\n\n## Detalle\n\nTexto dos.\n",
         "# Tres {.unnumbered}\n\nFin.\n"]


def small_src(tmp_path: Path) -> Path:
    src = tmp_path / "small"
    src.mkdir()
    return src


@pytest.mark.parametrize("base", [HTML, TYPST], ids=["html5", "typst"])
def test_anything_that_crosses_chapters_converts_the_whole_book(base, tmp_path):
    """Repeated headings (pandoc renames the second ``resumen`` to ``resumen-1``), footnotes, reference
    links and implicit header references: pieces are not reused, the book is converted whole."""
    src = small_src(tmp_path)
    to = base[base.index("-t") + 1]
    cases = {
        "repeated heading": ["# Uno\n\n## Resumen\n", "# Dos\n\n## Resumen\n\nOtro.\n"],
        "footnote": ["# Uno\n\nTexto[^1].\n\n[^1]: Nota.\n", "# Dos\n\nMás.\n"],
        "reference link": ["# Uno\n\nVer [aquí][ref].\n", "# Dos\n\n[ref]: https://example.org\n"],
        "implicit header reference": ["# Uno\n\nVer [Dos].\n", "# Dos\n\nMás.\n"],
        "implicit header reference, empty label": ["# Uno\n\nVer [Dos][].\n", "# Dos\n\nMás.\n"],
    }
    for name, chapters in cases.items():
        whole = convert_book(src, chapters, base)
        kept = ChapterPieces(None)
        assert convert_book(src, chapters, base, kept) == whole, name
        kept.save(tmp_path / name)
        assert not (tmp_path / name / f"{to}.json").exists(), name  # nothing kept to reuse
    repeated = convert_book(src, cases["repeated heading"], base)
    assert "resumen-1" in repeated


def test_a_chapter_that_changes_numbering_reconverts_what_follows(tmp_path):
    """HTML chapter numbers come from the chapters before: when the first becomes unnumbered, every later
    piece is converted again and the numbers are those of the whole book."""
    src = small_src(tmp_path)
    kept = ChapterPieces(None)
    convert_book(src, SMALL, HTML, kept)
    kept.save(tmp_path / "piezas")
    edited = ["# Uno {.unnumbered}\n\n## Resumen\n\nTexto uno.\n", *SMALL[1:]]
    again = ChapterPieces(tmp_path / "piezas")
    out = convert_book(src, edited, HTML, again)
    assert out == convert_book(src, edited, HTML)
    assert 'class="level1" data-number="1"' in out and "Dos" in out.split('data-number="1"', 1)[1][:200]

    # the same edit, with pieces: only the chapter converted alone, numbers verified
    small_edit = [SMALL[0].replace("Texto uno", "Texto 1"), *SMALL[1:]]
    third = ChapterPieces(tmp_path / "piezas")
    assert convert_book(src, small_edit, HTML, third) == convert_book(src, small_edit, HTML)
    assert third.reused["html5"] == 2


@pytest.mark.parametrize("base", [HTML, TYPST], ids=["html5", "typst"])
def test_the_chapters_to_convert_again_take_one_pandoc_run(base, tmp_path):
    """Two changed chapters that are not neighbours (and the colophon) take one pandoc run, not one each, and
    the book is the whole book's conversion, chapter numbers included."""
    src = small_src(tmp_path)
    to = base[base.index("-t") + 1]
    long_text = "\n\n".join(f"Párrafo {n} sin cambios." for n in range(40))  # most of the book is reused
    book = ["# Uno\n\nA.\n", f"# Dos\n\n{long_text}\n", f"# Tres\n\n{long_text}\n", "# Cuatro\n\nD.\n",
            "# Colofón {.unnumbered}\n\nHoy.\n"]
    runs = []

    def convert(text, extra):
        runs.append(text)
        return pandoc_text(src, text, [*base, *extra])

    kept = ChapterPieces(None)
    convert_chapters(book, to, convert, "sal", kept)
    kept.save(tmp_path / "piezas")
    edited = [book[0].replace("A.", "A2."), book[1], book[2], book[3].replace("D.", "D2."),
              book[4].replace("Hoy", "Mañana")]
    runs.clear()
    again = ChapterPieces(tmp_path / "piezas")
    out = convert_chapters(edited, to, convert, "sal", again)
    assert again.reused[to] == 2
    assert len(runs) == 1 and "Dos" not in runs[0] and "Tres" not in runs[0]
    assert out == convert_chapters(edited, to, convert, "sal")  # the whole book at once
    if to == "html5":
        assert 'data-number="4"' in out.split("Cuatro", 1)[0][-200:]  # its own number after the fillers
        assert "informe-relleno" not in out
