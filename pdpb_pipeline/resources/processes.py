"""Whether a process on this host still runs: what a crash left is only cleaned up once its
owner is gone (a leftover publication folder, a regency claim)."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """True while process ``pid`` exists on this host (this process always does)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # no cheap probe that leaves the process alone: treated as gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True
