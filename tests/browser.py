"""Real-browser checks of the HTML book: Debian's chromium driven by selenium, axe-core injected.

``scripts/bootstrap.sh`` installs chromium and chromium-driver (Debian) and axe-core (npm, into
``.venv/node``). Under CI (``CI=true``) a missing browser or axe-core is a failure, not a skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("INFORME_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("INFORME_CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A/AA plus the best practices the accessibility review used (region, landmark-one-main, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]


def require_browser() -> None:
    """Skip (outside CI) or fail (in CI, where bootstrap installs them) when the browser tools are missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.exists()]
    if not missing:
        return
    message = f"faltan {', '.join(missing)}: ejecute scripts/bootstrap.sh como root (instala chromium y axe-core)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def serve(folder: Path):
    """An HTTP server on 127.0.0.1 (a free port) serving ``folder``; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - keep pytest output clean
        pass


@contextmanager
def chromium(width: int = 1366, height: int = 900):
    """A headless Debian chromium with a fresh profile, driven by selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="informe-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(120)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_viewport(driver, width: int, height: int = 900) -> None:
    """Make the layout viewport exactly ``width`` CSS pixels wide (window size includes no chrome headless)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def axe_violations(driver) -> list[dict]:
    """axe-core's violations on the current page: ``[{id, impact, help, nodes: [target, ...]}]``."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));", AXE_TAGS)
    return result


def horizontal_overflow(driver) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing overflows)."""
    return driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
