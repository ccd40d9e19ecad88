"""A workbook's validation is reused only under the same bytes, year, code and versions, and reusing it
gives exactly the report a full validation gives."""

from __future__ import annotations

import json
import shutil

import pandas as pd
from openpyxl import load_workbook

from conftest import DATA_2022, set_cell
from informe.data.contract import CONTRACT
from informe.data.validation import validate_dir
from informe.data.validation_cache import WorkbookCache


def _same_report(a, b) -> None:
    assert a.problems == b.problems and a.checks == b.checks and a.unusables == b.unusables
    assert list(a.data) == list(b.data)
    for key in a.data:
        pd.testing.assert_frame_equal(a.data[key], b.data[key], check_exact=True)


def _validated_once(tmp_path):
    """A copy of 2022 validated once with a cache saved in ``tmp_path/cache``: (data folder, report)."""
    data = tmp_path / "2022"
    shutil.copytree(DATA_2022, data)
    first = WorkbookCache(None, "código-1")
    report = validate_dir(data, cache=first)
    assert first.hits == []
    first.save(tmp_path / "cache")
    return data, report


def test_reused_validation_is_the_full_validation(tmp_path):
    data, full = _validated_once(tmp_path)
    second = WorkbookCache(tmp_path / "cache", "código-1")
    reused = validate_dir(data, cache=second)
    assert sorted(second.hits) == sorted(p.name for p in data.glob("*.xlsx"))
    _same_report(full, reused)
    _same_report(full, validate_dir(data))


def test_validation_is_not_reused_under_other_code_year_or_bytes(tmp_path):
    data, _report = _validated_once(tmp_path)
    other_code = WorkbookCache(tmp_path / "cache", "código-2")
    validate_dir(data, cache=other_code)
    assert other_code.hits == []

    other_year = WorkbookCache(tmp_path / "cache", "código-1")
    validate_dir(data, cache=other_year, year=2023)
    assert other_year.hits == []

    set_cell(data / "administrativo.xlsx", "PQRS", "B3", "veintisiete")
    changed = WorkbookCache(tmp_path / "cache", "código-1")
    report = validate_dir(data, cache=changed)
    assert "administrativo.xlsx" not in changed.hits and len(changed.hits) == len(CONTRACT) - 1
    assert any(p.file == "administrativo.xlsx" and p.sheet == "PQRS" and p.row == 3 for p in report.errors)


def test_an_entry_that_names_another_file_or_cannot_be_read_is_ignored(tmp_path):
    data, _report = _validated_once(tmp_path)
    entry = tmp_path / "cache" / "inversion.xlsx" / "entry.json"
    content = json.loads(entry.read_text(encoding="utf-8"))
    content["file"] = "cooperacion.xlsx"
    entry.write_text(json.dumps(content), encoding="utf-8")
    (tmp_path / "cache" / "cooperacion.xlsx" / "00.parquet").write_bytes(b"no es parquet")
    again = WorkbookCache(tmp_path / "cache", "código-1")
    _same_report(validate_dir(data), validate_dir(data, cache=again))
    assert "inversion.xlsx" not in again.hits and "cooperacion.xlsx" not in again.hits


def test_a_workbook_saved_while_it_is_validated_is_validated_again_next_time(tmp_path, monkeypatch):
    """Regression: the result was filed under the hash of the bytes found *after* validating. A workbook
    re-saved by the analyst while the build read it (Cifras!C5 changed) then had its old figures reused
    by the next build. The result is filed under the bytes the validation started from."""
    from informe.data import validation

    data = tmp_path / "2022"
    shutil.copytree(DATA_2022, data)
    real = validation.validate_workbook

    def validate_then_resave(data_dir, spec, year):
        result = real(data_dir, spec, year)
        if spec.filename == "posicionamiento.xlsx":
            set_cell(data / spec.filename, "Cifras", "C5", 999)  # saved once the sheet had been read
        return result

    monkeypatch.setattr(validation, "validate_workbook", validate_then_resave)
    first = WorkbookCache(None, "código-1")
    validate_dir(data, cache=first)
    first.save(tmp_path / "cache")
    monkeypatch.setattr(validation, "validate_workbook", real)

    second = WorkbookCache(tmp_path / "cache", "código-1")
    report = validate_dir(data, cache=second)
    assert "posicionamiento.xlsx" not in second.hits and len(second.hits) == len(CONTRACT) - 1
    cifras = report.data[("posicionamiento.xlsx", "Cifras")]
    assert 999 in set(cifras["Valor"])  # the saved figure, not the one read before it was saved


