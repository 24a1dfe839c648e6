"""The Celery configuration the run launcher and the workers share: where the broker is, which
queue the runs go to, and how a worker takes them.

``PDPB_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) is the broker and the result backend;
``PDPB_CELERY_QUEUE`` (default ``pdpb``) the queue of this deployment's runs (two deployments on
one Redis keep apart by queue name). The instance (``dagster.yaml``) names the same two variables.

A run is long (minutes to an hour) and heavy, so a worker takes **one run at a time and only when
it is free**: ``worker_disable_prefetch`` (Redis brokers) stops an idle-looking worker from
reserving a second run while it executes the first, which would leave that run waiting behind it
while other workers sit idle (with Celery's default prefetch of 4 a fleet of workers runs one run
at a time per reserved batch). Tasks are acknowledged when they start (``task_acks_late`` off):
a worker killed half-way through never gets its run redelivered by the broker an hour later
(Redis' visibility timeout) after Dagster has already retried it; the retry is Dagster's
(run monitoring, run retries).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "pdpb"
#: The tag a worker puts on each run it starts: its Celery node name (``pdpb-w1@host``).
WORKER_TAG = "pdpb/celery_worker"

#: Celery settings of both sides (``config_source`` of the launcher, ``app.conf`` of a worker).
OPTIONS: dict[str, object] = {
    "worker_prefetch_multiplier": 1,
    "worker_disable_prefetch": True,
    "task_acks_late": False,
    "task_track_started": True,
    "result_extended": True,  # the backend keeps the task's worker and name
    "result_expires": 7 * 24 * 3600,
    "broker_connection_retry_on_startup": True,
    "worker_hijack_root_logger": False,
}


def redis_url(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("PDPB_REDIS_URL", "").strip() or DEFAULT_REDIS_URL


def queue(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("PDPB_CELERY_QUEUE", "").strip() or DEFAULT_QUEUE


def task_queues(name: str):
    """The one queue of the deployment's runs, bound for the keys the launcher sends with
    (``<queue>.execute_job``, ``<queue>.resume_job``)."""
    from kombu import Exchange, Queue

    return [Queue(name, Exchange(name, type="topic"), routing_key=f"{name}.#")]
