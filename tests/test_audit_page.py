"""The audit page (``audit/index.html``) in a real browser: a synthetic regency's month through
`pdpb run`, the page opened from the published folder (``file://``, no server) in Debian's
chromium (Selenium, chromium-driver), a desa's TMS count clicked, and the change rows it shows
checked against the warehouse's; no full NIK, NKK or birth date on it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pdpb_lab.synth import SynthConfig, generate
from pdpb_pipeline.domain.nik import mask
from pdpb_pipeline.output import audit
from pdpb_pipeline.resources.warehouse import Warehouse

from .conftest import IN_CI
from .leakscan import format_leaks, run_month

REGENCY = "36.73"
MONTH = "2026-01"
CHROMIUM = "/usr/bin/chromium"
FIELDS = ("change_id", "agency", "file_name", "row_number", "rule", "nik", "bukti")


def _browser():
    """Headless Debian chromium through chromium-driver; a skip without them, a failure in CI."""
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        missing = f"selenium is not installed ({error}): pip install -e '.[dev]'"
    else:
        missing = "" if Path(CHROMIUM).exists() and Path(driver_path).exists() else (
            f"{CHROMIUM} or chromedriver missing: apt-get install chromium chromium-driver (.ci/run does)")
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def _leaving(changes: pd.DataFrame) -> pd.DataFrame:
    """The warehouse's changes behind the desa's TMS counts (L+P, by ``kode_desa_lama``): voters
    removed (TMS), and those whose desa or sex was corrected away from it (keluar perbaikan)."""
    moved = (changes["kode_desa_lama"] != changes["kode_desa_baru"]) | (
        changes["jenis_kelamin_lama"] != changes["jenis_kelamin_baru"])
    return changes[(changes["kategori"] == "tms") | ((changes["kategori"] == "ubah_data") & moved)]


def _click(browser, link_id: str) -> tuple[int, int, list[dict], str]:
    """Clicks the count ``link_id`` as a user does; its number, the number of rows the page says it
    lists, the rows shown (``FIELDS`` of each) and the text of the table."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    link = browser.find_element(By.ID, link_id)
    count = _number(link.text)
    link.click()
    title = browser.find_element(By.ID, "rincian-judul")
    WebDriverWait(browser, 10).until(lambda _: f"({link.get_attribute('data-kode')})" in title.text)
    shown = [{f: row.find_element(By.CSS_SELECTOR, f'td[data-field="{f}"]').get_attribute("textContent") for f in FIELDS}
             for row in browser.find_elements(By.CSS_SELECTOR, "#tabel-rincian tbody tr.perubahan")]
    rendered = browser.find_element(By.ID, "tabel-rincian").get_attribute("textContent")
    return count, int(title.get_attribute("data-jumlah")), shown, rendered


