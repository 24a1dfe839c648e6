"""Runs one command and writes its own peak memory: ``python -S launch.py RESULT ARGV...``.

Linux keeps in a process's ``ru_maxrss`` the high-water mark of the address space it was forked
with until it executes another program (``exec`` records the old address space's peak), so a
command started straight from the benchmark's process, which by then holds the scored case
(gigabytes at 4M voters), reported that process's size as its own peak. This launcher is small
when it starts the command, so the command's ``ru_maxrss`` is the command's. It writes
``<peak KiB> <exit code>`` to ``RESULT``; the command inherits its standard streams and
environment. Only the standard library: it runs without ``site`` (``-S``).
"""

import os
import subprocess
import sys


def main() -> None:
    result, argv = sys.argv[1], sys.argv[2:]
    proc = subprocess.Popen(argv)
    _, status, usage = os.wait4(proc.pid, 0)
    with open(result, "w") as out:
        out.write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()
