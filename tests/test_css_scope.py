"""Guards on book/styles.css, shared by Quarto's HTML book and the pip-only one (issue 13, items 3–5).

* A rule for the pip-only layout cannot leak into Quarto's layout: every selector either starts with
  ``.informe-pip`` (the class of the pip-only template's <body>) or styles the report's content through
  the content element of both engines (``#quarto-document-content`` / ``#contenido``).
* Table headers beat Quarto's Bootstrap table rules (an id in the selector).
* Nothing un-bolds the «Total» rows, which are bold Markdown (<strong>) in both engines.
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from informe.publish.book import load_book_config, stage_sources
from informe.publish.html_book import PIP_BODY_CLASS, TEMPLATE
from informe.data.params import load_params

CSS = ROOT / "book" / "styles.css"
CONTENT = ":is(#contenido, #quarto-document-content)"
PIP = f".{PIP_BODY_CLASS}"
# Selectors that are neither: the custom properties, the demo banner (same markup in both engines), and
# print rules that hide Quarto's own navigation.
SHARED_OK = {":root", ".demo-banner", "body", "#quarto-sidebar", "#quarto-header", "#quarto-margin-sidebar",
             ".nav-page", "figure", "img"}


def css_rules(text: str) -> list[tuple[str, str, str]]:
    """``(media, selector list, declarations)`` of every style rule, ``@media`` blocks included."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules, stack, start = [], [], 0
    for i, char in enumerate(text):
        if char == "{":
            stack.append(text[start:i].strip())
            start = i + 1
        elif char == "}":
            head = stack.pop()
            body = text[start:i].strip()
            if not head.startswith("@"):
                media = next((h for h in reversed(stack) if h.startswith("@media")), "")
                rules.append((media, head, body))
            start = i + 1
    assert not stack, "llaves sin cerrar en styles.css"
    return rules


def selectors(selector_list: str) -> list[str]:
    """Split a selector list on top-level commas (not those inside ``:is(...)``)."""
    parts, depth, current = [], 0, ""
    for char in selector_list:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


RULES = css_rules(CSS.read_text(encoding="utf-8"))


def test_the_parser_sees_the_rules():
    assert len(RULES) > 40
    assert any(sel.startswith(PIP) and "@media (min-width" in media for media, sel, _ in RULES)


@pytest.mark.parametrize("media,selector_list,body", RULES, ids=[r[1][:50] for r in RULES])
def test_every_rule_is_scoped_to_an_engine_or_to_the_content(media, selector_list, body):
    for sel in selectors(selector_list):
        ok = sel.startswith(PIP) or sel.startswith(CONTENT) or sel in SHARED_OK
        assert ok, f"«{sel}» no está limitado a {PIP} ni al contenido {CONTENT}: alcanzaría el diseño de Quarto"
        if sel in {"body", "figure", "img"}:
            assert media == "@media print", f"«{sel}» solo puede estilarse sin ámbito al imprimir"


# Components of the content that lay out their own children on a grid, inside the text column of either engine
# (they cannot squeeze the column itself): the key-figure tiles (issue 23).
CONTENT_GRIDS = (f"{CONTENT} .cifras-clave",)


def test_layout_rules_of_the_pip_engine_are_scoped():
    """The rules issue 13 found squeezing Quarto's text column are only for the pip-only pages."""
    for media, selector_list, body in RULES:
        for sel in selectors(selector_list):
            grid = "grid-template" in body and sel not in CONTENT_GRIDS
            if re.search(r"max-width:\s*\d+rem", body) or "margin-right" in body or grid:
                assert sel.startswith(PIP), f"«{sel} {{{body}}}» cambiaría el diseño de Quarto"


def test_table_headers_beat_quartos_table_style():
    headers = [(sel, body) for _, sl, body in RULES for sel in selectors(sl) if re.search(r"\bth\b", sel)
               and "background" in body]
    assert headers
    for sel, _ in headers:
        assert sel.startswith(CONTENT)  # an id: more specific than Bootstrap's `.table > :not(caption) > * > *`


def test_nothing_unbolds_total_rows():
    for _, selector_list, body in RULES:
        if re.search(r"\b(td|tr|strong|b|tbody)\b", selector_list):
            assert not re.search(r"font-weight:\s*(normal|lighter|[1-5]00)\b", body), selector_list
    bold = [body for _, sl, body in RULES if re.search(r"table strong", sl)]
    assert bold and all("font-weight: 700" in b for b in bold)


def test_text_colours_have_aa_contrast_on_white():
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9A-Fa-f]{6})", CSS.read_text(encoding="utf-8")))
    for name in ("--aci-blue", "--aci-teal-text", "--ink", "--muted"):
        ratio = (1.05) / (luminance(variables[name]) + 0.05)
        assert ratio >= 4.5, f"{name} {variables[name]}: {ratio:.2f}:1"
    for _, selector_list, body in RULES:
        for colour in re.findall(r"(?<![-\w])color:\s*var\((--[\w-]+)\)", body):
            assert colour != "--aci-teal", f"{selector_list}: el verde azulado #1A9E9A (3,3:1) no es para texto"


def test_staged_sources_give_each_engine_its_own_scope(tmp_path):
    """In the staged book (as `informe build` stages it), Quarto loads the shared styles and the table
    script, and the pip-only template marks its <body> with the class every pip-only rule starts with."""
    (tmp_path / "executed").mkdir()
    info = {"built_at": "2023-01-31T10:00:00", "inputs": {}, "commit": "abc", "engine": "Quarto"}
    src = stage_sources(ROOT, tmp_path / "executed", tmp_path / "src", load_params(ROOT / "params" / "2022.yml"), info)
    html = load_book_config(src)["format"]["html"]
    assert html["css"] == "book/styles.css"
    staged_css = (src / html["css"]).read_text(encoding="utf-8")
    assert staged_css == CSS.read_text(encoding="utf-8")
    script = (src / html["include-after-body"]).read_text(encoding="utf-8")
    assert "table-scroll" in script and PIP_BODY_CLASS not in script
    assert any("quarto-theme.scss" in str(t) for t in html["theme"])
    template = (src / "book" / TEMPLATE).read_text(encoding="utf-8")
    assert f'<body class="{PIP_BODY_CLASS}">' in template
    assert re.search(r'<main id="contenido"', template)
