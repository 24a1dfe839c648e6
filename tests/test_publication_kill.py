"""A publication killed with SIGKILL at any instant leaves the previous month or the new one, whole.

A worker process (tests/publication_worker.py) publishes a real roll into one month folder,
alternately roll A and roll B, and is killed: at each of its steps in turn (a file written, a
file or folder flushed, the swap, the deletion of the old content), after a spread of short
delays, and as soon as its temporary folder appears. After every kill the month folder must
hold exactly the files of A's or B's manifest with their checksums (the previous one, or the
new one once the swap is done), never a mix and never missing; the next run's cleanup leaves no
temporary sibling, and a publication run to the end gives the reference bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pdpb_pipeline.output import atomic_folder, publish

from .publication_worker import roll_pair
from .test_publish_speed_safe import MONTH, REFERENCE, REGENCY, _publish_inputs

WORKER = Path(__file__).with_name("publication_worker.py")

pytestmark = [pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker forks"),
              pytest.mark.xdist_group("publication_kill")]


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Each roll published once, undisturbed: its manifest and every file's bytes."""
    root = tmp_path_factory.mktemp("reference")
    out = {}
    for name, roll in zip("AB", roll_pair()):
        folder = root / name / REGENCY / MONTH
        publish.publish(folder, REGENCY, MONTH, REFERENCE, roll, *_publish_inputs(roll))
        out[name] = _files(folder)
    assert out["A"] != out["B"] and out["A"]["manifest.json"] != out["B"]["manifest.json"]
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _which(folder: Path, references: dict) -> str:
    """"A" or "B" when the folder is that publication whole (files and checksums), else fails."""
    assert folder.is_dir(), "the month folder is missing"
    files = _files(folder)
    assert "manifest.json" in files, f"a partial folder: {sorted(files)[:5]}..."
    manifest = json.loads(files["manifest.json"])
    assert set(files) == set(manifest) | {"manifest.json"}, "files and manifest differ"
    for name, entry in manifest.items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"], f"{name} is not what the manifest says"
    matches = [k for k, ref in references.items() if ref == files]
    assert matches, "a complete folder, but neither publication"
    return matches[0]


class Worker:
    def __init__(self, folder: Path):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(WORKER.parent.parent),
                                                                       os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen([sys.executable, str(WORKER), str(folder)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.fallback = False
        assert self._line() == "ready"

    def _line(self) -> str:
        line = self.process.stdout.readline()
        assert line, f"the worker ended (exit {self.process.poll()})"
        return line.strip()

    def _expect(self, word: str) -> str:
        line = self._line()
        assert line.split()[0] == word, line
        return line.split()[1]

    def send(self, line: str) -> None:
        self.process.stdin.write(line + (" fallback" if self.fallback else "") + "\n")
        self.process.stdin.flush()

    def steps(self, version: str) -> int:
        self.send(f"steps {version} 0")
        self._expect("pid")
        steps = int(self._expect("steps"))
        assert self._expect("status") == "0"
        return steps

    def publish(self, version: str, kill_at: int = 0) -> int:
        self.send(f"publish {version} {kill_at}")
        self._expect("pid")
        return int(self._expect("status"))

    def start(self, version: str) -> int:
        self.send(f"publish {version} 0")
        return int(self._expect("pid"))

    def status(self) -> int:
        return int(self._expect("status"))

    def close(self) -> None:
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """One worker for the module (its start costs seconds); the month folder starts empty each test."""
    folder = tmp_path_factory.mktemp("kill") / "out" / REGENCY / MONTH
    started = Worker(folder)
    yield started, folder
    started.close()


@pytest.fixture
def fresh(worker):
    started, folder = worker
    if folder.parent.exists():
        shutil.rmtree(folder.parent)
    started.fallback = False
    return started, folder


#: A temporary or old sibling as atomic_folder names them: ``.<name>.tmp-<pid>-<hex>``, ``.old-``.
LEFTOVER = re.compile(r"^\.(.+)\.(tmp|old)-\d+-[0-9a-f]+$")


def _check_after_kill(folder: Path, references: dict, before: str, target: str, fallback: bool) -> str:
    """The state a kill left, then the cleanup a next run does; returns the version in place."""
    leftovers = [n for n in os.listdir(folder.parent) if n.startswith(".")]
    assert all(LEFTOVER.match(n) for n in leftovers), leftovers
    if fallback and not folder.exists():
        # Killed between the two renames: the previous publication waits under its .old name.
        assert any(".old-" in n for n in leftovers)
    else:
        assert _which(folder, references) in (before, target)
    atomic_folder.recover(folder.parent)
    assert [n for n in os.listdir(folder.parent) if n.startswith(".")] == []
    now = _which(folder, references)
    assert now in (before, target)
    return now


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "two_renames"])
def test_publication_killed_at_every_step_leaves_a_whole_month(fresh, references, fallback):
    worker, folder = fresh
    worker.fallback = fallback
    assert worker.publish("A") == 0
    assert _which(folder, references) == "A"
    steps = worker.steps("B")  # also a full replacement: B is in place
    # every file written (the manifest aside) and flushed, the swap, the old content deleted
    assert _which(folder, references) == "B" and steps >= 2 * len(references["B"])
    current, outcomes = "B", {"previous": 0, "new": 0}
    # The fallback differs only in the swap: its sweep starts with the last files flushed.
    first = steps - 12 if fallback else 1
    for kill_at in range(first, steps + 1):
        target = "A" if current == "B" else "B"
        assert worker.publish(target, kill_at) == -signal.SIGKILL
        now = _check_after_kill(folder, references, current, target, fallback)
        outcomes["previous" if now == current else "new"] += 1
        current = now
    # Killed before the swap the previous month stays; killed after it, the new one.
    assert outcomes["previous"] > 0 and outcomes["new"] > 0
    assert worker.publish("A") == 0 and _which(folder, references) == "A"


def test_publication_killed_after_delays_or_when_its_folder_appears(fresh, references):
    worker, folder = fresh
    started = time.perf_counter()
    assert worker.publish("A") == 0
    duration = time.perf_counter() - started
    current, kills = "A", 0
    delays = [duration * i / 10 for i in range(12)]
    for delay in delays + [None] * 3:
        target = "A" if current == "B" else "B"
        pid = worker.start(target)
        if delay is None:  # as soon as the temporary folder is there
            deadline = time.monotonic() + 30
            while not any(".tmp-" in n for n in os.listdir(folder.parent)) and time.monotonic() < deadline:
                time.sleep(0.0005)
        else:
            time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished
        status = worker.status()
        assert status in (0, -signal.SIGKILL)
        kills += status != 0
        current = _check_after_kill(folder, references, current, target, fallback=False)
    # How many delays fall inside the publication depends on the machine; the step sweep above
    # covers every step whatever the timing. At least some of these kills landed.
    assert kills > 0
