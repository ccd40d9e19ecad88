"""Issue 22 item 7: faults of the machine rather than of the data — each exits 2 with one Spanish line naming
the path, never a traceback nor «Error inesperado».

Real files where possible: a workbook with a flipped byte, a symlink loop, a zip bomb, a workbook of long
repeated text, a folder sysfs will not let anyone write in, a build killed with SIGKILL. Simulated (patching
the call that would fail) only where running as root makes the real case impossible: a workbook without
read permission, a read-only or full disk while the build writes.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
import struct
import sys
import time
import uuid
import zipfile
from pathlib import Path

import psutil
import pytest
from openpyxl import Workbook

from conftest import ROOT, build, build_env, set_cell, start_build
from informe.publish import workspace
from informe.data.safety import (MAX_COMPRESSION_RATIO, MAX_RATIO_MEMBER_BYTES, UnsafeInput, check_zip_members)
from informe.data.validation import EXIT_UNUSABLE, validate_dir
from informe.data.workbooks import UnusableInput, ensure_readable_xlsx

LOOP = "es un enlace simbólico que se apunta a sí mismo (bucle)"
DAMAGED = ("inversion.xlsx: el archivo está dañado (una parte interna no se puede descomprimir); "
           "ábralo en Excel y guárdelo de nuevo")


def informe(*args: str):
    import subprocess

    return subprocess.run([sys.executable, "-m", "informe", *args], cwd=ROOT, capture_output=True, text=True,
                          env=build_env())


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """``informe ARGS`` in this process (so that a call can be patched): exit code and everything printed."""
    from informe import cli

    saved = sys.argv
    sys.argv = ["informe", *args]
    try:
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    finally:
        sys.argv = saved
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), captured.out + captured.err


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def assert_clean(text: str) -> None:
    assert "Traceback" not in text and "Error inesperado" not in text, text


# --------------------------------------------------------------------------- a flipped byte inside a member

def flip_byte(path: Path, member: str, where: float = 0.5) -> None:
    """Flip one byte of ``member``'s stored data, in place (what a bad sector or a broken copy does)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start + int(info.compress_size * where)] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_byte_in_a_compressed_member_is_named_and_the_others_are_still_checked(data_copy):
    flip_byte(data_copy / "inversion.xlsx", "xl/worksheets/sheet1.xml")
    set_cell(data_copy / "administrativo.xlsx", "PQRS", "B3", "veintisiete")  # an independent problem
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_UNUSABLE
    assert [(u.file, u.message) for u in report.unusables] == [("inversion.xlsx", DAMAGED.split(": ", 1)[1])]
    assert any(p.file == "administrativo.xlsx" and p.sheet == "PQRS" for p in report.errors)
    result = informe("validate", str(data_copy))
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert lines_with(text, "inversion.xlsx") == [f"ERROR {DAMAGED}"], text
    assert "Error -3" not in text
    assert_clean(text)


def test_flipped_byte_in_a_stored_member_fails_its_crc(tmp_path):
    """The byte flipped keeps the XML well formed (a digit of a number): only the CRC tells."""
    source = ROOT / "data" / "2022" / "inversion.xlsx"
    path = tmp_path / "inversion.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename), compress_type=zipfile.ZIP_STORED)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        xml = zf.read(info)
    offset = xml.index(b"<v>") + 3  # the first digit of the first cell value
    assert xml[offset:offset + 1].isdigit()
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start + offset] = ord("7") if xml[offset:offset + 1] != b"7" else ord("3")
    path.write_bytes(bytes(data))
    from informe.data.contract import CONTRACT
    from informe.data.workbooks import read_workbook

    spec = next(w for w in CONTRACT if w.filename == "inversion.xlsx")
    with pytest.raises(UnusableInput) as info_exc:
        read_workbook(path, spec)
    assert f"{info_exc.value.file}: {info_exc.value.message}" == DAMAGED


# --------------------------------------------------------------------------- a symlink loop as --data / --out

def test_symlink_loop_as_data_folder_exits_2_in_validate_and_build(tmp_path):
    loop = tmp_path / "datos"
    loop.symlink_to(loop)
    for args in (["validate", str(loop)], ["build", "--year", "2022", "--data", str(loop), "--out",
                                           str(tmp_path / "salida"), "--engine", "pandoc"]):
        result = informe(*args)
        text = result.stdout + result.stderr
        assert result.returncode == 2, text
        assert lines_with(text, LOOP) == [f"La carpeta de datos {loop} {LOOP}; reemplácelo por la carpeta o el "
                                          "archivo real"], text
        assert "no existe la carpeta" not in text and "RuntimeError" not in text
        assert_clean(text)
    assert not (tmp_path / "salida").exists()


