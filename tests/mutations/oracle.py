"""Run one damaged copy through `informe validate` (and `informe build`) and classify the outcome."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Console

from informe.data.validation import print_problems, print_report, validate_dir

from .generator import OK_UNCHANGED, OK_WARNING, REFUSED, ROOT, TEXTS, YEAR, Expect, Variant, data_dir, prepare

TIMEOUT = 120  # seconds for a subprocess validate: a FIFO or /dev/zero must not hang it


@dataclass
class Outcome:
    kind: str  # ok-unchanged, ok-warning, refused, or "FAIL"
    exit_code: int
    detail: str = ""


def fingerprint(frames: dict) -> dict[tuple[str, str], str]:
    """Every validated sheet as canonical text: any changed figure or text changes its sheet's entry."""
    result = {}
    for key, frame in frames.items():
        result[key] = frame.to_json(orient="split", date_format="iso", double_precision=15, default_handler=str)
    return result


def published_figures(frames: dict) -> dict[str, float]:
    """A few headline figures the report prints (for the failure messages)."""
    from informe.data import finance

    fs, adm = "estados_financieros.xlsx", "administrativo.xlsx"
    figures = {}
    try:
        balance = frames[(fs, "Situación financiera")]
        figures["activo total"] = finance.line(balance, "activo_total")
        figures["liquidez"] = finance.financial_indicators(balance)["Liquidez"]
        figures["USD proyectos"] = float(frames[("inversion.xlsx", "Proyectos")]["Monto (USD millones)"].sum())
        figures["contratación"] = float(frames[(adm, "Contratación")]["Valor (COP)"].sum())
        figures["PQRS"] = float(frames[(adm, "PQRS")]["Cantidad"].sum())
    except (KeyError, ValueError) as exc:
        figures["error"] = str(exc)
    return figures


@dataclass
class Pristine:
    fingerprint: dict
    warnings: set
    figures: dict


def pristine(tmp: Path) -> Pristine:
    prepare(tmp)
    report = validate_dir(data_dir(tmp))
    assert report.exit_code == 0, [str(p) for p in report.errors]
    return Pristine(fingerprint(report.data), {_key(p) for p in report.warnings}, published_figures(report.data))


def _key(p) -> tuple:
    return (p.file, p.sheet, p.row, p.column, p.message)


def _names(p, expect: Expect) -> bool:
    if expect.paragraph is not None and p.paragraph != expect.paragraph:
        return False
    if expect.says is not None and not re.search(expect.says, p.message):
        return False
    return _names_place(p, expect)


def _names_place(p, expect: Expect) -> bool:
    if expect.params:
        return p.file == expect.file and (expect.key is None or p.column.split(".")[0] == expect.key.split(".")[0])
    if p.file != expect.file:
        return False
    if expect.sheet == "*":
        return bool(p.sheet)
    if expect.sheet is not None and p.sheet != expect.sheet:
        return False
    return expect.row is None or p.row == expect.row


# --------------------------------------------------------------------------
# The chapter texts: what the build checks before it runs a notebook (check_texts)
# --------------------------------------------------------------------------

_TEXT_BASELINE: dict[str, set] = {}  # slug → keys of what the check says about the untouched text


def text_slug(expect: Expect) -> str | None:
    """The chapter whose text ``expect`` names (``textos/inversion.md`` → ``inversion``)."""
    folder, _, name = expect.file.partition("/")
    return Path(name).stem if folder == TEXTS and name else None


def check_chapter_texts(report, root: Path, slug: str, texts: dict | None = None) -> list:
    """What the build's check of the texts (:func:`informe.report.chapter.check_texts`) says about the chapter
    ``slug``: the check itself, on the year restricted to that chapter (the whole check reads every chapter's
    figures). ``texts``: the texts to check (default: the copy's, as validated)."""
    from informe.report.chapter import check_texts
    from informe.report.report import load_report

    year = load_report(YEAR, data_dir(root), root / "params" / f"{YEAR}.yml", root, with_prior=False,
                       validation=report)
    chapters = tuple(c for c in year.params.chapters if c.slug == slug)
    texts = year.texts if texts is None else texts
    one = dataclasses.replace(year, params=dataclasses.replace(year.params, chapters=chapters),
                              texts={s: t for s, t in texts.items() if s == slug})
    return check_texts(one)


def text_baseline(report, root: Path, slug: str) -> set:
    """The keys of what the check says about the chapter's untouched text (the 2022 texts have findings of
    their own: they are not the variant's)."""
    if slug not in _TEXT_BASELINE:
        from informe.data.texts import read_texts

        pristine_texts, _ = read_texts(ROOT / "data" / str(YEAR), [slug])
        _TEXT_BASELINE[slug] = {_key(p) for p in check_chapter_texts(report, root, slug, pristine_texts)}
    return _TEXT_BASELINE[slug]


