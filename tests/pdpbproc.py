"""`pdpb` commands in processes of their own, for tests that kill them or run them side by side.

Each command is a real process running the `pdpb` CLI (``pdpb_pipeline.cli.app``) with its own
environment, stdout and stderr files, killed or awaited by pid. The processes are forked from
a ``multiprocessing`` forkserver that has imported Dagster, pandas and Great Expectations once:
``python -m pdpb_pipeline.cli`` spends some ten seconds importing them, which for the dozens of
runs of the crash test would be most of its time. ``pdpb_pipeline.definitions`` is not preloaded:
it reads the environment when imported, so each process imports it after setting its own.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PRELOAD = ["pandas", "pyarrow.parquet", "sqlalchemy", "dagster", "great_expectations", "openpyxl",
           "pdpb_pipeline.assets.roll", "pdpb_pipeline.assets.feeds", "pdpb_pipeline.assets.linkage",
           "pdpb_pipeline.assets.baseline", "pdpb_pipeline.assets.landing", "pdpb_pipeline.cli.app"]

_context = None


def _ctx():
    global _context
    if _context is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # the forkserver imports GX with this environment
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _main(argv: list[str], env: dict[str, str], out: str, err: str) -> None:
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    from pdpb_pipeline.cli.app import app

    code = 0
    try:
        app(argv, prog_name="pdpb")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - shown in the stderr file like an uncaught error
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@dataclass
class Pdpb:
    """A running `pdpb` command."""

    process: multiprocessing.Process
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr(self) -> str:
        return self.err.read_text(errors="replace") if self.err.exists() else ""

    def stdout(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def wait(self, timeout: float = 600) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.kill()
            raise TimeoutError(f"pdpb did not finish in {timeout} s:\n{self.stderr()[-3000:]}")
        return self.process.exitcode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.join(60)

    def wait_for(self, pattern: str, timeout: float = 300) -> re.Match:
        """Waits until stderr holds ``pattern`` (a regular expression); fails if the process ends first."""
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.stderr())
            if found:
                return found
            if not self.process.is_alive():
                found = regex.search(self.stderr())
                if found:
                    return found
                raise AssertionError(f"pdpb ended (exit {self.process.exitcode}) before {pattern!r}:\n"
                                     f"{self.stderr()[-3000:]}\n{self.stdout()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {pattern!r} in {timeout} s")
            time.sleep(0.02)


def start(argv: list[str], env: dict[str, str], logs: Path, name: str) -> Pdpb:
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{name}.out", logs / f"{name}.err"
    for path in (out, err):
        path.unlink(missing_ok=True)
    process = _ctx().Process(target=_main, args=(list(argv), dict(env), str(out), str(err)), daemon=False)
    process.start()
    return Pdpb(process, out, err)


def run(argv: list[str], env: dict[str, str], logs: Path, name: str, timeout: float = 600) -> Pdpb:
    pdpb = start(argv, env, logs, name)
    pdpb.wait(timeout)
    return pdpb


@contextmanager
def scratch(fallback: Path) -> Iterator[Path]:
    """A scratch folder in /dev/shm where there is one (else ``fallback``). A SIGKILL ends the
    process, not the machine, so what reached the page cache survives as it would on disk; the
    runs, whose Dagster instance fsyncs on every event, take a third of the time there."""
    shm = Path("/dev/shm")
    if not os.access(shm, os.W_OK):
        yield fallback
        return
    root = Path(tempfile.mkdtemp(prefix="pdpb-test-", dir=shm))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
