"""A publication to be killed: used by tests/test_publication_kill.py, not a test itself.

Started once (imports take seconds), it forks one child per publication, so each kill costs a
fork, not an interpreter. Commands on standard input, one per line:

- ``publish <A|B> <k> [fallback]``: a child publishes roll A or B into the month folder given on
  the command line. With ``fallback`` the swap reports "not supported", so the two-rename
  sequence is used. With ``k`` > 0 the
  child kills itself (SIGKILL) just before its k-th step: a file written, a file or folder
  flushed, a rename or swap, a folder deleted. Prints ``pid <pid>`` when the child starts and
  ``status <code>`` when it ends (minus the signal number when killed).
- ``steps <A|B> 0 [fallback]``: the same publication without a kill; the child prints ``steps <n>``.
- ``quit``.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pdpb_pipeline.output import atomic_folder, publish  # noqa: E402
from tests.test_publish_speed_safe import MONTH, REFERENCE, REGENCY, _publish_inputs, _roll  # noqa: E402


def roll_pair():
    """Two rolls of one regency that publish different files: B renames and drops voters of A."""
    a = _roll(800)
    b = a.drop(index=range(0, 800, 7)).reset_index(drop=True)
    b.loc[::5, "nama"] = "NAMA DIPERBAIKI"
    return a, b


def _hook(module, name: str, state: dict) -> None:
    original = getattr(module, name)

    def step(*args, **kwargs):
        state["steps"] += 1
        if state["steps"] == state["kill_at"]:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(module, name, step)


def _child(folder: Path, roll, inputs, kill_at: int, fallback: bool, report_steps: bool) -> None:
    state = {"steps": 0, "kill_at": kill_at}
    if fallback:
        atomic_folder.exchange = lambda a, b: False
    for module, name in [(publish, "write_csv"), (publish, "write_workbook"), (os, "fsync"), (os, "rename"),
                         (atomic_folder, "exchange"), (atomic_folder.shutil, "rmtree")]:
        _hook(module, name, state)
    publish.publish(folder, REGENCY, MONTH, REFERENCE, roll, *inputs)
    if report_steps:
        print(f"steps {state['steps']}", flush=True)


def main() -> None:
    folder = Path(sys.argv[1])
    rolls = {name: (roll, _publish_inputs(roll)) for name, roll in zip("AB", roll_pair())}
    with tempfile.TemporaryDirectory() as scratch:  # warm every lazy cache once, for all children
        publish.publish(Path(scratch) / REGENCY / MONTH, REGENCY, MONTH, REFERENCE, *rolls["A"][:1], *rolls["A"][1])
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "quit":
            return
        version, kill_at, fallback = args[0], int(args[1]), args[2:] == ["fallback"]
        pid = os.fork()
        if pid == 0:
            try:
                _child(folder, *rolls[version], kill_at, fallback, command == "steps")
                code = 0
            except BaseException:
                traceback.print_exc()
                code = 3
            sys.stdout.flush()
            os._exit(code)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(f"status {code}", flush=True)


if __name__ == "__main__":
    main()
