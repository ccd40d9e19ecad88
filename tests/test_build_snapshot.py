"""The build's snapshot: validated once, read back identically, and every read recorded."""

from __future__ import annotations

import json
import math

import pandas as pd

from conftest import DATA_2022, ROOT
from informe.data import snapshot
from informe.data.params import load_params
from informe.report.report import load_report, load_report_from_snapshot, write_report_snapshot


def test_round_trip_is_exact(report_2022, tmp_path):
    params = load_params(ROOT / "params" / "2022.yml")
    manifest = snapshot.write_year(tmp_path / "current", params, DATA_2022, report_2022.data, report_2022.checks,
                                   report_2022.problems)
    got_manifest, got_params, frames, checks, problems = snapshot.read_year(tmp_path / "current")
    assert got_manifest == manifest and got_params == params
    assert frames.keys() == report_2022.data.keys()
    for key, frame in report_2022.data.items():
        pd.testing.assert_frame_equal(frames[key], frame, check_exact=True)
    assert problems == report_2022.problems
    assert len(checks) == len(report_2022.checks) == 331  # 308 of 331 cross-checks pass for 2022
    for got, want in zip(checks, report_2022.checks):
        assert got.check == want.check and got.status == want.status
        assert got.left == want.left or (math.isnan(got.left) and math.isnan(want.left))


def test_equal_content_gives_equal_hashes(report_2022, tmp_path):
    params = load_params(ROOT / "params" / "2022.yml")
    a = snapshot.write_year(tmp_path / "a", params, DATA_2022, report_2022.data, report_2022.checks,
                            report_2022.problems)
    changed = dict(report_2022.data)
    key = ("posicionamiento.xlsx", "Cifras")
    changed[key] = changed[key].copy()
    changed[key].loc[changed[key]["Clave"] == "periodistas_atendidos", "Valor"] += 1
    b = snapshot.write_year(tmp_path / "b", params, DATA_2022, changed, report_2022.checks, report_2022.problems)
    c = snapshot.write_year(tmp_path / "c", params, DATA_2022, report_2022.data, report_2022.checks,
                            report_2022.problems)
    by_sheet = lambda m: {(s["file"], s["sheet"]): s["sha256"] for s in m["sheets"]}  # noqa: E731
    assert by_sheet(a) == by_sheet(c) and a["all_sha256"] == c["all_sha256"]
    differing = {k for k in by_sheet(a) if by_sheet(a)[k] != by_sheet(b)[k]}
    assert differing == {key} and a["all_sha256"] != b["all_sha256"]
    assert a["parts_sha256"] == b["parts_sha256"]  # same check results and problems
    fewer = snapshot.write_year(tmp_path / "d", params, DATA_2022, report_2022.data, report_2022.checks[1:],
                                report_2022.problems)
    assert fewer["parts_sha256"]["checks"] != a["parts_sha256"]["checks"]
    assert fewer["parts_sha256"]["problems"] == a["parts_sha256"]["problems"]


def test_loaded_report_records_what_a_section_reads(tmp_path):
    report = load_report(2022, root=ROOT)
    write_report_snapshot(report, tmp_path / "snap")
    reads = tmp_path / "reads.json"
    loaded = load_report_from_snapshot(tmp_path / "snap", reads)
    assert json.loads(reads.read_text(encoding="utf-8")) == []
    assert loaded.year == 2022 and loaded.params == report.params
    assert loaded.figure("posicionamiento.xlsx", "periodistas_atendidos") == 57  # published: 57 journalists
    assert loaded.achievement("PI-01") == report.achievement("PI-01")
    # An achievement reads the plan's indicators and their yearly goals and results («Metas»).
    assert json.loads(reads.read_text(encoding="utf-8")) == [
        ["current", "plan_desarrollo.xlsx", "Indicadores"], ["current", "plan_desarrollo.xlsx", "Metas"],
        ["current", "posicionamiento.xlsx", "Cifras"]]
    assert len([c for c in loaded.checks if c.passed]) == 308
    assert ["current", "*", "checks"] in json.loads(reads.read_text(encoding="utf-8"))
    assert len(loaded.problems) == len(report.problems)
    assert ["current", "*", "problems"] in json.loads(reads.read_text(encoding="utf-8"))
    assert ["current", "*", "*"] not in json.loads(reads.read_text(encoding="utf-8"))  # no sheet by that


def test_a_frame_is_read_from_the_snapshot_when_first_used(tmp_path):
    """Issue 12: a kernel reads only the sheets its section uses (reading all of them was most of its
    start-up); the frames it reads, one by one or all at once, are the validated ones."""
    import pytest

    report = load_report(2022, root=ROOT)
    manifests = write_report_snapshot(report, tmp_path / "snap")
    unused = next(s for s in manifests["current"]["sheets"] if s["file"] == "inversion.xlsx")
    (tmp_path / "snap" / "current" / unused["path"]).unlink()  # a sheet this "section" never uses
    loaded = load_report_from_snapshot(tmp_path / "snap")
    assert loaded.figure("posicionamiento.xlsx", "periodistas_atendidos") == 57  # published: 57 journalists
    key = ("posicionamiento.xlsx", "Cifras")
    pd.testing.assert_frame_equal(loaded.frames[key], report.frames[key], check_exact=True)
    assert key in loaded.frames and loaded.frames.get(("no.xlsx", "Hoja")) is None
    with pytest.raises(FileNotFoundError):
        loaded.frames[(unused["file"], unused["sheet"])]

    write_report_snapshot(report, tmp_path / "entera")
    whole = load_report_from_snapshot(tmp_path / "entera")
    for frames in (dict(whole.frames.items()), whole.frames.copy(),
                   dict(zip(whole.frames.keys(), whole.frames.values()))):
        assert frames.keys() == report.frames.keys()
        for name, frame in report.frames.items():
            pd.testing.assert_frame_equal(frames[name], frame, check_exact=True)