def test_a_session_reuses_the_previous_validation_from_memory_as_copies(tmp_path, monkeypatch):
    """Issue 24 (informe preview): a build of the same process reuses the previous build's workbooks, texts and
    cross-sheet checks from memory (nothing read back from disk), gives the full validation's report, and a
    reader that changes a reused frame in place does not change the next build's."""
    data = tmp_path / "2022"
    shutil.copytree(DATA_2022, data)
    first = WorkbookCache(None, "código-1")
    full = validate_dir(data, cache=first)
    second = WorkbookCache(None, "código-1", memory=first)  # no folder: only memory can be reused
    reused = validate_dir(data, cache=second)
    workbooks = sorted(p.name for p in data.glob("*.xlsx"))
    assert sorted(second.hits) == workbooks and len(second.texts.hits) == len(list((data / "textos").glob("*.md")))
    _same_report(full, reused)
    assert reused.texts == full.texts

    key = next(iter(reused.data))
    reused.data[key].iloc[0, 0] = "cambiado en el sitio"
    third = WorkbookCache(None, "código-1", memory=second)
    _same_report(full, validate_dir(data, cache=third))

    # The checks are computed again as soon as one workbook changed (and then find its error), never under
    # another code.
    calls = []
    import informe.data.validation as validation
    real = validation.run_checks
    monkeypatch.setattr(validation, "run_checks", lambda *a, **k: calls.append(1) or real(*a, **k))
    validate_dir(data, cache=WorkbookCache(None, "código-1", memory=third))
    assert calls == []
    validate_dir(data, cache=WorkbookCache(None, "código-2", memory=third))
    assert calls == [1]
    workbook = data / "posicionamiento.xlsx"
    set_cell(workbook, "Cifras", "C5", load_workbook(workbook)["Cifras"]["C5"].value + 2)
    changed_cache = WorkbookCache(None, "código-1", memory=third)
    changed = validate_dir(data, cache=changed_cache)
    assert calls == [1, 1] and "posicionamiento.xlsx" not in changed_cache.hits
    assert changed.checks == validate_dir(data).checks  # a full validation's (its own call to the checks)


def test_an_unchanged_entry_is_linked_and_outlives_the_build_it_came_from(tmp_path):
    """The next build's entry of an unchanged workbook is the previous build's files, hard-linked (nothing is
    written again), and stays whole once the previous build is removed; a symbolic link among the previous files
    is never followed: that entry is written anew."""
    data, full = _validated_once(tmp_path)
    second = WorkbookCache(tmp_path / "cache", "código-1")
    validate_dir(data, cache=second)
    parts = sorted(p.relative_to(tmp_path / "cache") for p in (tmp_path / "cache").rglob("*.parquet"))
    assert parts
    (tmp_path / "cache" / parts[0]).rename(tmp_path / "aparte.parquet")
    (tmp_path / "cache" / parts[0]).symlink_to(tmp_path / "aparte.parquet")
    second.save(tmp_path / "next")
    linked = [p for p in parts[1:] if (tmp_path / "next" / p).stat().st_ino == (tmp_path / "cache" / p).stat().st_ino]
    assert linked == [p for p in parts[1:] if p.parent != parts[0].parent]  # every entry but the one with a symlink
    assert not (tmp_path / "next" / parts[0]).is_symlink()
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "aparte.parquet").unlink()
    third = WorkbookCache(tmp_path / "next", "código-1")
    _same_report(full, validate_dir(data, cache=third))
    assert sorted(third.hits) == sorted(p.name for p in data.glob("*.xlsx"))
