"""``pdpb run``'s validation worker (GX in a process of its own) gives the checks the feed's own
process would give, and a worker that is gone never loses a check."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from dagster import AssetKey

from pdpb_pipeline.feeds import expectations, gx_worker

KEY = AssetKey(["feed", "disdukcapil"])


def _frame() -> pd.DataFrame:
    """Rows that fail some of disdukcapil's expectations: an event the agency does not report
    (blocking), a sex that is neither L nor P, names missing, an age past 120, a bad desa code."""
    n = 40
    frame = pd.DataFrame({
        "jenis_peristiwa": ["pindah_masuk"] * (n - 1) + ["pmi_berangkat"],
        "nama": ["SITI"] * (n - 2) + ["", ""],
        "nik_status": ["valid"] * n,
        "jenis_kelamin": ["L", "P"] * (n // 2 - 1) + ["X", "P"],
        "umur": [30.5] * (n - 1) + [130.0],
        "kode_desa": ["32.01.01.1001"] * (n - 1) + ["3201011001"],
        "tanggal_peristiwa": ["2026-01-03"] * n,
    })
    return frame


def _plain(results) -> list[tuple]:
    return [(r.check_name, r.passed, r.severity, {k: v.value for k, v in r.metadata.items()}, r.description)
            for r in results]


@pytest.fixture
def worker(monkeypatch):
    """A worker as ``gx_worker.start`` makes one (``start`` itself declines once GX is imported
    in this process, as it is in the test session)."""
    started = gx_worker._Worker()
    monkeypatch.setattr(gx_worker, "_worker", started)
    yield started
    gx_worker.stop()


def test_worker_gives_the_checks_of_in_process_validation(worker):
    suite = expectations.load_suite("disdukcapil")
    in_worker = expectations.validate(KEY, suite, _frame())
    assert gx_worker._worker is worker  # it answered
    gx_worker.stop()
    in_process = expectations.validate(KEY, suite, _frame())
    assert _plain(in_worker) == _plain(in_process)
    failed = {r.check_name for r in in_worker if not r.passed}
    assert {"gx_peristiwa_sesuai_instansi", "gx_nama_terisi", "gx_jenis_kelamin", "gx_umur_wajar",
            "gx_kode_desa_kemendagri"} <= failed
    assert "gx_porsi_nik_sah" not in failed
    blocking = next(r for r in in_worker if r.check_name == "gx_peristiwa_sesuai_instansi")
    assert blocking.severity.value == "ERROR" and blocking.metadata["unexpected_count"].value == 1


def test_a_worker_that_died_leaves_validation_to_this_process(worker):
    suite = expectations.load_suite("disdukcapil")
    worker.process.kill()
    worker.process.join()
    results = expectations.validate(KEY, suite, _frame())
    assert gx_worker._worker is None  # stopped: later feeds validate here at once
    assert len(results) == len(suite["expectations"])
    assert not next(r for r in results if r.check_name == "gx_jenis_kelamin").passed


def test_no_worker_once_gx_is_imported_here():
    import great_expectations  # noqa: F401

    assert "great_expectations" in sys.modules
    assert gx_worker.start() is False and gx_worker._worker is None
    assert gx_worker.run("disdukcapil", "{}", _frame()) is None


def test_the_worker_ends_when_stopped(worker):
    expectations.validate(KEY, expectations.load_suite("disdukcapil"), _frame())  # warm and idle
    process = worker.process
    gx_worker.stop()
    assert not process.is_alive() and process.exitcode == 0  # it returned on its own


def test_a_worker_still_importing_is_not_waited_for():
    started = gx_worker._Worker()
    started.close()  # at once, as a refused command does
    assert not started.process.is_alive()
