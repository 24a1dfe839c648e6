"""The production instance's run launcher: dagster-celery's ``CeleryRunLauncher``, on this
deployment's queue, with a worker health check that notices a dead worker.

dagster-celery judges a run's worker by its task's state in the result backend: ``STARTED`` is
"running". A worker killed outright (SIGKILL, the OOM killer, a lost machine) never writes
another state, so its run stays ``STARTED`` and the stock launcher lets run monitoring wait for
``max_runtime_seconds`` before the run is failed and retried. Here a ``STARTED`` task's worker
(its Celery node name, which the backend keeps with the state) is asked over the broker whether it
is still there (Celery's ``ping``, answered by the worker's main thread even while its pool
thread runs the run); no answer twice in a row and the worker is reported ``FAILED``: run
monitoring fails the run at its next poll and run retries launch it again, on a worker that is
alive. Everything else is dagster-celery's.
"""

from __future__ import annotations

from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster_celery.config import TASK_EXECUTE_JOB_NAME, TASK_RESUME_JOB_NAME
from dagster_celery.launcher import CeleryRunLauncher
from dagster_celery.tags import DAGSTER_CELERY_TASK_ID_TAG

from .celery_config import OPTIONS, task_queues

#: Seconds to wait for a worker's answer, and how many unanswered pings make it dead.
PING_TIMEOUT = 3.0
PING_ATTEMPTS = 2


class PdpbCeleryRunLauncher(CeleryRunLauncher):
    def __init__(self, default_queue: str, config_source: dict | None = None, **kwargs) -> None:
        super().__init__(default_queue=default_queue, config_source={**OPTIONS, **(config_source or {})},
                         **kwargs)
        self.celery.conf.task_queues = task_queues(default_queue)
        self.celery.conf.task_routes = {
            name: {"queue": default_queue, "routing_key": f"{default_queue}.{name}"}
            for name in (TASK_EXECUTE_JOB_NAME, TASK_RESUME_JOB_NAME)}

    def worker_answers(self, node: str) -> bool:
        for _ in range(PING_ATTEMPTS):
            if self.celery.control.ping(destination=[node], timeout=PING_TIMEOUT):
                return True
        return False

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        if DAGSTER_CELERY_TASK_ID_TAG not in run.tags:
            # not launched here: a `pdpb run` on this instance (in its own process, which the
            # regency lock watches), never failed by monitoring for having no Celery task
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        health = super().check_run_worker_health(run)
        if health.status != WorkerStatus.RUNNING:
            return health
        result = self.celery.AsyncResult(run.tags[DAGSTER_CELERY_TASK_ID_TAG])
        info = result.info if isinstance(result.info, dict) else {}
        node = info.get("hostname")
        if not node or self.worker_answers(node):
            return health
        if self.celery.AsyncResult(result.task_id).state != "STARTED":  # it ended while we asked
            return super().check_run_worker_health(run)
        return CheckRunHealthResult(
            WorkerStatus.FAILED, f"Celery worker {node} holding the run's task does not answer: it is gone.")
