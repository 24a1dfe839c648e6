"""Many regencies at once on the production instance's Celery cluster (docs/cluster.md).

A small fleet through ``scripts/cluster.sh`` (webserver, daemon, Celery workers, the production
dagster.yaml, databases of its own on the PostgreSQL server, a queue and worker names of its own on
Redis): the runs are submitted to the run queue as the schedule does, one worker is SIGKILLed while
it runs a month, and every regency must still be published, the killed one with the same files as
when it is run alone. Needs Redis and PostgreSQL; when CI=true they must be there.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from .conftest import IN_CI, PG_URL, REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("cluster")]


def _services_or_skip():
    try:
        import dagster_celery  # noqa: F401
        import redis
    except ImportError as error:
        if IN_CI:
            raise RuntimeError(f"the `cluster` extra is required when CI=true: {error}") from error
        pytest.skip(f"the `cluster` extra is not installed: {error}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if IN_CI:
            raise RuntimeError(f"Redis at {REDIS_URL} is required when CI=true: {error}") from error
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    engine = sa.create_engine(PG_URL)
    try:
        engine.connect().close()
    except sa.exc.OperationalError as error:
        if IN_CI:
            raise RuntimeError(f"PostgreSQL at {PG_URL} is required when CI=true: {error}") from error
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    finally:
        engine.dispose()


def _server_url() -> str:
    """The server of PDPB_TEST_POSTGRES_URL, without its database: the fleet makes databases of its own."""
    url = sa.make_url(PG_URL)
    server = sa.engine.URL.create(url.drivername, url.username, url.password, url.host, url.port)
    return server.render_as_string(hide_password=False)


def test_a_killed_worker_s_month_is_retried_on_another_worker_and_publishes_the_same_files(tmp_path, monkeypatch):
    _services_or_skip()
    from pdpb_lab.bench.fleet import bench_fleet, fleet_line

    monkeypatch.setenv("PDPB_REDIS_URL", REDIS_URL)
    lines: list[str] = []
    report = bench_fleet(tmp_path / "bench", regencies=3, voters=600, workers=3, kill_one_worker=True,
                         kill_after=3.0, timeout=600, pg=_server_url(), echo=lines.append)
    line = fleet_line(report)
    assert line.startswith("fleet: regencies=3 ok=3 failed=0 "), (line, lines)
    months, killed = report["months"], report["killed"]
    # the killed worker's month failed, was run again elsewhere and succeeded
    assert killed and months["recovered"] == 1, (killed, months)
    assert killed["retried_on"] != killed["worker"]
    # noticed by run monitoring's worker check, not by the 6-hour runtime limit
    assert killed["noticed_after"] is not None and killed["noticed_after"] < 120, killed
    # the two surviving workers ran months side by side; the baseline loads on all three at once
    assert months["workers"] >= 2 and months["max_parallel"] >= 2, months
    assert report["baseline"]["max_parallel"] >= 2, report["baseline"]
    # the killed regency's published files are those of the same regency run alone
    assert report["solo"]["regency"] == killed["regency"] and report["solo"]["same_files"], report["solo"]
    assert report["success"]


def test_cluster_down_stops_exactly_what_up_started(tmp_path):
    _services_or_skip()
    from pdpb_lab.bench.fleet import Cluster

    cluster = Cluster(folder=tmp_path / "cluster", workers=1, regencies=["32.01"], landing=tmp_path / "landing",
                      pg=_server_url())
    (tmp_path / "landing").mkdir()
    try:
        cluster.up()
        pids = {f.stem: int(f.read_text().split()[0]) for f in (cluster.folder / "pids").glob("*.pid")}
        assert set(pids) == {"webserver", "daemon", "worker-1"}
        groups = {name: _group(pid) for name, pid in pids.items()}
        assert all(groups.values()), groups
    finally:
        cluster.down()
    left = [pid for members in groups.values() for pid in members if os.path.exists(f"/proc/{pid}")]
    assert not left, f"still running after down: {left}"
    assert not list((cluster.folder / "pids").glob("*.pid"))


def _group(pgid: int) -> list[int]:
    """The processes of process group ``pgid``."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                out.append(int(entry))
    return out


def test_the_launcher_fails_a_run_whose_worker_is_gone_and_leaves_others_alone():
    """Run monitoring asks the launcher about each started run: a task still "started" in Redis
    whose worker does not answer is a dead worker; a run with no Celery task (a `pdpb run` on the
    same instance) is not the launcher's to judge."""
    _services_or_skip()
    from dagster import DagsterRun
    from dagster._core.launcher import WorkerStatus
    from dagster_celery.tags import DAGSTER_CELERY_TASK_ID_TAG

    from pdpb_pipeline.cluster import launcher

    monkey_timeout, launcher.PING_TIMEOUT = launcher.PING_TIMEOUT, 0.5
    try:
        runs = launcher.PdpbCeleryRunLauncher(default_queue=f"pdpb-test-{uuid.uuid4().hex[:6]}", broker=REDIS_URL,
                                              backend=REDIS_URL)
        task_id = str(uuid.uuid4())
        runs.celery.backend.store_result(task_id, {"pid": 1, "hostname": f"ghost-{task_id[:6]}@nowhere"}, "STARTED")
        dead = runs.check_run_worker_health(DagsterRun(job_name="j", run_id=str(uuid.uuid4()),
                                                       tags={DAGSTER_CELERY_TASK_ID_TAG: task_id}))
        assert dead.status == WorkerStatus.FAILED and "ghost-" in dead.msg
        finished = str(uuid.uuid4())
        runs.celery.backend.store_result(finished, 0, "SUCCESS")
        assert runs.check_run_worker_health(DagsterRun(job_name="j", run_id=str(uuid.uuid4()), tags={
            DAGSTER_CELERY_TASK_ID_TAG: finished})).status == WorkerStatus.SUCCESS
        in_process = runs.check_run_worker_health(DagsterRun(job_name="j", run_id=str(uuid.uuid4())))
        assert in_process.status == WorkerStatus.RUNNING
        runs.celery.backend.forget(task_id)
        runs.celery.backend.forget(finished)
    finally:
        launcher.PING_TIMEOUT = monkey_timeout
