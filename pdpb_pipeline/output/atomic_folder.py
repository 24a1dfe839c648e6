"""A folder put into place whole: a month's publication is the previous one or the new one, never a mix.

``replacing(folder)`` hands out a temporary sibling, ``<parent>/.<name>.tmp-<pid>-<hex>``, to
write every file into. When the block ends without an exception, each file and folder in it is
flushed to disk (fsync), and the sibling takes the folder's place:

- **Linux**: ``renameat2(..., RENAME_EXCHANGE)`` (glibc, through ctypes) swaps the two names in
  one atomic step; the previous content, now under the temporary name, is deleted afterwards.
- **Elsewhere** (no ``renameat2``, or a file system answering EINVAL / ENOSYS / ENOTSUP): two
  renames, ``<name>`` to ``.<name>.old-<pid>-<hex>``, then the temporary sibling to ``<name>``,
  then the old content is deleted. Between the two renames ``<name>`` is missing: ``recover``
  moves the old one back (the warehouse has not recorded the new one yet).
- **A first publication** (``<name>`` does not exist): one rename.

The parent folder is flushed after the swap. If the block raises, the temporary sibling is
deleted and ``<name>`` was never touched.

A process killed at any instant leaves at most such dot-named siblings. ``recover(parent)``,
called before every publication and every withdrawal, finishes what they left: an ``.old-``
sibling goes back into place when ``<name>`` is missing and is deleted otherwise; a ``.tmp-``
sibling is deleted. Siblings of a live process (its pid in the name) are left alone, so is this
process's own work in progress. A name starting with a dot is never a month.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..resources.processes import alive

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, getattr(errno, "ENOTSUP", errno.EINVAL),
                getattr(errno, "EOPNOTSUPP", errno.EINVAL)}
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]+$")

_active: set[str] = set()  # this process's temporary siblings in use (by path)
_active_lock = threading.Lock()


def _load_renameat2():
    if not hasattr(os, "O_DIRECTORY"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swaps the names ``a`` and ``b`` atomically; False where the system cannot (nothing moved)."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _sibling(folder: Path, kind: str) -> Path:
    return folder.parent / f".{folder.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def fsync_tree(root: Path) -> None:
    """Flushes every file under ``root`` and every folder (``root`` included) to disk."""
    for directory, _folders, files in os.walk(root):
        for name in files:
            _fsync(Path(directory) / name, os.O_RDONLY)
        _fsync_folder(Path(directory))


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(path: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):  # a folder cannot be opened for fsync on Windows
        _fsync(path, os.O_RDONLY | os.O_DIRECTORY)


@contextmanager
def replacing(folder: Path) -> Iterator[Path]:
    """A fresh temporary sibling of ``folder`` to write into; put in ``folder``'s place on success."""
    if not folder.parent.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        _fsync_folder(folder.parent.parent)  # the new regency folder's own entry
    staging = _sibling(folder, "tmp")
    with _active_lock:
        _active.add(str(staging))
    try:
        staging.mkdir()  # permissions as any folder the user creates (umask), like the month it becomes
        try:
            yield staging
            fsync_tree(staging)
            put_in_place(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the failed attempt, or the old content
    finally:
        with _active_lock:
            _active.discard(str(staging))


def put_in_place(staging: Path, folder: Path) -> None:
    """``staging`` becomes ``folder``; the previous ``folder``, if any, ends up at ``staging``'s
    name (deleted by the caller). The parent folder is flushed."""
    if not folder.exists():
        os.rename(staging, folder)
    elif exchange(staging, folder):
        pass
    else:
        _two_renames(staging, folder)
    _fsync_folder(folder.parent)


def _two_renames(staging: Path, folder: Path) -> None:
    """The fallback: folder -> .old sibling, staging -> folder, .old -> staging's name. A crash
    after the first rename leaves the month missing and its ``.old`` sibling, which ``recover``
    puts back; a failure of the second rename puts it back at once."""
    old = _sibling(folder, "old")
    os.rename(folder, old)
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    os.rename(old, staging)


def recover(parent: Path) -> list[str]:
    """Finishes what a killed publication left in ``parent``; returns the names it handled."""
    if not parent.is_dir():
        return []
    handled = []
    entries = sorted(os.listdir(parent))
    for name in entries:  # the .old siblings first: one may be the only copy of a month
        match = _LEFTOVER.match(name)
        if match is None or match["kind"] != "old" or _in_use(parent / name, int(match["pid"])):
            continue
        month = parent / match["name"]
        if month.exists():
            shutil.rmtree(parent / name, ignore_errors=True)
        else:
            os.rename(parent / name, month)
        handled.append(name)
    for name in entries:
        match = _LEFTOVER.match(name)
        if match is None or match["kind"] != "tmp" or _in_use(parent / name, int(match["pid"])):
            continue
        shutil.rmtree(parent / name, ignore_errors=True)
        handled.append(name)
    if handled:
        _fsync_folder(parent)
    return handled


def _in_use(path: Path, pid: int) -> bool:
    """Whether a sibling is still being worked on: by a live process, or by this one (its
    temporary folder, or the .old folder of the month that temporary folder is for)."""
    if pid != os.getpid():
        return alive(pid)
    with _active_lock:
        active = [_LEFTOVER.match(Path(a).name) for a in _active]
    mine = _LEFTOVER.match(path.name)
    return any(a is not None and (a.string == path.name or a["name"] == mine["name"]) for a in active)
