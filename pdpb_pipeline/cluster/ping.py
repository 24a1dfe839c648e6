"""``python -m pdpb_pipeline.cluster.ping N [SECONDS [CLUSTER_NAME]]``: waits until the workers
``scripts/cluster.sh`` names ``<CLUSTER_NAME>-w1@<host>`` .. ``-wN@<host>`` (default name ``pdpb``) answer on ``PDPB_REDIS_URL``, at most SECONDS
(default 60); prints their names. Exit 1 if some did not answer in time. ``cluster.sh up`` ends
with it."""

from __future__ import annotations

import socket
import sys
import time

from celery import Celery

from . import celery_config


def worker_name(number: int, cluster: str = "pdpb", host: str | None = None) -> str:
    """The Celery node name of ``cluster.sh``'s worker ``number`` (``-n <cluster>-w<number>@%h``)."""
    return f"{cluster}-w{number}@{host or socket.gethostname()}"


def answering(app: Celery, names: list[str], timeout: float = 1.0) -> list[str]:
    return sorted(name for reply in app.control.ping(destination=names, timeout=timeout) for name in reply)


def main(argv: list[str]) -> int:
    wanted, seconds = int(argv[0]), float(argv[1]) if len(argv) > 1 else 60.0
    cluster = argv[2] if len(argv) > 2 else "pdpb"
    url = celery_config.redis_url()
    app = Celery("pdpb-ping", broker=url, backend=url)
    deadline = time.monotonic() + seconds
    expected = [worker_name(i, cluster) for i in range(1, wanted + 1)]
    names: list[str] = []
    while time.monotonic() < deadline:
        names = answering(app, expected)
        if len(names) >= wanted:
            print(f"workers answering: {', '.join(names)}")
            return 0
        time.sleep(1)
    print(f"only {len(names)} of {wanted} workers answer after {seconds:g} s: {', '.join(names) or 'none'}",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