def test_symlink_loop_as_output_folder_exits_2(tmp_path):
    loop = tmp_path / "salida"
    loop.symlink_to(loop)
    result = informe("build", "--year", "2022", "--out", str(loop), "--engine", "pandoc")
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert lines_with(text, LOOP) == [f"La carpeta de salida {loop} {LOOP}; reemplácelo por la carpeta o el "
                                      "archivo real"], text
    assert_clean(text)


# --------------------------------------------------------------------------- an output folder that cannot be written

def previous_output(out: Path) -> dict[str, bytes]:
    """A previous informe output in ``out`` (with its marker); returns its files and contents."""
    out.mkdir(parents=True)
    (out / "build-info.json").write_text(json.dumps({"fingerprint": "de la construcción anterior"}), encoding="utf-8")
    (out / "informe-gestion-2022.pdf").write_bytes(b"%PDF-1.7 publicado")
    return snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize("code, why", [(errno.EROFS, "el sistema de archivos es de solo lectura"),
                                       (errno.EACCES, "permiso denegado")])
def test_read_only_output_folder_exits_2_and_leaves_the_outputs(tmp_path, capsys, monkeypatch, code, why):
    """Simulated: as root a folder with mode 0o555 is still writable, and a read-only mount needs privileges."""
    out = tmp_path / "2022"
    before = previous_output(out)

    def refuse(out_dir: Path) -> Path:
        path = workspace.staging_dir(out_dir)
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr("informe.publish.pipeline.make_staging", refuse)
    status, text = run_cli(capsys, "build", "--year", "2022", "--out", str(out), "--engine", "pandoc")
    assert status == 2, text
    assert lines_with(text, "No se puede escribir") == [
        f"No se puede escribir en {out}: {why}. Las salidas anteriores no se modificaron; libere espacio, dé "
        "permiso de escritura o indique otra carpeta con --out."], text
    assert_clean(text)
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_full_disk_while_writing_exits_2_and_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    """Simulated: ENOSPC (without a file name, as ``write()`` raises it) while the snapshot is written into
    the staging folder."""
    out = tmp_path / "2022"
    before = previous_output(out)
    staged = []

    def full(report, folder):
        staged.append(Path(folder).parent)
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "a-medias.parquet").write_bytes(b"PAR1")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("informe.report.report.write_report_snapshot", full)
    status, text = run_cli(capsys, "build", "--year", "2022", "--out", str(out), "--engine", "pandoc")
    assert status == 2, text
    assert staged and staged[0].name.startswith(".2022.building-")
    assert lines_with(text, "No se puede escribir") == [
        f"No se puede escribir en {out}: el disco está lleno. Las salidas anteriores no se modificaron; libere "
        "espacio, dé permiso de escritura o indique otra carpeta con --out."], text
    assert_clean(text)
    assert snapshot(out) == before
    assert leftovers(out) == [] and not staged[0].exists()


@pytest.mark.parametrize("fail_on", ["first", "second"])
def test_publish_that_cannot_rename_puts_the_previous_outputs_back(tmp_path, monkeypatch, fail_on):
    out = tmp_path / "2022"
    before = previous_output(out)
    staging = workspace.make_staging(out)
    (staging / "nuevo.pdf").write_bytes(b"nuevo")
    real_rename = Path.rename
    calls = []

    def rename(self, target):
        calls.append(self)
        if (fail_on == "first" and self == out) or (fail_on == "second" and self == staging):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError):
        workspace.publish(staging, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    shutil.rmtree(staging)  # what the build's ``finally`` does
    assert leftovers(out) == []


def test_staging_marker_on_a_full_disk_leaves_no_folder(tmp_path, monkeypatch):
    out = tmp_path / "2022"
    real_write = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == workspace.STAGING_MARKER:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(OSError):
        workspace.make_staging(out)
    assert leftovers(out) == []


def test_output_in_a_folder_nobody_may_write_exits_2(tmp_path):
    """Real, root or not: sysfs lets no process create a folder at its top."""
    probe = Path("/sys") / f"informe-prueba-{uuid.uuid4().hex[:8]}"
    try:
        probe.mkdir()
    except OSError:
        pass
    else:
        probe.rmdir()
        pytest.skip("/sys accepts new folders here")
    if not Path("/sys").is_dir():
        pytest.skip("no /sys")
    out = Path("/sys") / "informe-salida"
    result = build("--year", "2022", "--out", str(out), "--engine", "pandoc")
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert len(lines_with(text, f"No se puede escribir en {out}: ")) == 1, text
    assert_clean(text)
    assert not out.exists()


# --------------------------------------------------------------------------- a workbook without read permission

def deny(monkeypatch, path: Path) -> None:
    """Opening ``path`` raises PermissionError (chmod 000 does not stop root)."""
    real_open = io.open
    target = os.path.abspath(path)

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file) == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", guarded)
    monkeypatch.setattr(builtins, "open", guarded)


