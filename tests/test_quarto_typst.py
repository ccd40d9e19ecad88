"""The shared Typst template with the figures Quarto writes, compiled without Quarto.

Quarto (≥ 1.4) writes a labelled table or chart as a float of its own kind, with an explicit numbering
(quarto-cli ``src/resources/filters/layout/typst.lua``, ``make_typst_figure``)::

    #figure([...], caption: figure.caption(position: top, [Title]), kind: "quarto-float-tbl",
            supplement: "Tabla", numbering: "1", )<tbl-title>

The template must number those per chapter («Tabla 2.1») and let long tables break across pages, as it
does for pandoc's ``kind: table`` figures (issue 13: 41 pages dropped to 34 with no error).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import typst
from matplotlib import get_data_path
from pypdf import PdfReader

from conftest import ROOT

ROWS = 150  # several pages of rows: the table must break, never run off the page


def quarto_float(kind: str, supplement: str, label: str, caption: str, body: str) -> str:
    return (f'#figure([\n{body}\n], caption: figure.caption(position: top, [\n{caption}\n]), '
            f'kind: "{kind}", supplement: "{supplement}", numbering: "1", )\n<{label}>\n')


def long_table() -> str:
    rows = "\n".join(f"  [Fila {i:03d}], [{i * 1000}]," for i in range(1, ROWS + 1))
    return f"#table(\n  columns: 2,\n  table.header([Concepto], [Valor],),\n{rows}\n)"


def test_quarto_floats_are_numbered_per_chapter_and_break_across_pages(tmp_path):
    shutil.copytree(ROOT / "book", tmp_path / "book")
    body = "\n".join([
        "#heading(level: 1, numbering: none)[Presentación]",
        "Texto.",
        "= Resumen",
        quarto_float("quarto-float-tbl", "Tabla", "tbl-cifras", "Cifras principales", "#table(columns: 1, [a])"),
        "= Estados financieros",
        quarto_float("quarto-float-fig", "Figura", "fig-activo", "Activo", "#rect(width: 2cm, height: 1cm)"),
        quarto_float("quarto-float-tbl", "Tabla", "tbl-situacion", "Estado de situación financiera", long_table()),
        quarto_float("quarto-float-tbl", "Tabla", "tbl-resultados", "Estado de resultados", "#table(columns: 1, [b])"),
        "#heading(level: 1, numbering: none)[Colofón]",
        quarto_float("quarto-float-tbl", "Tabla", "tbl-huella", "Huella", "#table(columns: 1, [c])"),
    ])
    # As Quarto assembles it: the template partial, then typst-show.typ's `#show: doc => informe(...)`.
    show = (ROOT / "book" / "typst-show.typ").read_text(encoding="utf-8")
    show = re.sub(r"\$if\([^)]*\)\$(.*?)\$endif\$", r"\1", show)
    show = show.replace("$title$", "Informe de Gestión").replace("$informe.year$", "2022") \
        .replace("$informe.cutoff$", "31 de diciembre de 2022").replace("$informe.agency$", "ACI Medellín") \
        .replace("$informe.demo$", "false")
    main = (ROOT / "book" / "typst-template.typ").read_text(encoding="utf-8") + "\n" + show + "\n" + body
    (tmp_path / "main.typ").write_text(main, encoding="utf-8")
    pdf = tmp_path / "main.pdf"
    typst.compile(str(tmp_path / "main.typ"), output=str(pdf), root=str(tmp_path),
                  font_paths=[str(Path(get_data_path()) / "fonts" / "ttf")])
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(pdf).pages]
    text = " ".join(pages)
    assert "Tabla 1.1: Cifras principales" in text
    assert "Figura 2.1: Activo" in text
    assert "Tabla 2.1: Estado de situación financiera" in text  # numbered per chapter and per kind
    assert "Tabla 2.2: Estado de resultados" in text
    assert re.search(r"Tabla \d", text.split("Colofón")[-1]) is None  # unnumbered chapter: caption only
    assert "Huella" in text.split("Colofón")[-1]
    # Every row printed, on more than one page.
    rows = re.findall(r"Fila (\d{3})", text)
    assert sorted(set(int(r) for r in rows)) == list(range(1, ROWS + 1))
    assert len([p for p in pages if "Fila " in p]) >= 2


def test_a_caption_is_never_left_at_the_foot_of_a_page_without_its_table(tmp_path):
    """Issue 23: a table's caption stays with its first rows, whatever the space left on the page, and the
    long table still breaks across pages; for pandoc's and Quarto's figures of tables alike."""
    shutil.copytree(ROOT / "book", tmp_path / "book")
    rows = "\n".join(f"  [Fila {i:03d}], [{i}]," for i in range(1, 80))
    table = f"#table(columns: 2, table.header([Concepto], [Valor],),\n{rows}\n)"
    floats = {"pandoc": f"#figure(align(center)[{table}], caption: [Tabla larga], kind: table)\n<tbl-larga>\n",
              "quarto": quarto_float("quarto-float-tbl", "Tabla", "tbl-larga", "Tabla larga", table)}
    fonts = [str(Path(get_data_path()) / "fonts" / "ttf")]
    orphans, broken = [], 0
    for engine, figure in floats.items():
        # Filler of growing height: the caption falls at every position near the foot of the first page.
        for tenths in range(198, 240, 3):
            main = ('#import "book/typst-template.typ": informe\n'
                    '#show: informe.with(year: "2022", cutoff: "31 de diciembre de 2022")\n'
                    f"= Capítulo\n#block(height: {tenths / 10}cm, width: 100%)[Texto]\n{figure}")
            (tmp_path / "main.typ").write_text(main, encoding="utf-8")
            typst.compile(str(tmp_path / "main.typ"), output=str(tmp_path / "main.pdf"), root=str(tmp_path),
                          font_paths=fonts, pdf_standards=["ua-1"])
            pages = [p.extract_text() for p in PdfReader(tmp_path / "main.pdf").pages]
            caption = [i for i, p in enumerate(pages) if "Tabla larga" in p]
            if len(caption) != 1 or "Fila 001" not in pages[caption[0]]:
                orphans.append((engine, tenths / 10))
            broken += len([p for p in pages if "Fila " in p]) >= 2
    assert not orphans, f"caption left without its table (engine, filler cm): {orphans}"
    assert broken == 2 * len(range(198, 240, 3))  # the long table always breaks across pages
