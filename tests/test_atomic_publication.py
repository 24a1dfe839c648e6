"""A month's publication replaces the previous one whole, and what a crash left is cleaned up.

The SIGKILL test (test_publication_kill.py) kills a real publication at every step; these tests
name each rule on its own: a publication that fails midway leaves the previous month as it was,
the fallback without renameat2, leftovers of dead processes (and only theirs) cleaned, a month
left under its .old name put back before a withdrawal moves it, byte-identical re-runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pdpb_pipeline.output import atomic_folder, publish
from pdpb_pipeline.roll import penarikan

from .test_publish_speed_safe import MONTH, REGENCY, _publish, _roll


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _hidden(parent: Path) -> list[str]:
    return sorted(n for n in os.listdir(parent) if n.startswith("."))


@pytest.fixture(scope="module")
def rolls():
    a = _roll(600)
    b = a.iloc[50:].reset_index(drop=True).assign(nama="NAMA LAIN")
    return a, b


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_linux_swaps_with_renameat2(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "y").write_text("b")
    assert atomic_folder._renameat2 is not None
    assert atomic_folder.exchange(tmp_path / "a", tmp_path / "b") is True
    assert os.listdir(tmp_path / "a") == ["y"] and os.listdir(tmp_path / "b") == ["x"]
    with pytest.raises(FileNotFoundError):
        atomic_folder.exchange(tmp_path / "a", tmp_path / "missing")


def test_failure_midway_leaves_the_previous_month_whole(tmp_path, rolls, monkeypatch):
    folder = tmp_path / REGENCY / MONTH
    _publish(folder, rolls[0])
    before = _files(folder)
    calls = []

    def failing(path, sheets):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original(path, sheets)

    original = publish.write_workbook
    monkeypatch.setattr(publish, "write_workbook", failing)
    with pytest.raises(OSError, match="No space left"):
        _publish(folder, rolls[1])
    assert 3 <= len(calls) <= 3 + publish.WRITERS - 1  # nothing begun after the failure but what was under way
    assert _files(folder) == before  # not one file of the failed publication in the month
    assert _hidden(folder.parent) == []  # its temporary folder is gone too


def test_rerun_in_place_gives_the_same_bytes(tmp_path, rolls):
    folder = tmp_path / REGENCY / MONTH
    first = _publish(folder, rolls[0])
    files = _files(folder)
    _publish(folder, rolls[1])
    assert _files(folder) != files
    assert _publish(folder, rolls[0]) == first
    assert _files(folder) == files
    assert _hidden(folder.parent) == []


def test_fallback_two_renames_replaces_the_month(tmp_path, rolls, monkeypatch):
    monkeypatch.setattr(atomic_folder, "exchange", lambda a, b: False)
    folder = tmp_path / REGENCY / MONTH
    _publish(folder, rolls[0])
    _publish(tmp_path / "ref" / MONTH, rolls[1])
    _publish(folder, rolls[1])
    assert _files(folder) == _files(tmp_path / "ref" / MONTH)
    assert _hidden(folder.parent) == []


def test_fallback_puts_the_month_back_when_the_second_rename_fails(tmp_path, rolls, monkeypatch):
    monkeypatch.setattr(atomic_folder, "exchange", lambda a, b: False)
    folder = tmp_path / REGENCY / MONTH
    _publish(folder, rolls[0])
    before = _files(folder)
    rename, renames = os.rename, []

    def second_fails(src, dst):
        renames.append((Path(src).name, Path(dst).name))
        if len(renames) == 2:
            raise OSError(5, "Input/output error")
        return rename(src, dst)

    monkeypatch.setattr(atomic_folder.os, "rename", second_fails)
    with pytest.raises(OSError, match="Input/output"):
        _publish(folder, rolls[1])
    monkeypatch.setattr(atomic_folder.os, "rename", rename)
    assert renames[0][0] == MONTH and ".old-" in renames[0][1] and renames[1][1] == MONTH
    assert _files(folder) == before and _hidden(folder.parent) == []


def test_leftovers_of_dead_processes_are_cleaned_and_others_left_alone(tmp_path, rolls):
    regency = tmp_path / REGENCY
    _publish(regency / "2026-01", rolls[0])
    _publish(regency / "2026-02", rolls[0])
    month_files = _files(regency / "2026-01")
    dead = _dead_pid()
    # killed while writing 2026-02 again: a partial temporary folder
    (regency / f".2026-02.tmp-{dead}-ab12").mkdir()
    (regency / f".2026-02.tmp-{dead}-ab12" / "rekap.csv").write_text("partial")
    # killed between the fallback's two renames of 2026-01: the month only under its .old name
    os.rename(regency / "2026-01", regency / f".2026-01.old-{dead}-cd34")
    # killed after the fallback's swap of 2026-02: the old content still there
    (regency / f".2026-02.old-{dead}-ef56").mkdir()
    # another process publishing 2026-03 right now
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (regency / f".2026-03.tmp-{live.pid}-0a0b").mkdir()

        _publish(regency / "2026-02", rolls[1])  # a next run cleans up before it writes

        assert _hidden(regency) == [f".2026-03.tmp-{live.pid}-0a0b"]
        assert _files(regency / "2026-01") == month_files
        assert sorted(os.listdir(regency)) == [f".2026-03.tmp-{live.pid}-0a0b", "2026-01", "2026-02"]
    finally:
        live.kill()
        live.wait()
    atomic_folder.recover(regency)
    assert _hidden(regency) == []


def test_withdrawal_takes_a_month_left_under_its_old_name(tmp_path, rolls):
    regency = tmp_path / REGENCY
    _publish(regency / "2026-03", rolls[0])
    published = _files(regency / "2026-03")
    os.rename(regency / "2026-03", regency / f".2026-03.old-{_dead_pid()}-1234")
    moved = penarikan._move_out(tmp_path, REGENCY, ["2026-03"], "act1", {
        "act_id": "act1", "regency": REGENCY, "triggered_by": "2026-02", "run_id": "r", "withdrawn_at": "now",
        "reason": "test", "months": ["2026-03"]})
    target = regency / penarikan.WITHDRAWN / "2026-03__act1"
    assert moved == {"2026-03": target}
    kept = _files(target)
    assert {k: v for k, v in kept.items() if not k.startswith(penarikan.NOTE)} == published
    assert _hidden(regency) == [] and not (regency / "2026-03").exists()
