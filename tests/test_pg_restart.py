"""PostgreSQL restarted in the middle of a month run: the run fails saying so, the re-run completes
with the result of an undisturbed run.

The server restarted is a private throwaway cluster (initdb into a temp folder, a free port), never
the shared one on 5432 that other tests use at the same time.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from pdpb_lab.synth import SynthConfig, generate

from . import pdpbproc
from .conftest import IN_CI
from .state import assert_same_warehouse, published_files, warehouse_state

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("crash")]
REGENCY = "36.73"


@dataclass
class Cluster:
    folder: Path
    port: int
    pg_ctl: str

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", self.pg_ctl, "-D", str(self.folder / "data"),
                        "-l", str(self.folder / "server.log"), *args], check=True, capture_output=True, timeout=120)

    def create(self, database: str) -> str:
        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        engine.dispose()
        return self.url(database)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries or os.geteuid() != 0 or not shutil.which("runuser"):
        if IN_CI:
            raise RuntimeError("a private PostgreSQL cluster needs root, runuser and /usr/lib/postgresql/*/bin")
        pytest.skip("cannot start a private PostgreSQL cluster here")
    bin_dir = Path(binaries[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="pdpb-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    subprocess.run(["runuser", "-u", "postgres", "--", str(bin_dir / "initdb"), "-D", str(folder / "data"),
                    "-A", "trust", "-U", "postgres", "--no-sync"], check=True, capture_output=True, timeout=120)
    pg = Cluster(folder, port, str(bin_dir / "pg_ctl"))
    pg.ctl("-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off", "-w", "start")
    try:
        yield pg
    finally:
        try:
            pg.ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def test_postgres_restarted_mid_run_fails_clearly_and_the_rerun_completes(cluster, tmp_path):
    with pdpbproc.scratch(tmp_path) as scratch:
        zone = scratch / "zone"
        generate(SynthConfig(regency=REGENCY, voters=1_000, months=1, start="2026-01", seed=9), out_dir=zone)
        logs = scratch / "logs"
        urls = {name: cluster.create(name) for name in ("undisturbed", "restarted")}

        def env(name: str) -> dict[str, str]:
            home = scratch / f"home-{name}"
            home.mkdir(exist_ok=True)
            (home / "dagster.yaml").write_text("")
            base = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_"))}
            return base | {"PDPB_WAREHOUSE_URL": urls[name], "PDPB_LANDING_DIR": str(zone), "DAGSTER_HOME": str(home),
                           "PDPB_OUTPUT_DIR": str(scratch / f"out-{name}"), "PDPB_VAR_DIR": str(scratch / f"var-{name}"),
                           "PDPB_REGENCIES": REGENCY, "PDPB_START_MONTH": "2026-01", "PDPB_LOCK_WAIT": "0"}

        argv = ["run", "--regency", REGENCY, "--month", "2026-01"]
        undisturbed = pdpbproc.run(argv, env("undisturbed"), logs, "undisturbed")
        assert undisturbed.process.exitcode == 0, undisturbed.stdout() + undisturbed.stderr()[-2000:]

        run = pdpbproc.start([*argv, "-v"], env("restarted"), logs, "restarted")
        run.wait_for(r" - pdpb_bulanan - \S+ - \d+ - tautan_dpb - STEP_START - ")
        cluster.ctl("-m", "immediate", "-w", "restart")  # what a crashed or restarted server does to its clients
        assert run.wait() == 1, run.stdout()
        # what the officer reads, and nothing else: no traceback
        assert "lost the warehouse connection (PostgreSQL restarted?): re-run the month" in run.stdout()
        assert "FAILED" in run.stdout() and "Traceback" not in run.stdout() + run.stderr()
        print(run.stdout())

        again = pdpbproc.run(argv, env("restarted"), logs, "again")
        assert again.process.exitcode == 0, again.stdout() + again.stderr()[-3000:]
        assert_same_warehouse(warehouse_state(urls["restarted"]), warehouse_state(urls["undisturbed"]))
        assert published_files(scratch / "out-restarted") == published_files(scratch / "out-undisturbed") != {}
        rekap = ["rekap", "--regency", REGENCY, "--month", "2026-01"]
        lines = [pdpbproc.run(rekap, env(name), logs, f"rekap-{name}").stdout() for name in urls]
        assert lines[0].splitlines()[0] == lines[1].splitlines()[0]
