"""One run per regency at a time (``resources.regency_lock``), and a roll cache that never
outlives a re-run by another process (``Warehouse.roll_of``)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.test_utils import create_run_for_test

from pdpb_pipeline.domain import schema
from pdpb_pipeline.resources import regency_lock
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import store
from pdpb_lab.synth import SynthConfig, generate

from . import pdpbproc
from .state import assert_same_warehouse, published_files, warehouse_state

REGENCY = "36.73"
ROOT = Path(__file__).resolve().parent.parent


def _roll(voters: int = 6) -> pd.DataFrame:
    frame = pd.DataFrame({
        "id": [f"DPT-{i:04d}" for i in range(voters)],
        "nik": [f"36730101{(i % 28) + 1:02d}90{i + 1:04d}"[:16] for i in range(voters)],
        "nkk": "3673010101100001", "nama": "SITI AMINAH", "tempat_lahir": "SERANG", "tanggal_lahir": "1990-05-01",
        "jenis_kelamin": "P", "status_kawin": "S", "alamat": "JL. MAWAR NO. 3", "rt": "001", "rw": "002",
        "kode_desa": "36.73.01.1001",
    })
    return schema.to_canonical(frame)


def test_second_run_is_refused_naming_the_first_and_may_go_once_it_is_done(warehouse_url):
    warehouse = Warehouse(url=warehouse_url, lock_wait_seconds=0)
    with regency_lock.hold(warehouse, REGENCY, None, run_id="run-a"):
        claim = regency_lock.read_claim(warehouse, REGENCY)
        assert (claim.run_id, claim.jenis, claim.pid) == ("run-a", regency_lock.PROSES, os.getpid())
        with pytest.raises(regency_lock.RegencyBusy) as busy:  # another holder, as another process would be
            regency_lock._acquire(warehouse, REGENCY, "run-b", regency_lock.PROSES, None, 0, "test")
        message = str(busy.value)
        assert f"regency {REGENCY} is being updated by run run-a (pdpb run, pid {os.getpid()}" in message
        assert f"started {claim.mulai:%Y-%m-%d %H:%M:%S} UTC" in message
        other = regency_lock._acquire(warehouse, "36.74", "run-c", regency_lock.PROSES, None, 0, "test")
        other.release()  # another regency is not held up
    assert regency_lock.read_claim(warehouse, REGENCY) is None
    regency_lock._acquire(warehouse, REGENCY, "run-b", regency_lock.PROSES, None, 0, "test").release()


def test_claim_of_a_live_dagster_run_holds_until_dagster_reports_it_finished(warehouse_url):
    """A run launched by Dagster (each step claims) is not taken over half-way."""
    warehouse = Warehouse(url=warehouse_url, lock_wait_seconds=0)
    with DagsterInstance.ephemeral() as instance:
        run = create_run_for_test(instance, job_name="pdpb_bulanan", status=DagsterRunStatus.STARTED)
        regency_lock._acquire(warehouse, REGENCY, run.run_id, regency_lock.DAGSTER, instance, 0, "test").release()
        # its next step goes on; another run, or a pdpb run, does not
        regency_lock._acquire(warehouse, REGENCY, run.run_id, regency_lock.DAGSTER, instance, 0, "test").release()
        with pytest.raises(regency_lock.RegencyBusy, match=f"run {run.run_id} \\(a Dagster run"):
            regency_lock._acquire(warehouse, REGENCY, "other", regency_lock.DAGSTER, instance, 0, "test")
        with pytest.raises(regency_lock.RegencyBusy):
            with regency_lock.hold(warehouse, REGENCY, instance, run_id="pdpb-run", wait=0):
                pass
        instance.report_run_failed(instance.get_run_by_id(run.run_id), message="a step failed")
        with regency_lock.hold(warehouse, REGENCY, instance, run_id="pdpb-run", wait=0):
            assert regency_lock.read_claim(warehouse, REGENCY).run_id == "pdpb-run"


_HOLDER = """
import sys, time
from pdpb_pipeline.resources import regency_lock
from pdpb_pipeline.resources.warehouse import Warehouse
from dagster import DagsterInstance
with DagsterInstance.get() as instance:
    with regency_lock.hold(Warehouse(url=sys.argv[1]), sys.argv[2], instance, run_id=sys.argv[3]):
        print("held", flush=True)
        time.sleep(600)
"""


def test_a_killed_holder_never_blocks_the_next_run_and_its_run_is_marked_failed(warehouse_url, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    with DagsterInstance.from_config(str(home)) as instance:
        run = create_run_for_test(instance, job_name="pdpb_bulanan", status=DagsterRunStatus.STARTED)
    env = os.environ | {"DAGSTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, warehouse_url, REGENCY, run.run_id], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        warehouse = Warehouse(url=warehouse_url, lock_wait_seconds=0)
        with pytest.raises(regency_lock.RegencyBusy, match=f"run {run.run_id} \\(pdpb run, pid {holder.pid}"):
            with regency_lock.hold(warehouse, REGENCY, None, run_id="next", wait=0):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
        with DagsterInstance.from_config(str(home)) as instance:
            # the kernel (SQLite) or the server (PostgreSQL) dropped the lock with the process
            with regency_lock.hold(warehouse, REGENCY, instance, run_id="next", wait=10):
                assert regency_lock.read_claim(warehouse, REGENCY).run_id == "next"
            killed = instance.get_run_by_id(run.run_id)
            assert killed.status == DagsterRunStatus.FAILURE  # Dagster no longer shows it running
    finally:
        holder.kill()
        holder.wait(30)


_NEW_BASELINE = """
import sys
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import store
from tests.test_regency_lock import REGENCY, _roll
warehouse = Warehouse(url=sys.argv[1])
with warehouse.begin() as conn:
    store.load_baseline(conn, warehouse, REGENCY, _roll().iloc[:4])
