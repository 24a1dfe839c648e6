"""The product is the pipeline: the generator, scoring and benchmarks live in the lab (``lab/``,
``pdpb_lab``), which the pipeline never imports; ``pdpb synth`` and ``pdpb bench`` hand over to it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pdpb_lab.bench.cycle import format_cycle
from pdpb_lab.synth import SynthConfig, generate
from pdpb_pipeline.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
REGENCY = "36.73"


def _imports(path: Path) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            out.append((node.module or "", node.lineno))
    return out


def test_the_pipeline_imports_the_lab_only_in_the_two_commands_that_hand_over_to_it():
    found = {(str(p.relative_to(ROOT)), line) for p in (ROOT / "pdpb_pipeline").rglob("*.py")
             for name, line in _imports(p) if name.split(".")[0] == "pdpb_lab"}
    assert found and {path for path, _ in found} == {"pdpb_pipeline/cli/app.py"}, found
    tree = ast.parse((ROOT / "pdpb_pipeline" / "cli" / "app.py").read_text(encoding="utf-8"))
    at_top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
              and any("pdpb_lab" in (getattr(n, "module", "") or a.name) for a in n.names)]
    assert at_top == []  # only inside the function that runs `pdpb synth` / `pdpb bench`
    assert not [*(ROOT / "pdpb_pipeline" / "synth").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]


def test_a_month_runs_without_the_lab_being_imported(tmp_path):
    generate(SynthConfig(regency=REGENCY, voters=1_500, months=1, start="2026-01", seed=3), out_dir=tmp_path / "zone")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_"))} | {
        "PDPB_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}", "PDPB_LANDING_DIR": str(tmp_path / "zone"),
        "PDPB_OUTPUT_DIR": str(tmp_path / "published"), "PDPB_VAR_DIR": str(tmp_path / "var"),
        "PDPB_REGENCIES": REGENCY, "PDPB_START_MONTH": "2026-01", "DAGSTER_HOME": str(home)}
    code = ("import sys, json; import pdpb_pipeline.definitions; from pdpb_pipeline.cli.app import app\n"
            "code = app(['run', '--regency', sys.argv[1], '--month', '2026-01'], standalone_mode=False)\n"
            "print(json.dumps({'exit': code or 0, 'lab': sorted(m for m in sys.modules if m.startswith('pdpb_lab'))}))")
    out = subprocess.run([sys.executable, "-c", code, REGENCY], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "pdpb_bulanan" in out.stdout and ": ok" in out.stdout, out.stdout
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"exit": 0, "lab": []}
    assert (tmp_path / "published" / REGENCY / "2026-01").is_dir()


@pytest.mark.parametrize("args", [["synth", "--regency", "32.01", "--start", "2026-01"],
                                  ["bench", "cycle", "--voters", "1000"], ["bench", "--help"]])
def test_without_the_lab_synth_and_bench_say_how_to_install_it(monkeypatch, args):
    monkeypatch.setitem(sys.modules, "pdpb_lab", None)  # as if `pdpb-lab` were not installed
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2, out.output
    assert "pip install -e ./lab" in out.output and "pip install pdpb-lab" in out.output
    assert f"`pdpb {args[0]}`" in out.output


def test_synth_and_bench_hand_over_their_options_and_help_to_the_lab(tmp_path):
    out = CliRunner().invoke(app, ["bench", "--help"])
    assert out.exit_code == 0 and all(c in out.output for c in ("synth", "feeds", "link", "cycle")), out.output
    out = CliRunner().invoke(app, ["synth", "--regency", "36.73", "--voters", "300", "--months", "1",
                                   "--start", "2026-01", "--seed", "4", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "baseline" / "36.73" / "dpt.csv").is_file()
    out = CliRunner().invoke(app, ["synth", "--regency", "99.99", "--start", "2026-01", "--out", str(tmp_path)])
    assert out.exit_code == 2 and "99.99" in out.output


def _check_report(report: dict, voters: int) -> None:
    assert report["voters"] == voters and report["regency"] == "32.01"
    for label, month in (("first_month", "2026-01"), ("steady_month", "2026-02")):
        c = report[label]
        assert c["command"] == f"pdpb run --regency 32.01 --month {month}"
        assert c["success"] and c["peak_mb"] > 50 and c["seconds"] > 0
        names = [p["part"] for p in c["parts"]]
        assert len(names) == len(set(names)) and {"start-up", "between steps", "pemutakhiran_dpb",
                                                   "publikasi"} <= set(names), names
        seconds = [p["seconds"] for p in c["parts"]]
        assert seconds == sorted(seconds, reverse=True)  # the slowest first
        assert sum(seconds) == pytest.approx(c["seconds"], abs=0.006 * len(seconds))  # the parts make the whole
        assert sum(p["percent"] for p in c["parts"]) == pytest.approx(100, abs=0.06 * len(seconds))
        startup = next(p for p in c["parts"] if p["part"] == "start-up")
        assert startup["seconds"] == pytest.approx(startup["before_first_step"] + startup["after_last_step"], abs=0.02)
        assert all(p["seconds"] >= 0 for p in c["parts"] if p["part"] != "between steps")
        assert c["score"]["bulan"] == month and c["score"]["salah_hapus"] == 0 and c["score"]["salah_tambah"] == 0
        assert c["recap"]["sekarang"] == c["score"]["pemilih_terbit"]
    first, steady = report["first_month"], report["steady_month"]
    assert [r["job"] for r in first["runs"]] == ["pdpb_dpt_awal", "pdpb_bulanan"]  # the DPT load, then the month
    assert "dpt_baseline" in [p["part"] for p in first["parts"]]
    assert [r["job"] for r in steady["runs"]] == ["pdpb_bulanan"]
    assert "dpt_baseline" not in [p["part"] for p in steady["parts"]]
    assert first["baseline"]["ganda"] is not None


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_bench_cycle_reports_the_whole_run_command_and_each_steps_share(tmp_path, monkeypatch, database):
    if database == "postgresql":
        from .conftest import PG_URL, _server_or_skip

        _server_or_skip().dispose()  # the server is there (CI: must be); the bench makes its own database on it
        monkeypatch.setenv("PDPB_WAREHOUSE_URL", PG_URL)
    else:
        monkeypatch.delenv("PDPB_WAREHOUSE_URL", raising=False)
    out = CliRunner().invoke(app, ["bench", "cycle", "--voters", "1500", "--seed", "2", "--dir", str(tmp_path),
                                   "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["warehouse"] == database
    _check_report(report, 1500)
    assert json.loads(Path(report["json"]).read_text())["steady_month"]["parts"] == report["steady_month"]["parts"]
    assert (tmp_path / "32.01-1500-2m-2" / "DONE").is_file()  # the case, cached; the work beside it
    assert Path(report["json"]).parent == tmp_path / "work" / "32.01-1500-2m-2" / "cycle"
    table = format_cycle(report)  # what `pdpb bench cycle` prints without --json
    assert "whole command" in table and "start-up" in table and "0 wrong removals" in table


def test_bench_cycle_reports_the_commands_own_peak_memory_not_its_own(tmp_path):
    """The benchmark's process holds the scored case (gigabytes at 4M voters); a command it starts
    must not report that as its peak (Linux hands a forked child's high-water mark on through
    exec): a small command reads small, a big one its own size, and its exit code comes back."""
    import numpy as np

    from pdpb_lab.bench.cycle import _timed

    held = np.ones(600 * 2**20 // 8)  # this process: 600 MB more, touched
    small = _timed([sys.executable, "-c", "import sys; sys.exit(3)"], dict(os.environ), tmp_path / "small")
    big = _timed([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096])"],
                 dict(os.environ), tmp_path / "big")
    assert held.sum() > 0
    assert small["exit_code"] == 3 and small["peak_mb"] < 150, small
    assert big["exit_code"] == 0 and 300 <= big["peak_mb"] < 450, big
