"""Crash safety: a month run killed with SIGKILL at any instant, then run again, ends exactly where
an uninterrupted run ends: the same warehouse (every table, run ids, stamps and timestamps
aside), the same published files byte for byte, the same recap line.

A synthetic regency (3,000 voters) has January published; February is run once uninterrupted as
the reference. Each case starts from a fresh copy of the January state, runs `pdpb run -v` for
February, watches Dagster's log on stderr for a step's STEP_START (or, inside publication, the
month's files appearing one by one) and kills the process with SIGKILL then or a moment later, checks what a crash may leave (January untouched; February's folder
absent or whole), runs the month again to completion, and compares. The killed run, left
STARTED in Dagster's run storage, is marked failed by the re-run.

The copies always live at the same path (the warehouse URL names the snapshot folder), so the
cases run one after another, in their own xdist group, in /dev/shm where there is one (see
``pdpbproc.scratch``).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from pdpb_lab.synth import SynthConfig, generate
from pdpb_pipeline.output.publish import manifest_files

from . import pdpbproc
from .state import assert_same_warehouse, published_files, warehouse_state

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crash")]

REGENCY = "36.73"
FIRST, MONTH = "2026-01", "2026-02"

#: When to kill: (what is awaited, seconds after it). "step" awaits the step's STEP_START in
#: Dagster's log, "file" a file of February's publication appearing (in the month's folder or a
#: temporary sibling), "run" the run's RUN_SUCCESS.
INSTANTS = [
    ("step", "berkas_masuk", 0.0),
    ("step", "feed__disdukcapil", 0.0),
    ("step", "feed__perumahan", 0.3),
    ("step", "tautan_dpb", 0.0),
    ("step", "pemutakhiran_dpb", 0.0),
    ("step", "pemutakhiran_dpb", 0.5),
    ("step", "publikasi", 0.0),
    ("file", f"rekap_{REGENCY}_{MONTH}.xlsx", 0.0),
    ("file", f"dpb/dpb_{REGENCY}.01_*_{MONTH}.csv", 0.0),
    ("file", f"antrean_coktas_{REGENCY}_{MONTH}.csv", 0.0),
    ("file", "manifest.json", 0.0),
    ("run", "RUN_SUCCESS", 0.0),
]
EVENT = re.compile(r" - pdpb_bulanan - ([0-9a-f-]{36}) - \d+ - (?:(\S+) - )?(STEP_START|STEP_SUCCESS|STEP_FAILURE|"
                   r"RUN_SUCCESS|RUN_FAILURE) - ")


@dataclass
class Site:
    work: Path
    pre: Path
    env: dict[str, str]
    url: str
    logs: Path
    reference: dict
    seconds: float

    @property
    def published(self) -> Path:
        return self.work / "var" / "published"

    def restore(self) -> None:
        shutil.rmtree(self.work)
        shutil.copytree(self.pre, self.work)

    def pdpb(self, name: str, *argv: str, timeout: float = 600) -> pdpbproc.Pdpb:
        return pdpbproc.run(list(argv), self.env, self.logs, name, timeout)

    def outcome(self) -> dict:
        rekap = self.pdpb("rekap", "rekap", "--regency", REGENCY, "--month", MONTH)
        # the months' folders as an officer opens them (a temporary sibling a killed publication
        # may leave is not part of the publication)
        files = {month: published_files(self.published / REGENCY / month) for month in (FIRST, MONTH)}
        return {"warehouse": warehouse_state(self.url), "files": files, "rekap": rekap.stdout()}


def environment(work: Path, zone: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_"))}
    return env | {"PDPB_VAR_DIR": str(work / "var"), "PDPB_LANDING_DIR": str(zone),
                  "DAGSTER_HOME": str(work / "home"), "PDPB_REGENCIES": REGENCY, "PDPB_START_MONTH": FIRST,
                  "PDPB_LOCK_WAIT": "5"}


@pytest.fixture(scope="module")
def site(request, tmp_path_factory) -> Site:
    """Built once per session: pytest-xdist may tear module fixtures down between two cases of a
    group it hands over piecemeal, so the site lives at a fixed path and is removed at the end."""
    base = tmp_path_factory.getbasetemp()
    if os.access("/dev/shm", os.W_OK):
        root = Path("/dev/shm") / f"pdpb-crash-{hashlib.sha256(str(base).encode()).hexdigest()[:12]}"
    else:
        root = base / "crash-site"
    built = root / "site.pickle"
    if built.exists():
        return pickle.loads(built.read_bytes())
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    request.config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
    site = _site(root)
    built.write_bytes(pickle.dumps(site))
    return site


def _site(root: Path) -> Site:
    zone = root / "zone"
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=2, start=FIRST, seed=11), out_dir=zone)
    work = root / "work"
    (work / "home").mkdir(parents=True)
    (work / "home" / "dagster.yaml").write_text("")
    env = environment(work, zone)
    logs = root / "logs"
    first = pdpbproc.run(["run", "--regency", REGENCY, "--month", FIRST], env, logs, "first")
    assert first.process.exitcode == 0, first.stderr()[-3000:] + first.stdout()
    pre = root / "pre"
    shutil.copytree(work, pre)
    site = Site(work, pre, env, f"sqlite:///{work / 'var' / 'warehouse.sqlite'}", logs, {}, 0.0)
    start = time.monotonic()
    reference = site.pdpb("reference", "run", "--regency", REGENCY, "--month", MONTH, "-v")
    site.seconds = time.monotonic() - start
    assert reference.process.exitcode == 0, reference.stderr()[-3000:] + reference.stdout()
    site.reference = site.outcome()
    assert "= 3," in site.reference["rekap"] and all(site.reference["files"].values())
    return site


def where_killed(stderr: str) -> str:
    """Where in the run the kill landed, from the last step event Dagster logged."""
    events = EVENT.findall(stderr)
    if not events:
        return "before the run started"
    _, step, kind = events[-1]
    if kind == "STEP_START":
        return f"inside {step}"
    if kind == "RUN_SUCCESS":
        return "after the run succeeded (before the process ended)"
    return f"after {step} ({kind})"


def folder_problems(folder: Path, published_in_ledger: bool) -> list[str]:
    """What is wrong with a month's folder after a crash: it must be absent or whole (every file
    of its manifest, with the manifest's checksum, and nothing else)."""
    if not folder.exists():
        return ["the ledger says published but the folder is missing"] if published_in_ledger else []
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return [f"partial folder without manifest: {sorted(p.name for p in folder.iterdir())}"]
    try:
        listed = manifest_files(json.loads(manifest.read_text()))
    except ValueError:
        return ["the manifest is cut short"]
    files = published_files(folder)
    problems = [f"{name}: missing or altered" for name, v in listed.items() if files.get(name) != v["sha256"]]
    problems += [f"{name}: not in the manifest" for name in files if name != "manifest.json" and name not in listed]
    return problems


