"""The HTML book in a real browser (Debian chromium + selenium): axe-core finds no violation on any page,
no page scrolls sideways at laptop or phone width, the keyboard reaches the tables, and search works.

In CI (``CI=true``) these tests fail when chromium or axe-core is missing: ``scripts/bootstrap.sh``
installs them. Elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import (axe_violations, chromium, horizontal_overflow, require_browser, serve, set_viewport)
from conftest import SECTIONS_2022, build
from informe.publish.book import find_quarto

WIDTHS = (1366, 390)
# The front page and the first chapters of 2022, through the first ones with wide tables (the strategic objectives,
# the plan's indicators, the investment projects).
FIRST_PAGES = ("index.html", *(f"{name}.html" for name in SECTIONS_2022[:5]))
INVESTMENT = "05-inversion.html"  # its indicators table is wider than a phone
ADMINISTRATION = "12-administrativo.html"  # «Relaciones administrativas»: the PQRS


def _pages(book: Path) -> list[str]:
    pages = sorted(p.relative_to(book).as_posix() for p in book.rglob("*.html")
                   if "pagefind" not in p.parts and "site_libs" not in p.parts)
    assert pages, f"no hay páginas HTML en {book}"
    return pages


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for page, violations in found.items():
        for v in violations:
            lines.append(f"{page}: {v['id']} ({v['impact']}, {len(v['nodes'])} elementos: "
                         f"{', '.join(v['nodes'][:4])}) — {v['help']}")
    return "\n".join(lines)


def _axe_every_page(out: Path, book: str = "book") -> dict[str, list[dict]]:
    found = {}
    with serve(out) as base, chromium() as driver:
        set_viewport(driver, 1366)
        for page in _pages(out / book):
            driver.get(f"{base}/{book}/{page}")
            violations = axe_violations(driver)
            if violations:
                found[page] = violations
    return found


@pytest.fixture(scope="module")
def browser_ready():
    require_browser()


def test_axe_finds_no_violation_on_any_page(browser_ready, built_2022):
    found = _axe_every_page(built_2022)
    assert not found, "axe-core:\n" + _report(found)


@pytest.mark.parametrize("width", WIDTHS)
def test_first_pages_do_not_scroll_sideways(browser_ready, built_2022, width):
    overflow = {}
    with serve(built_2022) as base, chromium() as driver:
        set_viewport(driver, width)
        for page in FIRST_PAGES:
            driver.get(f"{base}/book/{page}")
            extra = horizontal_overflow(driver)
            if extra > 0:
                overflow[page] = extra
    assert not overflow, f"páginas más anchas que {width} px (px de más): {overflow}"


def test_keyboard_reaches_the_skip_link_and_a_wide_table(browser_ready, built_2022):
    from selenium.webdriver.common.keys import Keys

    with serve(built_2022) as base, chromium() as driver:
        set_viewport(driver, 390)
        driver.get(f"{base}/book/{INVESTMENT}")
        body = driver.find_element("tag name", "body")
        body.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        assert active.get_attribute("class") == "skip-link" and active.is_displayed()
        # At phone width the indicators table is wider than the screen: its region scrolls with the keyboard.
        region = driver.find_element("css selector", "main .table-scroll")
        assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", region)
        driver.execute_script("arguments[0].focus()", region)
        region.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
        time.sleep(0.3)
        assert driver.execute_script("return arguments[0].scrollLeft", region) > 0


def test_search_finds_a_chapter(browser_ready, built_2022):
    from selenium.webdriver.support.ui import WebDriverWait

    with serve(built_2022) as base, chromium() as driver:
        set_viewport(driver, 1366)
        driver.get(f"{base}/book/index.html")
        field = driver.find_element("id", "buscar")
        field.send_keys("PQRS")
        field.submit()
        WebDriverWait(driver, 30).until(
            lambda d: d.find_elements("css selector", "#buscar-resultados li a"))
        hrefs = [a.get_attribute("href") for a in driver.find_elements("css selector", "#buscar-resultados li a")]
        assert any(h.endswith(f"/book/{ADMINISTRATION}") for h in hrefs), hrefs
        assert "resultado" in driver.find_element("id", "buscar-estado").text


@pytest.fixture(scope="module")
def built_2022_quarto(tmp_path_factory):
    if find_quarto() is None:
        pytest.skip("Quarto no está instalado: la prueba de accesibilidad de su libro HTML no aplica")
    out = tmp_path_factory.mktemp("quarto") / "2022"
    result = build("--year", "2022", "--out", str(out), "--engine", "quarto")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_quarto_book_passes_axe(built_2022_quarto, browser_ready):
    found = _axe_every_page(built_2022_quarto)
    assert not found, "axe-core (libro de Quarto):\n" + _report(found)


def test_browser_tools_are_required_in_ci(monkeypatch, tmp_path):
    """In CI a missing browser fails the run instead of silently skipping the accessibility tests."""
    import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-chromium"):
        browser.require_browser()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        browser.require_browser()



def test_a_phone_sees_the_year_soon(browser_ready, built_2022):
    """Issue 23: at 390 px the header took ~220 px before any content. The bar (title, search, downloads) now
    leaves the page title within the first 200 px, and the search field keeps its accessible name."""
    with serve(built_2022) as base, chromium() as driver:
        set_viewport(driver, 390)
        driver.get(f"{base}/book/index.html")
        header = driver.execute_script("return document.querySelector('.site-header').getBoundingClientRect().bottom")
        title = driver.execute_script("return document.querySelector('main h1').getBoundingClientRect().top")
        name = driver.execute_script("return document.querySelector('label[for=buscar]').textContent")
    assert header <= 130, header
    assert title <= 200, title
    assert name == "Buscar en el informe"