def test_workbook_without_read_permission_is_named_and_the_others_are_still_checked(data_copy, capsys,
                                                                                    monkeypatch):
    deny(monkeypatch, data_copy / "cooperacion.xlsx")
    status, text = run_cli(capsys, "validate", str(data_copy))
    assert status == 2, text
    assert lines_with(text, "cooperacion.xlsx:") == [
        "ERROR cooperacion.xlsx: no se puede leer: permiso denegado; dé permiso de lectura al archivo (o cópielo "
        "de nuevo)"], text
    assert lines_with(text, "inversion.xlsx") == [] or all("ADVERTENCIA" in line
                                                           for line in lines_with(text, "inversion.xlsx"))
    assert_clean(text)


def test_build_with_a_workbook_without_read_permission_exits_2(data_copy, tmp_path, capsys, monkeypatch):
    workbook = data_copy / "cooperacion.xlsx"
    deny(monkeypatch, workbook)
    out = tmp_path / "2022"
    status, text = run_cli(capsys, "build", "--year", "2022", "--data", str(data_copy), "--out", str(out),
                           "--engine", "pandoc")
    assert status == 2, text
    assert len(lines_with(text, str(workbook))) == 1 and "permiso denegado" in text, text
    assert_clean(text)
    assert not out.exists() and leftovers(out) == []


# --------------------------------------------------------------------------- long text is not a zip bomb

def test_workbook_of_long_repeated_text_is_not_a_zip_bomb(tmp_path):
    path = tmp_path / "inversion.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Descripción"])
    text = "Proyecto de atracción de inversión extranjera directa en Medellín. " * 150
    for _ in range(1000):
        ws.append([text])
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > MAX_COMPRESSION_RATIO * sheet.compress_size  # refused before issue 22
        assert sheet.file_size < MAX_RATIO_MEMBER_BYTES
        check_zip_members(zf, ratio_above=MAX_RATIO_MEMBER_BYTES)
    ensure_readable_xlsx(path)  # what validate and build call before anything is parsed


def test_real_zip_bomb_is_still_refused(tmp_path):
    path = tmp_path / "inversion.xlsx"
    source = ROOT / "data" / "2022" / "inversion.xlsx"
    shutil.copy(source, path)
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/relleno.bin", "w") as member:
        for _ in range(64):  # 64 MB of zeros: about 64 KB on disk
            member.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(UnusableInput, match="bomba zip") as info:
        ensure_readable_xlsx(path)
    assert "xl/media/relleno.bin" in info.value.message
    with zipfile.ZipFile(path) as zf, pytest.raises(UnsafeInput, match="bomba zip"):
        check_zip_members(zf, ratio_above=MAX_RATIO_MEMBER_BYTES)


# --------------------------------------------------------------------------- SIGKILL takes workers and kernels along

def tagged(tag: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and process.environ().get("INFORME_TEST_TAG") == tag:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def is_kernel(process: psutil.Process) -> bool:
    try:
        command = " ".join(process.cmdline())
        parent = process.parent()
        return "ipykernel_launcher" in command or (
            "informe.publish.forkkernel" in command and parent is not None
            and "informe.publish.forkkernel" in " ".join(parent.cmdline()))
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_build_killed_with_sigkill_takes_its_workers_and_kernels_along(tmp_path):
    tag = uuid.uuid4().hex
    proc = start_build("--year", "2022", "--out", str(tmp_path / "2022"), "--engine", "pandoc", "--force",
                       INFORME_TEST_TAG=tag)
    try:
        deadline = time.monotonic() + 120
        while not any(is_kernel(p) for p in tagged(tag)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no kernel started"
            time.sleep(0.1)
        children = [p for p in tagged(tag) if p.pid != proc.pid]
        assert any(is_kernel(p) for p in children) and len(children) >= 3  # fork server, worker(s), kernel(s)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    deadline = time.monotonic() + 3
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tagged(tag) == [], [(p.pid, p.cmdline()) for p in tagged(tag)]
