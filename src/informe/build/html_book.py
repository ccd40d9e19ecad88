"""The pip-only engine's HTML book: pandoc's ``chunkedhtml`` writer over the staged ``book.md``."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..report.display import DOWNLOADS_DIR
from .book import ASSETS, FIGURES, _pandoc_in


def render_html_book(src: Path, config: dict, html_dir: Path) -> None:
    """One page per chapter in ``html_dir``, with the book's styles, figures and downloads."""
    info = config["informe"]
    title = f"{config['book']['title']} {info['year']}"
    html_args = ["book.md", "-f", "markdown-citations", "-t", "chunkedhtml", "--standalone", "--toc", "--toc-depth=2",
                 "--split-level=1", "--number-sections", "--wrap=none", "--lua-filter",
                 str(src / ASSETS / "format-visibility.lua"),
                 "--template", str(src / ASSETS / "chunkedhtml.html"), "--metadata", "toc-title=Contenido",
                 "--css", "styles.css", "--metadata", f"title={title}", "--metadata", "lang=es",
                 "-o", str(html_dir)]
    banner = config.get("format", {}).get("html", {}).get("include-before-body")
    if banner:
        html_args[-2:-2] = ["--include-before-body", str(src / banner)]
    shutil.rmtree(html_dir, ignore_errors=True)
    _pandoc_in(src, *html_args)
    shutil.copytree(src / FIGURES, html_dir / FIGURES, dirs_exist_ok=True)
    shutil.copytree(src / "notebooks" / DOWNLOADS_DIR, html_dir / DOWNLOADS_DIR, dirs_exist_ok=True)
    shutil.copy2(src / ASSETS / "styles.css", html_dir / "styles.css")
