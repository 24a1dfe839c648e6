"""Finds full NIKs and NKKs where none may be: logs, the Dagster event log, published files, CLI output.

Reusable by any test that runs the pipeline over some landing folder; the whole thing::

    run = run_month(zone, "32.01", "2026-01", tmp_path, monkeypatch, capfd=capfd)  # `pdpb run` + commands
    leaks = run.scan()                     # every identifier under ``zone`` and in the warehouse
    assert not leaks, format_leaks(leaks)

or piece by piece::

    secrets = Identifiers.from_landing(landing_dir)          # every identifier the agencies sent
    secrets.add_all(warehouse_identifiers(warehouse))       # and every one on the roll
    leaks = scan_everything(secrets, instance=instance, folders=[published_dir],
                            texts={"pdpb quarantine": output, "stderr": captured.err})

An identifier is any run of 15 to 17 digits (possibly separated by single spaces, dots, dashes or
slashes, as agencies type them) in the landing files, and any NIK or NKK in the warehouse. It is
found in a text in any spelling: plain, spaced ``4-4-4-4``, dotted ``6.6.4``, dashed, slashed, cut
to 15 or run on to 17 digits, glued to letters, or only its first (or last) 12 digits. A masked
identifier (``320101**********``) shows 6 digits and is not a leak. Reports never print the
identifier itself, only where it was found and its masked form.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Digits with at most one separator between two of them: how an identifier is typed.
DIGIT_RUN = re.compile(r"\d(?:[ ./\-]?\d)*")
_SEPARATORS = re.compile(r"[ ./\-]")
#: Digits of an identifier that, in a row, are too many to show.
WINDOW = 12


@dataclass(frozen=True)
class Leak:
    where: str
    offset: int
    identifier: str  # masked: the first 6 digits

    def __str__(self) -> str:
        return f"{self.where} @{self.offset}: {self.identifier}"


def format_leaks(leaks: list[Leak], limit: int = 20) -> str:
    lines = [str(leak) for leak in leaks[:limit]]
    if len(leaks) > limit:
        lines.append(f"... and {len(leaks) - limit} more")
    return f"{len(leaks)} full identifier(s) found:\n" + "\n".join(lines)


def digit_runs(text: str, minimum: int = 15, maximum: int = 17) -> list[str]:
    """The digits of every run of ``minimum``..``maximum`` digits in ``text`` (separators dropped)."""
    out = []
    for found in DIGIT_RUN.finditer(text):
        digits = _SEPARATORS.sub("", found.group(0))
        if minimum <= len(digits) <= maximum:
            out.append(digits)
    return out


def file_texts(path: Path) -> Iterable[tuple[str, str]]:
    """(name, text) of a file: each member of a zip (XLSX: the sheet XML), else the file's bytes."""
    data = path.read_bytes()
    members: list[tuple[str, str]] = []
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [(f"{path}!{m}", _decode(archive.read(m))) for m in archive.namelist()]
        except Exception:  # a truncated or corrupt zip (agencies send those): read as bytes below
            members = []
    yield from members
    yield str(path), _decode(data)  # the bytes too: a zip's stored members, or what is not a zip


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("latin-1")  # digits are ASCII in every encoding agencies use


class Identifiers:
    """The identifiers of a run's people, and the scan for them."""

    def __init__(self, values: Iterable[str] = ()):
        self._windows: dict[str, str] = {}  # 12-digit window (first or last 12) -> masked identifier
        self.count = 0
        self.add_all(values)

    def add_all(self, values: Iterable[str]) -> "Identifiers":
        for value in values:
            self.add(value)
        return self

    def add(self, value: str) -> None:
        digits = _SEPARATORS.sub("", str(value or "").strip())
        if len(digits) < WINDOW or not digits.isdigit():
            return
        masked = digits[:6] + "*" * (len(digits) - 6)
        self._windows.setdefault(digits[:WINDOW], masked)
        self._windows.setdefault(digits[-WINDOW:], masked)
        self.count += 1

    @classmethod
    def from_landing(cls, root: Path) -> "Identifiers":
        """Every 15-17 digit run in every file under ``root`` (XLSX read as their XML)."""
        ids = cls()
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            for _, text in file_texts(path):
                ids.add_all(digit_runs(text))
        return ids

    def scan_text(self, text: str, where: str) -> list[Leak]:
        leaks = []
        for found in DIGIT_RUN.finditer(text or ""):
            digits = _SEPARATORS.sub("", found.group(0))
            for i in range(len(digits) - WINDOW + 1):
                masked = self._windows.get(digits[i:i + WINDOW])
                if masked:
                    leaks.append(Leak(where, found.start(), masked))
                    break
        return leaks

    def scan_folder(self, folder: Path) -> list[Leak]:
        """Every file under ``folder``: CSV, manifest, and XLSX unzipped (its XML parts)."""
        leaks = []
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            for name, text in file_texts(path):
                leaks += self.scan_text(text, name)
        return leaks

    def scan_event_log(self, instance) -> list[Leak]:
        """Every event of every run on a DagsterInstance, serialised whole (messages, metadata,
        check results, errors and their causes)."""
        from dagster._serdes import serialize_value

        leaks = []
        for run in instance.get_runs():
            leaks += self.scan_text(serialize_value(run), f"run {run.run_id} (tags, config)")
            for entry in instance.all_logs(run.run_id):
                leaks += self.scan_text(serialize_value(entry), f"event log of run {run.run_id}")
        return leaks