def run_in_process(root: Path, variant: Variant, expect: Expect, base: Pristine) -> Outcome:
    report = validate_dir(data_dir(root))
    console = Console(file=io.StringIO(), width=200)
    print_report(report, console)  # printing must not fail either
    code = report.exit_code
    errors, warnings, known = list(report.errors), list(report.warnings), set(base.warnings)
    slug = text_slug(expect)
    if code == 0 and "textos" in variant.tags and slug is not None:
        found = check_chapter_texts(report, root, slug)
        print_problems(found, console)  # as the build prints them
        errors += [p for p in found if p.is_error]
        warnings += [p for p in found if not p.is_error]
        known |= text_baseline(report, root, slug)
        if errors:
            code = 1  # the build stops there (exit 1) before any notebook runs
    if code in (1, 2):
        if any(_names(p, expect) for p in errors):
            return Outcome(REFUSED, code)
        return Outcome("FAIL", code, "refused without naming the place: "
                       + "; ".join(str(p) for p in errors[:5]))
    if code != 0:
        return Outcome("FAIL", code, "unexpected exit code")
    after = fingerprint(report.data)
    changed = sorted(k for k in set(after) | set(base.fingerprint) if after.get(k) != base.fingerprint.get(k))
    new_warnings = [p for p in warnings if _key(p) not in known]
    if not changed and not new_warnings:
        return Outcome(OK_UNCHANGED, 0)
    if "changes" in variant.tags:  # a deliberate, legitimate edit: only the named sheet may change
        if all(k == (expect.file, expect.sheet) for k in changed):
            return Outcome(OK_WARNING if new_warnings else OK_UNCHANGED, 0, f"changed {changed}")
    unexplained = [k for k in changed if not any(p.file == k[0] and p.sheet == k[1] for p in new_warnings)]
    if unexplained:
        return Outcome("FAIL", 0, f"figures changed without a message in {unexplained}; "
                       f"before {base.figures}, after {published_figures(report.data)}")
    if any(_names(p, expect) for p in new_warnings):
        return Outcome(OK_WARNING, 0)
    if not changed:
        return Outcome("FAIL", 0, "a new warning that does not name the damaged cell: "
                       + "; ".join(str(p) for p in new_warnings[:3]))
    return Outcome("FAIL", 0, "warnings do not name the damaged cell: " + "; ".join(str(p) for p in new_warnings[:3]))


def run_subprocess(root: Path, variant: Variant, expect: Expect) -> Outcome:
    cmd = [sys.executable, "-m", "informe", "validate", str(data_dir(root))]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                              env={"PATH": "/usr/bin:/bin", "COLUMNS": "300"})
    except subprocess.TimeoutExpired:
        return Outcome("FAIL", -1, f"`informe validate` did not finish in {TIMEOUT} s")
    out = proc.stdout + proc.stderr
    if "Traceback" in out or proc.returncode not in (0, 1, 2):
        return Outcome("FAIL", proc.returncode, out[-2000:])
    if proc.returncode == 0:
        return Outcome(OK_UNCHANGED, 0) if REFUSED not in expect.allowed or len(expect.allowed) > 1 else \
            Outcome("FAIL", 0, "accepted")
    place = expect.file + (f", hoja «{expect.sheet}»" if expect.sheet else "")
    if place not in out:
        return Outcome("FAIL", proc.returncode, f"no message naming {place}: {out[-1500:]}")
    if expect.says is not None and not re.search(expect.says, " ".join(out.split())):
        return Outcome("FAIL", proc.returncode, f"no message saying {expect.says!r}: {out[-1500:]}")
    return Outcome(REFUSED, proc.returncode)


def run_build(root: Path, out: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "informe", "build", "--year", str(YEAR), "--data", str(data_dir(root)),
           "--out", str(out), "--engine", "pandoc", "--force"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(Path.home())})


def check(variant: Variant, root: Path, base: Pristine) -> Outcome:
    """Prepare, mutate, validate (and build); return the outcome (kind "FAIL" on any broken rule)."""
    prepare(root)
    expect = variant.mutate(root)
    if variant.subprocess:
        outcome = run_subprocess(root, variant, expect)
    else:
        outcome = run_in_process(root, variant, expect, base)
    if outcome.kind != "FAIL" and outcome.kind not in expect.allowed:
        return Outcome("FAIL", outcome.exit_code, f"outcome {outcome.kind} not in {sorted(expect.allowed)} {outcome.detail}")
    if variant.build and outcome.exit_code == 0:
        result = run_build(root, root / "out")
        text = result.stdout + result.stderr
        if result.returncode != 0 or "Traceback" in text:
            return Outcome("FAIL", result.returncode, f"validated but did not build: {text[-3000:]}")
        missing = [t for t in variant.printed if t not in " ".join(text.split())]
        if missing:
            return Outcome("FAIL", 0, f"the build does not print {missing}: {text[-3000:]}")
        if variant.literal is not None:
            pages = "".join(p.read_text(encoding="utf-8") for p in (root / "out" / "book").rglob("*.html"))
            # a number and its unit are joined by a no-break space (issue 23): the text is otherwise as typed
            pages = pages.replace("\u00a0", " ").replace("&nbsp;", " ")
            if variant.literal not in pages and variant.literal.replace("&#39;", "'") not in pages:
                return Outcome("FAIL", 0, f"the book does not print {variant.literal!r} literally")
    return outcome


def write_counts(results: list[tuple[Variant, Outcome]], path: Path) -> dict:
    counts: dict = {"total": len(results), "por resultado": {}, "por categoría": {}}
    for variant, outcome in results:
        counts["por resultado"][outcome.kind] = counts["por resultado"].get(outcome.kind, 0) + 1
        cat = counts["por categoría"].setdefault(variant.category, {})
        cat[outcome.kind] = cat.get(outcome.kind, 0) + 1
    path.write_text(json.dumps(counts, ensure_ascii=False, indent=2), encoding="utf-8")
    return counts