"""


def test_cached_roll_is_read_again_after_another_process_rewrote_the_month(warehouse_url):
    warehouse = Warehouse(url=warehouse_url)
    roll = _roll()
    with warehouse.begin() as conn:
        store.load_baseline(conn, warehouse, REGENCY, roll)
    first = warehouse.roll_of(REGENCY, store.BASELINE)
    assert list(first["id"]) == list(roll["id"])
    assert warehouse.roll_of(REGENCY, store.BASELINE) is first  # same stamp: the kept copy
    # Another process loads a new baseline (four of the six voters) meanwhile.
    subprocess.run([sys.executable, "-c", _NEW_BASELINE, warehouse_url], check=True, timeout=120,
                   env=os.environ | {"PYTHONPATH": str(ROOT)})
    again = warehouse.roll_of(REGENCY, store.BASELINE)
    assert list(again["id"]) == list(roll["id"].iloc[:4])
    # the roll a month step writes is kept with its stamp, and used while the stamp stands
    with warehouse.begin() as conn:
        token = store.stamp(conn, warehouse, REGENCY, "2026-01", 4)
    warehouse._rolls.put(REGENCY, "2026-01", token, again)
    assert warehouse.roll_of(REGENCY, "2026-01") is again
    with warehouse.begin() as conn:  # a re-run elsewhere: new stamp
        store.stamp(conn, warehouse, REGENCY, "2026-01", 0)
    assert warehouse.roll_of(REGENCY, "2026-01") is not again
    # the cache is the resource's own: another resource on the same warehouse keeps none of it
    assert Warehouse(url=warehouse_url)._rolls.get(REGENCY, store.BASELINE, store.stamp_of(warehouse, REGENCY, store.BASELINE)) is None


# Two `pdpb run` of one regency at once, as two officers would type them.

def _env(tmp_path: Path, zone: Path, url: str, name: str, wait: str, out: str = "out") -> dict[str, str]:
    home = tmp_path / f"home-{name}"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_"))}
    return env | {"PDPB_WAREHOUSE_URL": url, "PDPB_LANDING_DIR": str(zone), "DAGSTER_HOME": str(home),
                  "PDPB_OUTPUT_DIR": str(tmp_path / out),
                  "PDPB_VAR_DIR": str(tmp_path / "var"), "PDPB_REGENCIES": REGENCY,
                  "PDPB_START_MONTH": "2026-01", "PDPB_LOCK_WAIT": wait}


def _second_database(url: str) -> str:
    if url.startswith("sqlite"):
        return url.replace("warehouse.sqlite", "reference.sqlite")
    name = f"pdpb_test_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        server = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
        server.dispose()


@pytest.mark.slow
@pytest.mark.xdist_group("crash")
def test_two_pdpb_runs_of_one_regency_never_interleave(warehouse_url, tmp_path):
    with pdpbproc.scratch(tmp_path) as scratch:
        if warehouse_url.startswith("sqlite"):
            warehouse_url = f"sqlite:///{scratch / 'warehouse.sqlite'}"
        _two_runs(warehouse_url, scratch)


def _two_runs(warehouse_url: str, tmp_path: Path) -> None:
    zone = tmp_path / "zone"
    generate(SynthConfig(regency=REGENCY, voters=1_000, months=1, start="2026-01", seed=5), out_dir=zone)
    logs = tmp_path / "logs"
    argv = ["run", "--regency", REGENCY, "--month", "2026-01"]
    single_url = _second_database(warehouse_url)
    try:
        single = pdpbproc.start(argv, _env(tmp_path, zone, single_url, "single", "0", out="out-single"), logs, "single")
        first = pdpbproc.start([*argv, "-v"], _env(tmp_path, zone, warehouse_url, "a", "0"), logs, "a")
        # the first holds the regency from before its baseline load to the end of its month
        first.wait_for(r" - pdpb_dpt_awal - [0-9a-f-]{36} - \d+ - dpt_baseline - STEP_START")
        refused = pdpbproc.run(argv, _env(tmp_path, zone, warehouse_url, "b", "0"), logs, "b")
        waiting = pdpbproc.start([*argv, "-v"], _env(tmp_path, zone, warehouse_url, "c", "600"), logs, "c")
        assert first.wait() == 0, first.stdout()
        assert waiting.wait() == 0, waiting.stdout() + waiting.stderr()[-2000:]
        assert single.wait() == 0, single.stdout()
        assert refused.process.exitcode == 2
        message = refused.stderr()
        # it names the run the first was on at that moment: its baseline load or its month
        runs = set(re.findall(r" - pdpb_(?:dpt_awal|bulanan) - ([0-9a-f-]{36}) - ", first.stderr()))
        named = re.search(f"error: regency {REGENCY} is being updated by run (\\S+) \\(pdpb run, pid {first.pid} ",
                          message)
        assert named and named.group(1) in runs, message
        assert re.search(r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", message)
        assert "pdpb_bulanan" not in refused.stdout()  # refused before it launched any run
        # the one that waited started its month only after the first had finished its own
        done = re.search(r"^(\S+ \S+) .* - pdpb_bulanan - \S+ - \d+ - RUN_SUCCESS", first.stderr(), re.M).group(1)
        began = re.search(r"^(\S+ \S+) .* - pdpb_bulanan - \S+ - \d+ - RUN_START", waiting.stderr(), re.M).group(1)
        assert began >= done
        # and the warehouse is as one run leaves it
        assert_same_warehouse(warehouse_state(warehouse_url), warehouse_state(single_url))
        assert published_files(tmp_path / "out") == published_files(tmp_path / "out-single") != {}
    finally:
        _drop(single_url)