def scan_everything(secrets: Identifiers, *, instance=None, folders: Iterable[Path] = (),
                    texts: dict[str, str] | None = None) -> list[Leak]:
    """One call for a whole run: the event log of ``instance``, every file under ``folders``
    (the published output), and ``texts`` by name (CLI outputs, captured stdout/stderr, logs)."""
    leaks = secrets.scan_event_log(instance) if instance is not None else []
    for folder in folders:
        leaks += secrets.scan_folder(Path(folder))
    for name, text in (texts or {}).items():
        leaks += secrets.scan_text(text, name)
    return leaks


def warehouse_identifiers(warehouse) -> list[str]:
    """Every NIK and NKK the warehouse holds for anybody: the roll's versions and the feeds' rows."""
    values: list[str] = []
    for table, columns in (("dpb", ("nik", "nkk")), ("feed_row", ("nik", "nkk"))):
        frame = warehouse.read(f"SELECT {', '.join(columns)} FROM {table}")
        for column in columns:
            values += [v for v in frame[column].dropna().astype(str) if v]
    return values


class LogRecords(logging.Handler):
    """Collects every Python log record (its message, arguments and extra fields) while attached."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is still scanned by its parts
            message = f"{record.msg!r} {record.args!r}"
        self.texts.append(f"{record.name}: {message} {record.__dict__!r}")

    def __enter__(self) -> "LogRecords":
        root = logging.getLogger()
        self._level = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._level)


@dataclass
class MonthRun:
    """A month closed through `pdpb run` (in this process), the officer's commands after it, and
    everything they printed or logged, ready for ``scan``."""

    zone: Path
    regency: str
    month: str
    warehouse_url: str
    published: Path
    dagster_home: Path
    #: CLI result by command name (``run``, ``quarantine``, ``rekap``, ``status`` and the extra ones)
    results: dict
    #: text by where it was seen: CLI outputs, Python logging, captured stdout/stderr
    texts: dict[str, str]

    def identifiers(self) -> Identifiers:
        """Every identifier the agencies sent (all files under ``zone``) and the warehouse holds."""
        from pdpb_pipeline.resources.warehouse import Warehouse

        return Identifiers.from_landing(self.zone).add_all(warehouse_identifiers(Warehouse(url=self.warehouse_url)))

    def scan(self, secrets: Identifiers | None = None) -> list[Leak]:
        """Leaks in the Dagster event log, the published folder and every text of the run."""
        from dagster import DagsterInstance

        secrets = secrets or self.identifiers()
        with DagsterInstance.from_config(str(self.dagster_home)) as instance:
            return scan_everything(secrets, instance=instance, folders=[self.published], texts=self.texts)


def run_month(zone: Path, regency: str, month: str, tmp: Path, monkeypatch, *, env: dict[str, str] | None = None,
              commands: Iterable[tuple[str, list[str], str | None]] = (), capfd=None) -> MonthRun:
    """Closes ``regency`` ``month`` from the landing folder ``zone`` (``baseline/`` and ``landing/``, as
    `pdpb synth` writes it) with `pdpb run --verbose`, then runs `pdpb quarantine`, `rekap`, `status`
    and ``commands`` ((name, arguments after ``pdpb``, standard input)). A failed run is recorded,
    not raised: a bad-input corpus may block the month. ``env`` adds or overrides settings."""
    import importlib

    from typer.testing import CliRunner

    home, wh = tmp / "dagster_home", tmp / "warehouse"
    home.mkdir(parents=True, exist_ok=True)
    wh.mkdir(parents=True, exist_ok=True)
    url, published = f"sqlite:///{wh / 'warehouse.sqlite'}", tmp / "published"
    settings = {"PDPB_WAREHOUSE_URL": url, "PDPB_LANDING_DIR": str(zone), "PDPB_OUTPUT_DIR": str(published),
                "PDPB_SNAPSHOT_DIR": str(tmp / "snapshot"), "PDPB_REGENCIES": regency, "PDPB_START_MONTH": month,
                "DAGSTER_HOME": str(home), "PDPB_MASK_KEEP": "6,0"} | (env or {})
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    import pdpb_pipeline.definitions as definitions

    importlib.reload(definitions)  # the CLI's definitions, built from the environment above
    from pdpb_pipeline.cli.app import app

    runner = CliRunner()
    results, texts = {}, {}

    def invoke(name: str, args: list[str], stdin: str | None = None) -> None:
        result = runner.invoke(app, args, input=stdin, catch_exceptions=False)
        results[name] = result
        texts[f"output of `pdpb {name}`"] = result.output  # stdout and stderr as the terminal shows them

    try:
        with LogRecords() as logs:
            invoke("run", ["run", "--regency", regency, "--month", month, "--verbose"])
        texts["Python logging of the run"] = "\n".join(logs.texts)
        invoke("quarantine", ["quarantine", "--regency", regency, "--month", month])
        invoke("rekap", ["rekap", "--regency", regency, "--month", month])
        invoke("status", ["status", "--regency", regency])
        for name, args, stdin in commands:
            invoke(name, args, stdin)
    finally:
        importlib.reload(definitions)
    if capfd is not None:
        captured = capfd.readouterr()
        texts["captured stdout"], texts["captured stderr"] = captured.out, captured.err
    return MonthRun(zone=zone, regency=regency, month=month, warehouse_url=url, published=published,
                    dagster_home=home, results=results, texts=texts)