def _number(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def test_audit_page_clicks_from_a_desa_tms_count_to_its_change_rows(tmp_path, monkeypatch, capfd):
    zone = tmp_path / "zone"
    # A small regency whose month removes more voters than usual (deaths, moves out), so that a desa
    # has several TMS rows behind its count.
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=1, start=MONTH, seed=11, death_rate_annual=0.08,
                         move_out_monthly=0.01), out_dir=zone)
    run = run_month(zone, REGENCY, MONTH, tmp_path / "run", monkeypatch, capfd=capfd)
    assert run.results["run"].exit_code == 0, run.results["run"].output
    folder = run.published / REGENCY / MONTH
    page = folder / audit.PAGE
    html = page.read_text(encoding="utf-8")

    # Listed in the manifest like every published file; nothing fetched from anywhere.
    manifest = json.loads((folder / "manifest.json").read_text())
    assert audit.PAGE in manifest
    assert re.findall(r'(?:src|href)\s*=\s*"(?!#)', html) == []

    warehouse = Warehouse(url=run.warehouse_url)
    where = {"r": REGENCY, "m": MONTH}
    changes = warehouse.read("SELECT * FROM perubahan WHERE regency = :r AND month = :m", where)
    linked = set(warehouse.read("SELECT feed_id FROM link_decision WHERE regency = :r AND month = :m "
                                "AND decision IN ('match', 'review')", where)["feed_id"])
    versions = warehouse.read("SELECT id, nik, tanggal_lahir FROM dpb WHERE regency = :r "
                               "ORDER BY id, valid_from", {"r": REGENCY})
    nik_of = versions.drop_duplicates("id", keep="last").set_index("id")["nik"]
    queue = warehouse.read("SELECT id_antrean, tanggal_lahir FROM antrean_coktas WHERE regency = :r AND month = :m",
                           where)
    recap = warehouse.read("SELECT kolom, SUM(jumlah) AS jumlah FROM rekap WHERE regency = :r AND month = :m "
                           "GROUP BY kolom", where).set_index("kolom")["jumlah"]

    # The desa with the most TMS rows this month, and its kecamatan.
    leaving = _leaving(changes)
    desa = leaving["kode_desa_lama"].value_counts().sort_index().idxmax()
    kecamatan = desa[:8]
    cases = {f"sel-desa-{desa}-L+P-tms": leaving[leaving["kode_desa_lama"] == desa],
             f"sel-kecamatan-{kecamatan}-L+P-tms": leaving[leaving["kode_desa_lama"].str.startswith(kecamatan + ".")]}
    assert min(len(rows) for rows in cases.values()) >= 2, "the month should remove several voters of the desa"

    browser = _browser()
    try:
        browser.get(page.as_uri())
        from selenium.webdriver.common.by import By

        formula = browser.find_element(By.ID, "rumus").text
        seen = {link_id: _click(browser, link_id) for link_id in cases}
        queue_rows = len(browser.find_elements(By.CSS_SELECTOR, "#tabel-antrean tbody tr"))
        bars = len(browser.find_elements(By.CSS_SELECTOR, "#svg-instansi rect"))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        browser.quit()

    assert errors == []
    # The reconciliation line is the stored recap's.
    assert [_number(n) for n in re.findall(r"\d[\d.,]*", formula)] == [
        int(recap.get(k, 0)) for k in ("sebelumnya", "pemilih_baru", "tms", "sekarang")]
    assert "(seimbang)" in formula
    key = ["change_id", "agency", "file_name", "row_number", "rule"]
    evidenced = 0
    for link_id, expected in cases.items():
        count, listed, shown, rendered = seen[link_id]
        assert count == listed == len(expected), link_id
        # The rows shown are the warehouse's change rows of that desa: agency, file, row, rule.
        assert sorted((r["change_id"], r["agency"], r["file_name"], int(r["row_number"]), r["rule"]) for r in shown) \
            == sorted(expected[key].astype({"row_number": int}).itertuples(index=False, name=None)), link_id
        # Each names its voter by the masked NIK, never the full one; a linked row shows its evidence.
        by_id = expected.set_index("change_id")
        for r in shown:
            assert r["nik"] == mask(nik_of[by_id.loc[r["change_id"], "voter_id"]])
            if by_id.loc[r["change_id"], "feed_id"] in linked:
                assert re.search(r"(match|review), p = (0\.\d+|1)", r["bukti"]), r["bukti"]
                evidenced += 1
        assert not re.search(r"\d{16}", rendered)
    assert evidenced, "some TMS rest on a linked agency row, shown with its evidence"

    assert queue_rows == len(queue)
    assert bars > 0
    # No full NIK or NKK anywhere on the page (nor in anything else the run published or printed),
    # and no birth date of a voter it lists.
    leaks = run.scan()
    assert not leaks, format_leaks(leaks)
    named = set(changes["voter_id"])
    born = pd.concat([versions.loc[versions["id"].isin(named), "tanggal_lahir"], queue["tanggal_lahir"]])
    dates = {str(d)[:10] for d in born.dropna() if str(d).strip()}
    assert dates and not [d for d in dates if d in html]


def test_evidence_text_is_masked_and_a_broken_record_still_shows():
    nik = "3673012605970003"
    shown = audit.evidence(json.dumps({"nik_level": "sama", "nik_weight": 9.5, "match_weight": 12.25,
                                       "reason": f"household of {nik}"}))
    assert shown["bidang"] == [["nik", "sama", 9.5]]
    assert shown["lain"] == {"match_weight": 12.25, "reason": f"household of {mask(nik)}"}
    assert audit.evidence("{not json") == {"bidang": [], "lain": {"bukti": "tidak terbaca"}}


def test_a_change_names_its_voter_also_when_the_month_removed_them():
    """The change list and the page take a removed voter's NIK from the version the month closed
    (he is no longer on the month's roll); a voter on neither gets none."""
    roll = pd.DataFrame({"id": ["DPT-1", "DPT-2"], "nik": ["3201010101900001", "3201010101900002"]})
    changes = pd.DataFrame({"voter_id": ["DPT-2", "DPT-9", "DPT-7"]})
    closed = pd.Series({"DPT-9": "3201010101900009"})
    assert audit.change_niks(roll, changes, closed).tolist() == ["3201010101900002", "3201010101900009", ""]
