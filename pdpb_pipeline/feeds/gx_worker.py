"""The validation worker of ``pdpb run``: GX imported beside the command's start-up.

Importing Great Expectations takes two to three seconds (its expectations import SciPy), and
``pdpb run`` runs every step in its one process: the first feed with rows paid it. ``start``
forks a process before Dagster and pandas are imported; it imports GX and builds its ephemeral
context (``expectations._context``) on the other core while the command imports Dagster, builds
the definitions and launches the run. The feed steps then send it their suites and frames
(``run``) and get back what ``expectations.run_suite`` returns: the same GX validation, in
another process. If the worker is gone or GX raised there, ``run`` gives None and the step
validates in its own process (where an error is raised as it would be without the worker).

Nothing here is used by runs Dagster launches (schedule, sensor, UI): they validate in each
step's process.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys


class _Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.conn), name="pdpb-gx", daemon=True)
        self.process.start()
        child.close()

    def run(self, request: tuple) -> list[dict] | None:
        try:
            self.conn.send(request)
            ok, value = self.conn.recv()
        except (EOFError, OSError):
            return None
        return value if ok else None

    def close(self) -> None:
        """An idle worker reads EOF and returns; one still importing GX (a command refused at
        once) holds nothing of value (no file, no connection) and is killed."""
        self.conn.close()
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _serve(conn, parent_end) -> None:
    """The worker's loop: builds the GX context, then answers one request at a time until the
    pipe closes (``stop``, or the command's process is gone)."""
    parent_end.close()  # the fork's copy of the command's end: with it open, EOF would never come
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle; it stops us
    from . import expectations

    try:
        expectations._context()
    except Exception:  # noqa: BLE001 - the command validates in its own process and sees the error there
        pass
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, expectations.run_suite(*request))
        except Exception:  # noqa: BLE001 - as above
            reply = (False, None)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


_worker: _Worker | None = None


def start() -> bool:
    """Starts the worker unless one runs already, GX is imported in this process already (the
    worker would gain nothing) or processes cannot be forked here. Whether a worker runs."""
    global _worker
    if _worker is None and "great_expectations" not in sys.modules and (
            "fork" in multiprocessing.get_all_start_methods()):
        _worker = _Worker()
    return _worker is not None


def run(name: str, suite_json: str, frame) -> list[dict] | None:
    """``expectations.run_suite(name, suite_json, frame)`` in the worker; None when no worker
    runs or it could not answer (then it is stopped: later feeds validate in this process)."""
    if _worker is None:
        return None
    outcomes = _worker.run((name, suite_json, frame))
    if outcomes is None:
        stop()
    return outcomes


def stop() -> None:
    global _worker
    if _worker is not None:
        worker, _worker = _worker, None
        worker.close()
