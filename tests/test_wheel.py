"""The package is self-contained: a built wheel, installed into a fresh virtual environment
outside the checkout, runs a small month from a working directory outside the checkout.

What this proves and what it does not: the wheel is built from a copy of the checkout by pip
(setuptools in an isolated build environment, from PyPI) and installed into a new venv with
``--no-deps``; its dependencies come from the project venv's site-packages, seen through a
folder of links to each of its entries *except* the project's own editable install (so nothing
of the checkout can be imported: the test asserts where ``pdpb_pipeline`` is loaded from, and the
command runs with no PYTHONPATH in a folder outside the checkout). So the wheel carries every file
the package reads at run time (the GX suites, the Alembic migrations, the audit page's template) and its console script
works; ``pip check`` shows its declared requirements are met by those versions. It does not
resolve the dependencies from PyPI afresh (minutes, and hundreds of megabytes on every CI run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from pdpb_pipeline.output.publish import manifest_files
from tests.test_deployment import ROOT, clean_environment, copy_root

REGENCY = "36.73"
MONTH = "2026-01"


def _run(command: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, **kw)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _dependencies_only(target: Path) -> Path:
    """A folder of links to the project venv's installed distributions, without the project."""
    site = Path(sysconfig.get_paths()["purelib"])
    target.mkdir()
    for entry in site.iterdir():
        name = entry.name.lower()
        if name.startswith(("pdpb_pipeline", "__editable__", "_pdpb", "pdpb-pipeline")) or name.endswith(".pth"):
            continue
        (target / entry.name).symlink_to(entry)
    return target


@pytest.mark.wheel
@pytest.mark.slow
def test_the_built_wheel_runs_a_month_outside_the_checkout(tmp_path):
    source = copy_root(tmp_path / "src")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)])
    [wheel] = dist.glob("pdpb_pipeline-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"pdpb_pipeline/expectations/{p.name}" for p in (ROOT / "pdpb_pipeline" / "expectations").glob("*.json")}
    migrations = {f"pdpb_pipeline/migrations/{p.relative_to(ROOT / 'pdpb_pipeline' / 'migrations').as_posix()}"
                  for p in (ROOT / "pdpb_pipeline" / "migrations").rglob("*") if p.suffix in (".py", ".mako")}
    assert len(shipped) == 9 and shipped <= names, shipped - names
    assert "pdpb_pipeline/migrations/env.py" in migrations and migrations <= names, migrations - names
    assert "pdpb_pipeline/output/templates/audit.html" in names  # the audit page's template

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project_dependencies.pth").write_text(f"{_dependencies_only(tmp_path / 'deps')}\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
          str(wheel)])
    _run([sys.executable, "-m", "pip", "--python", str(python), "check"])

    # a tiny regency, written by the checkout's own venv (the generator is not the product)
    case = tmp_path / "case"
    _run([sys.executable, "-m", "pdpb_pipeline.cli", "synth", "--regency", REGENCY, "--voters", "400", "--months", "1",
          "--start", MONTH, "--seed", "3", "--out", str(case)], cwd=ROOT,
         env=clean_environment(tmp_path, PYTHONPATH=str(ROOT)))

    work = tmp_path / "work"
    work.mkdir()
    # no DAGSTER_HOME: a newcomer's `pdpb run` keeps its runs in var/dagster_home, as plain `dagster dev` does
    env = clean_environment(work, PATH=f"{venv / 'bin'}:/usr/bin:/bin",
                            PDPB_LANDING_DIR=str(case), PDPB_REGENCIES=REGENCY, PDPB_START_MONTH=MONTH)
    assert "DAGSTER_HOME" not in env
    where = _run([str(python), "-c", "import pdpb_pipeline, json; print(json.dumps(pdpb_pipeline.__file__))"],
                 cwd=work, env=env)
    assert Path(json.loads(where.stdout)).is_relative_to(venv), where.stdout
    done = _run([str(venv / "bin" / "pdpb"), "run", "--regency", REGENCY, "--month", MONTH], cwd=work, env=env)
    assert f"pdpb_bulanan {REGENCY} {MONTH}: ok" in done.stdout, done.stdout
    published = work / "var" / "published" / REGENCY / MONTH  # the defaults: under the working directory's var/
    manifest = manifest_files(json.loads((published / "manifest.json").read_text()))
    assert f"rekap_{REGENCY}_{MONTH}.xlsx" in manifest
    assert "audit/index.html" in manifest  # rendered from the wheel's own template
    assert all((published / name).is_file() for name in manifest)
    assert (work / "var" / "warehouse.sqlite").is_file()
    assert (work / "var" / "dagster_home" / "history" / "runs.db").is_file()
