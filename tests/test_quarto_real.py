"""The real Quarto path against the pip-only engine, whenever a `quarto` executable is found.

CI and this machine have no Quarto (``pip install quarto-cli`` cannot download its binary here), so these
tests are skipped there with the reason; the staged-source guards in ``test_quarto_engine.py`` run everywhere.
Run them where Quarto is installed: ``QUARTO=/path/to/quarto pytest tests/test_quarto_real.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, build_env
from informe.publish.book import find_quarto

QUARTO = find_quarto()
pytestmark = pytest.mark.skipif(
    QUARTO is None, reason="Quarto no está instalado (defina QUARTO o agréguelo al PATH): "
                           "no se puede comparar el PDF de Quarto con el del motor pip")

SEED_FIGURES = ("USD 155,67 millones", "USD 7,43 millones", "$5.509.310.977", "$1.615.131.603", "8,06")
CAPTION = re.compile(r"(Tabla|Figura) (\d+\.\d+): ")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _build(out: Path, engine: str) -> Path:
    env = build_env(QUARTO=QUARTO)
    assert env["PATH"].startswith(f"{Path(QUARTO).parent}:")
    result = subprocess.run([sys.executable, "-m", "informe", "build", "--year", "2022", "--out", str(out),
                             "--engine", engine], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def quarto_2022(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("quarto") / "2022", "quarto")


def _pdf_text(out: Path) -> list[str]:
    return [squash(p.extract_text()) for p in PdfReader(out / "informe-gestion-2022.pdf").pages]


def test_quarto_pdf_matches_the_pip_pdf(quarto_2022, built_2022):
    quarto, pip = _pdf_text(quarto_2022), _pdf_text(built_2022)
    assert abs(len(quarto) - len(pip)) <= 2, (len(quarto), len(pip))  # no table lost off the page
    # The same numbered captions («Tabla 3.2: …») in the same order, and the same seed figures.
    assert CAPTION.findall(" ".join(quarto)) == CAPTION.findall(" ".join(pip))
    assert len(CAPTION.findall(" ".join(pip))) >= 40
    for figure in SEED_FIGURES:  # a number and its unit are joined by a no-break space
        assert figure in " ".join(quarto).replace("\u00a0", " ") and figure in " ".join(pip).replace("\u00a0", " "), \
            figure
    assert "Fecha de publicación" not in " ".join(quarto)


def test_quarto_html_book_names_the_cutoff_date(quarto_2022):
    index = (quarto_2022 / "book" / "index.html").read_text(encoding="utf-8")
    assert "Fecha de corte" in index and "Fecha de publicación" not in index


def test_quarto_pdf_is_accessible_like_the_pip_pdf(quarto_2022, built_2022):
    """Issue 23: `pdf-standard: ua-1` in _quarto.yml; every chart's fig-alt reaches Typst's image(alt: …)."""
    from test_pdf_accessibility import structure

    quarto, pip = PdfReader(quarto_2022 / "informe-gestion-2022.pdf"), PdfReader(built_2022 / "informe-gestion-2022.pdf")
    xmp = quarto.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    assert [str(f.get("/Alt")) for f in structure(quarto).get("/Figure", [])] == \
        [str(f.get("/Alt")) for f in structure(pip).get("/Figure", [])]


def test_quarto_html_book_links_the_pdf_and_the_downloads_page(quarto_2022):
    from bs4 import BeautifulSoup

    book = quarto_2022 / "book"
    assert (book / "descargas.html").exists()
    for page in [book / "index.html", *sorted((book / "notebooks").glob("*.html"))]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        hrefs = [a["href"] for a in soup.select("nav.informe-links a")]
        assert len(hrefs) == 2 and all((page.parent / h).resolve().exists() for h in hrefs), page.name
        names = [nav.get("aria-label") for nav in soup.find_all("nav")]
        assert all(names) and len(set(names)) == len(names), (page.name, names)
