"""Many regencies at once: the production instance's runs as Celery tasks (the ``cluster`` extra).

``deploy/production/dagster.yaml`` queues runs (``QueuedRunCoordinator``: a global limit, one run
per regency) and launches them with dagster-celery's ``CeleryRunLauncher`` through Redis, broker
and result backend. A run is one Celery task, run by whichever worker is free; each worker
(``celery -A pdpb_pipeline.cluster.worker worker``, ``scripts/cluster.sh``) runs one run at a time.

- ``celery_config``: the one Celery configuration of the launcher and the workers (broker, queue,
  prefetch), from ``PDPB_REDIS_URL`` and ``PDPB_CELERY_QUEUE``;
- ``launcher``: the run launcher, dagster-celery's, whose worker health check also asks the worker
  that holds a started run whether it is still there (a SIGKILLed worker leaves its task
  "started" in the result backend for ever);
- ``worker``: the Celery application the workers run; it names the worker on each run it starts
  (tag ``pdpb/celery_worker``).

Only the production instance and the workers import this package; the embedded default
(``make demo``, ``pdpb run``) never does.
"""
