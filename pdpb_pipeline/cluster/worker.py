"""The Celery application of a worker: ``celery -A pdpb_pipeline.cluster.worker worker -Q <queue>``.

dagster-celery's tasks (a run, a resumed run, a step) on the configuration the launcher uses
(``celery_config``: ``PDPB_REDIS_URL``, ``PDPB_CELERY_QUEUE``). The worker runs a run with the
instance of its own ``DAGSTER_HOME`` (the production ``dagster.yaml``) and the project's
environment (``PDPB_*``), which must be the daemon's. Before a run starts, the worker puts its own
name on it (tag ``pdpb/celery_worker``): the UI and ``pdpb bench fleet`` show which worker ran what.
"""

from __future__ import annotations

from celery.signals import task_prerun
from dagster import DagsterInstance
from dagster._serdes import unpack_value
from dagster_celery.config import TASK_EXECUTE_JOB_NAME, TASK_RESUME_JOB_NAME
from dagster_celery.tasks import create_execute_job_task, create_resume_job_task, create_task

from . import celery_config
from .launcher import PdpbCeleryRunLauncher

_queue = celery_config.queue()
# The same application the launcher builds (its broker, backend, queue and options).
app = PdpbCeleryRunLauncher(default_queue=_queue, broker=celery_config.redis_url(),
                            backend=celery_config.redis_url()).celery
execute_plan = create_task(app)
execute_job = create_execute_job_task(app)
resume_job = create_resume_job_task(app)


@task_prerun.connect
def _name_the_worker(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
    if getattr(task, "name", None) not in (TASK_EXECUTE_JOB_NAME, TASK_RESUME_JOB_NAME):
        return
    packed = (kwargs or {}).get("execute_job_args_packed")  # the launcher's keyword for both tasks
    if packed is None:
        return
    run_id = unpack_value(packed).run_id
    with DagsterInstance.get() as instance:
        instance.add_run_tags(run_id, {celery_config.WORKER_TAG: task.request.hostname})