def case_id(instant) -> str:
    kind, what, delay = instant
    return f"{what.replace('*', 'x')}+{delay}s"


def wait_for_file(killed: pdpbproc.Pdpb, regency_dir: Path, pattern: str) -> bool:
    """Waits until a file of February's publication matching ``pattern`` exists; False if the
    process ended first."""
    while killed.process.is_alive():
        for path in regency_dir.glob(f"*/{pattern}"):
            if path.parent.name != FIRST:
                return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("instant", INSTANTS, ids=case_id)
def test_month_killed_at_any_instant_then_rerun_ends_as_uninterrupted(site, instant, record_property):
    kind, what, delay = instant
    site.restore()
    january = published_files(site.published / REGENCY / FIRST)
    killed = pdpbproc.start(["run", "--regency", REGENCY, "--month", MONTH, "-v"], site.env, site.logs, "killed")
    if kind == "file":
        killed.wait_for(r" - pdpb_bulanan - \S+ - \d+ - publikasi - STEP_START - ")
        assert wait_for_file(killed, site.published / REGENCY, what), f"the run ended before {what} appeared"
    else:
        killed.wait_for(r" - pdpb_bulanan - \S+ - \d+ - RUN_SUCCESS - " if kind == "run" else
                        rf" - pdpb_bulanan - \S+ - \d+ - {what} - STEP_START - ")
    time.sleep(delay)
    killed.kill()
    stderr = killed.stderr()
    landed = where_killed(stderr) + (f", once {what} was there" if kind == "file" else "")
    record_property("landed", landed)
    print(f"kill {case_id(instant)}: landed {landed}")
    run_id = EVENT.search(stderr).group(1)

    # What the crash left: January untouched, February's folder absent or whole.
    assert published_files(site.published / REGENCY / FIRST) == january
    ledger = warehouse_state(site.url)["dpb_bulan"]
    crash_problems = folder_problems(site.published / REGENCY / MONTH, MONTH in set(ledger["month"]))
    print(f"  left by the crash: {crash_problems or 'nothing wrong'}")

    rerun = site.pdpb("rerun", "run", "--regency", REGENCY, "--month", MONTH)
    assert rerun.process.exitcode == 0, rerun.stderr()[-3000:] + rerun.stdout()
    after = site.outcome()
    assert_same_warehouse(after["warehouse"], site.reference["warehouse"])
    assert after["files"] == site.reference["files"]
    assert after["rekap"] == site.reference["rekap"]

    with DagsterInstance.from_config(str(site.work / "home")) as instance:
        run = instance.get_run_by_id(run_id)
        if landed.startswith("after the run succeeded"):
            assert run.status == DagsterRunStatus.SUCCESS
        else:  # SIGKILL let it say nothing: the re-run, taking the regency over, marked it failed
            assert run.status == DagsterRunStatus.FAILURE
            failure = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_FAILURE).records[-1]
            assert "marked failed by pdpb run" in failure.event_log_entry.dagster_event.message
    assert not crash_problems, f"killed {landed}: {crash_problems}"
