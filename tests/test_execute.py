"""Parallel papermill execution is reliable (papermill #239/#511 port races)."""

from __future__ import annotations

import os

import nbformat

from informe.build.execute import IPCKernelManager, run_notebooks, section_title


def tiny_notebook(path, i):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("value = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Sección {i}"), params,
                nbformat.v4.new_code_cell("print('resultado', value * 2)")]
    nbformat.write(nb, path)


def test_kernels_get_distinct_ipc_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    a, b = IPCKernelManager(), IPCKernelManager()
    assert a.transport == b.transport == "ipc"
    assert a.ip != b.ip and a.ip.startswith(str(tmp_path))


def test_many_notebooks_in_parallel_all_succeed(tmp_path):
    sources = []
    for i in range(8):
        path = tmp_path / f"{i:02d}-tiny.ipynb"
        tiny_notebook(path, i)
        sources.append(path)
    out = tmp_path / "out"
    out.mkdir()
    for round_ in range(2):
        results = run_notebooks(sources, out, {"value": 21 + round_}, tmp_path, jobs=max(4, os.cpu_count() or 1))
        assert [r.ok for r in results] == [True] * 8, [r.error for r in results]
        for r in results:
            text = "".join(o.get("text", "") for c in nbformat.read(r.output, 4).cells for o in c.get("outputs", []))
            assert f"resultado {2 * (21 + round_)}" in text


def test_section_title(tmp_path):
    path = tmp_path / "x.ipynb"
    tiny_notebook(path, 7)
    assert section_title(path) == "Sección 7"


def test_volatile_metadata_is_stripped(tmp_path):
    from informe.build.execute import strip_volatile_metadata

    path = tmp_path / "n.ipynb"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("year = 2022")
    cell.metadata["tags"] = ["injected-parameters"]
    cell.metadata["papermill"] = {"duration": 0.1, "start_time": "2026-11-22T03:00:00"}
    cell["id"] = "a1b2c3d4"
    nb.cells = [cell]
    nb.metadata["papermill"] = {"start_time": "x", "end_time": "y", "duration": 1.0, "input_path": "/abs/in.ipynb",
                                "parameters": {"year": 2022}}
    nbformat.write(nb, path)
    strip_volatile_metadata(path)
    clean = nbformat.read(path, as_version=4)
    assert clean.metadata["papermill"] == {"parameters": {"year": 2022}}
    assert clean.cells[0]["id"] == "injected-parameters" and "papermill" not in clean.cells[0].metadata
