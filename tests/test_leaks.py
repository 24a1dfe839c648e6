"""No full NIK or NKK leaves the warehouse: a real month through `pdpb run`, then every place a
person other than the data officer can read is scanned for every identifier of the run's people.

The agency files carry identifiers the way agencies really type them: spaced, dotted, dashed,
slashed, cut to 15 or run on to 17 digits, as Excel's ``3.67301E+15``, as XLSX numbers; some of
those rows are accepted and change the roll, some are quarantined with the identifier in the raw
row. Scanned: the Dagster event log (every event of every run, whole), stdout/stderr and Python
logging of the run, every file of the published folder (XLSX unzipped), and the output of every
CLI command an officer runs on the month. The scanner (``tests/leakscan.py``) is shown to find a
planted identifier in each spelling, and to find the identifiers where they are allowed: the
warehouse file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from pdpb_lab.synth import SynthConfig, generate

from .feedfiles import write_csv, write_xlsx
from .leakscan import Identifiers, format_leaks, run_month

REGENCY = "36.73"
MONTH = "2026-01"
NIK = "3673012605970003"


# --- the scanner finds what it must --------------------------------------------------------


@pytest.mark.parametrize("spelling", [
    NIK,  # plain
    "3673 0126 0597 0003",  # spaced 4-4-4-4
    "367301.260597.0003",  # dotted 6.6.4
    "3673-0126-0597-0003",  # dashed
    "3673/0126/0597/0003",
    "367301260597000",  # cut to 15 digits
    "36730126059700031",  # run on to 17 digits
    "367301260597",  # its first 12 digits
    "012605970003",  # its last 12 digits
    "NIK3673012605970003x",  # glued to letters
    "3.673012605970003E15",  # an XLSX number cell
])
def test_scanner_finds_a_planted_identifier_in_any_spelling(spelling):
    secrets = Identifiers([NIK])
    text = f'{{"event": "log", "message": "baris 7: {spelling}", "ts": 1764751234.5}}'
    leaks = secrets.scan_text(text, "planted")
    assert [(leak.where, leak.identifier) for leak in leaks] == [("planted", "367301**********")]
    assert NIK not in format_leaks(leaks)  # the report shows the masked form only


def test_scanner_lets_masked_identifiers_and_other_numbers_pass():
    secrets = Identifiers([NIK])
    text = ("NIK 367301**********, NKK 367301**********, 3.67301E+15, desa 36.73.01.1001, run 1764751234.123456, "
            "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, 3673019912990004")
    assert secrets.scan_text(text, "clean") == []


def test_scanner_reads_inside_xlsx_and_collects_identifiers_from_a_landing_folder(tmp_path):
    write_xlsx(tmp_path / "out" / "dpb.xlsx", ["NIK", "NAMA"], [[int(NIK), "BIMA"]])
    write_csv(tmp_path / "landing" / "kua.csv", ["NIK", "NKK"], [["3673 0126 0597 0003", "367301.090314.0008"]])
    secrets = Identifiers.from_landing(tmp_path / "landing")
    assert secrets.count == 2
    leaks = secrets.scan_folder(tmp_path / "out")
    assert len(leaks) == 1 and leaks[0].where.endswith("dpb.xlsx!xl/worksheets/sheet1.xml")
    assert secrets.scan_text("NKK 3673010903140008", "x")  # the dotted NKK, plain


# --- a real month, scanned -----------------------------------------------------------------


def _spaced(v: str) -> str:
    return " ".join(v[i:i + 4] for i in range(0, 16, 4))


def _dotted(v: str) -> str:
    return f"{v[:6]}.{v[6:12]}.{v[12:]}"


def _dashed(v: str) -> str:
    return "-".join(v[i:i + 4] for i in range(0, 16, 4))


def _dmy(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}-{m}-{y}"


def _awkward_feeds(zone: Path) -> dict[str, str]:
    """Agency files whose NIK and NKK cells are typed the awkward ways; returns the people used."""
    dpt = pd.read_csv(zone / "baseline" / REGENCY / "dpt.csv", dtype=str, keep_default_na=False)
    p = [row for _, row in dpt.iloc[100:112].iterrows()]
    month = zone / "landing" / REGENCY / MONTH
    header = ["NIK", "NO_KK", "NAMA_LENGKAP", "TGL_LHR", "JK", "KODE_DESA", "JENIS_PERISTIWA", "TGL_PERISTIWA"]

    def row(person, nik, nkk, event, name=None):
        return [nik, nkk, person["nama"] if name is None else name, _dmy(person["tanggal_lahir"]),
                person["jenis_kelamin"], person["kode_desa"].replace(".", ""), event, "20-01-2026"]

    write_csv(month / "disdukcapil_ejaan.csv", header, [
        row(p[0], _spaced(p[0]["nik"]), _dotted(p[0]["nkk"]), "MENINGGAL"),  # accepted: TMS
        row(p[1], _dotted(p[1]["nik"]), _dashed(p[1]["nkk"]), "MENINGGAL"),  # accepted: TMS
        row(p[2], _dashed(p[2]["nik"]), p[2]["nkk"], "MUTASI LAINNYA"),  # quarantined: unknown event
        row(p[3], p[3]["nik"][:15], p[3]["nkk"] + "7", "MENINGGAL", name=""),  # quarantined: no identity
        row(p[4], p[4]["nik"] + "1", p[4]["nkk"][:15], "MENINGGAL"),  # accepted with a warning (17 digits)
        row(p[5], "3.67301E+15", p[5]["nkk"].replace("", " ").strip(), "MENINGGAL"),  # Excel's form
        row(p[6], p[6]["nik"].replace("", "/")[1:-1], _spaced(p[6]["nkk"]), "TIDAK JELAS"),  # quarantined
        row(p[7], "'" + p[7]["nik"], "'" + p[7]["nkk"], "PERBAIKAN DATA"),  # Excel's text marker
    ])
    lapas = ["No", "Nama WBP", "NIK", "NKK", "Tempat Lahir", "Tgl. Lahir", "L/P", "Alamat", "Kelurahan", "Kecamatan",
             "Status", "Tgl. Masuk/Keluar"]
    write_xlsx(month / "lapas_ejaan.xlsx", lapas, [
        [1, p[8]["nama"], int(p[8]["nik"]), float(p[8]["nkk"]), "SERANG", _dmy(p[8]["tanggal_lahir"]),
         p[8]["jenis_kelamin"], p[8]["alamat"], "", "", "MASUK", "15/01/2026"],  # numbers, as Excel keeps them
        [2, p[9]["nama"], _spaced(p[9]["nik"]), p[9]["nkk"], "SERANG", _dmy(p[9]["tanggal_lahir"]),
         p[9]["jenis_kelamin"], p[9]["alamat"], "", "", "PINDAH BLOK", "15/01/2026"],  # quarantined
        [3, "", int(p[10]["nik"][:15]), "", "", "", "", "", "", "", "MASUK", ""],  # quarantined: no identity
    ])
    return {"voter": p[0]["id"], "nik": p[0]["nik"], "dotted": _dotted(p[1]["nik"]), "voter_dotted": p[1]["id"],
            # how `pdpb quarantine` must show the dashed NIK, the 15-digit NIK and the 17-digit NKK
            "quarantined": [p[2]["nik"][:6] + "*" * 10, p[3]["nik"][:6] + "*" * 9, p[3]["nkk"][:6] + "*" * 11],
            "awkward": [p[i][c] for i in range(11) for c in ("nik", "nkk") if p[i][c]]}


def _previews(instance) -> dict[str, str]:
    """The ``preview`` metadata of every materialisation on the instance, by asset."""
    out = {}
    for run in instance.get_runs():
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is not None and event.is_step_materialization:
                materialization = event.event_specific_data.materialization
                if "preview" in materialization.metadata:
                    out[materialization.asset_key.to_user_string()] = materialization.metadata["preview"].value
    return out


def test_no_full_identifier_in_logs_event_log_published_files_or_cli_output(tmp_path, capfd, monkeypatch):
    zone = tmp_path / "zone"
    generate(SynthConfig(regency=REGENCY, voters=1500, months=1, start=MONTH, seed=7), out_dir=zone)
    people = _awkward_feeds(zone)
    unknown_nik = "3673010101900001"  # a well-formed NIK of nobody on the roll
    explain = ["explain", "--regency", REGENCY]
    run = run_month(zone, REGENCY, MONTH, tmp_path, monkeypatch, env={"PDPB_MAX_QUARANTINE_SHARE": "0.9"}, capfd=capfd,
                    commands=[("explain --id", explain + ["--id", people["voter"]], None),
                              ("explain (stdin)", explain, people["nik"] + "\n"),
                              ("explain --nik -", explain + ["--nik", "-"], people["dotted"] + "\n"),
                              ("explain (unknown NIK)", explain, unknown_nik + "\n"),
                              ("explain (17 digits)", explain, people["nik"] + "9\n"),
                              ("explain --nik VALUE", explain + ["--nik", people["nik"]], None)])
    r = run.results
    assert r["run"].exit_code == 0, r["run"].output
    assert f"pdpb_bulanan {REGENCY} {MONTH}: ok" in r["run"].output

    # What the officer relies on still works: the awkward rows are quarantined and printed, the
    # voter is found by id, by NIK on standard input (also pasted dotted) and not found otherwise.
    quarantine = r["quarantine"].output
    assert "peristiwa_tidak_dikenal" in quarantine and "identitas_tidak_cukup" in quarantine
    assert all(f'""{masked}""' in quarantine for masked in people["quarantined"]), quarantine
    by_id, by_stdin = r["explain --id"], r["explain (stdin)"]
    assert by_id.exit_code == 0 and by_stdin.exit_code == 0 and by_stdin.stdout == by_id.stdout
    assert f"Pemilih {people['voter']}" in by_stdin.stdout and "meninggal" in by_stdin.stdout
    assert r["explain --nik -"].exit_code == 0 and f"Pemilih {people['voter_dotted']}" in r["explain --nik -"].stdout
    unknown = r["explain (unknown NIK)"]
    assert unknown.exit_code == 1 and f"no voter record with NIK {unknown_nik[:6]}**********" in unknown.stderr
    assert r["explain (17 digits)"].exit_code == 2 and "not 16 digits" in r["explain (17 digits)"].stderr
    in_history = r["explain --nik VALUE"]
    assert in_history.exit_code == 0 and "shell history" in in_history.stderr and in_history.stdout == by_id.stdout

    secrets = run.identifiers().add_all([unknown_nik])
    assert all(secrets.scan_text(value, "check") for value in people["awkward"])  # the scan looks for them all
    files = [p for p in run.published.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in files) and any(p.name == "manifest.json" for p in files)
    assert run.texts["Python logging of the run"].count("\n") > 50  # the run logged (DEBUG): the scan reads it
    leaks = run.scan(secrets)
    assert not leaks, format_leaks(leaks)

    # Previews let an engineer see the parse (masked NIK, its status, desa, warnings), never who.
    with DagsterInstance.from_config(str(run.dagster_home)) as instance:
        assert len(instance.get_runs()) == 2  # the baseline load and the month: both scanned
        previews = _previews(instance)
    assert {"dpt_baseline", "feed/disdukcapil", "feed/lapas"} <= set(previews)
    assert "nik_status" in previews["feed/disdukcapil"] and "367301**********" in previews["feed/disdukcapil"]
    names = set(pd.read_csv(zone / "baseline" / REGENCY / "dpt.csv", dtype=str)["nama"].dropna())
    for asset, text in previews.items():
        assert "tanggal_lahir" not in text and "nama" not in text, asset
        assert not [n for n in names if len(n) >= 5 and n in text], asset
    # ... while the warehouse, where the identifiers belong, holds them: the scan would see a leak.
    assert secrets.scan_folder(tmp_path / "warehouse")


def test_explain_at_a_terminal_asks_for_the_nik_without_showing_it(tmp_path):
    """Typed at the prompt, the NIK is not echoed: it is on no screen, in no history, in no `ps`."""
    import pty
    import select
    import subprocess
    import sys

    typed = "3673010101900001"
    master, slave = pty.openpty()
    env = os.environ | {"PDPB_WAREHOUSE_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
                        "PDPB_VAR_DIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen([sys.executable, "-m", "pdpb_pipeline.cli", "explain", "--regency", REGENCY],
                               stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    screen = b""

    def read_until(done) -> None:
        nonlocal screen
        while not done():
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, f"no answer from pdpb explain: {screen!r}"
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the process closed the terminal
                return
            if not chunk:
                return
            screen += chunk

    try:
        # click writes "NIK:", getpass turns the echo off, then writes " ": type after that
        read_until(lambda: b"NIK: " in screen)
        os.write(master, typed.encode() + b"\n")
        read_until(lambda: process.poll() is not None and b"error" in screen)
        assert process.wait(timeout=60) == 1
    finally:
        process.kill()
        os.close(master)
    text = screen.decode(errors="replace")
    assert typed not in text
    assert f"no voter record with NIK {typed[:6]}**********" in text


def _badinput_cases():
    """The bad-input corpus (tests/badinput/cases.py) when this checkout has it."""
    import importlib

    try:
        return importlib.import_module(f"{__package__}.badinput.cases")
    except ModuleNotFoundError:
        pytest.skip("no bad-input corpus (tests/badinput/cases.py) in this checkout")


@pytest.mark.parametrize("blocking", [False, True], ids=["corpus-month-published", "corpus-month-blocked"])
def test_no_full_identifier_leaks_over_the_badinput_corpus(blocking, tmp_path, monkeypatch, capfd):
    """Every file of the corpus in one landing month (its blocking cases in a second run of their
    own, so the first month is published): nothing the run shows or writes holds an identifier."""
    from pdpb_pipeline.feeds.spec import agency_of

    corpus = _badinput_cases()
    regency, month = corpus.REGENCY, corpus.MONTH
    zone = tmp_path / "zone"
    generate(SynthConfig(regency=regency, voters=300, months=1, start=month, seed=5), out_dir=zone)
    folder = zone / "landing" / regency / month
    cases = [c for c in corpus.CASES if (c.outcome == "blocking") == blocking]
    for i, case in enumerate(cases):
        name = Path(case.file_name)
        if agency_of(name.stem) is not None:  # several cases share a name: keep the agency, make it unique
            name = name.with_name(f"{name.stem}_kasus{i:02d}{name.suffix}")
        case.build(folder / name.name)
    run = run_month(zone, regency, month, tmp_path, monkeypatch, capfd=capfd,
                    env={"PDPB_MAX_QUARANTINE_SHARE": "1", "PDPB_MAX_FILE_MB": "1"})
    if blocking:
        assert run.results["run"].exit_code == 1 and "check failed" in run.results["run"].output
    else:
        assert run.results["run"].exit_code == 0, run.results["run"].output
        assert any(p.name == "manifest.json" for p in run.published.rglob("*"))
    secrets = run.identifiers().add_all(corpus.NIKS)
    leaks = run.scan(secrets)
    assert not leaks, format_leaks(leaks)
