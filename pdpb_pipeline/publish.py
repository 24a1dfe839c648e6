"""The month's published files: recap, roll per kecamatan, change list, review queue.

Everything lands under ``PDPB_OUTPUT_DIR/<regency>/<YYYY-MM>/`` with a ``manifest.json`` of
checksums. NIK and NKK are masked in every file (``nik.mask``, rule ``PDPB_MASK_KEEP``); birth
dates are not published (age is). The same month gives the same bytes on every re-run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd

from . import regions
from .fastio import write_csv
from .nik import mask_series
from .roll.recap import desa_with_total, roll_up
from .roll.rules import age_on
from .xlsx import Sheet, chunks, write_workbook

BULAN = ("JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER",
         "NOVEMBER", "DESEMBER")
ROLL_COLUMNS = ("id", "nik", "nkk", "nama", "jenis_kelamin", "usia", "status_kawin", "alamat", "rt", "rw",
                "kode_desa", "desa")


def period(month: str) -> str:
    year, mon = month.split("-")
    return f"{BULAN[int(mon) - 1]} {year}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with minimal quoting, as pandas writes it, several times faster."""
    text = {c: frame[c].astype(object).where(frame[c].notna(), "").astype(str).to_numpy() for c in frame.columns}
    write_csv(path, text)


def _title(regency: str, month: str, what: str) -> list[str]:
    return [what, f"KPU {regions.regency_name(regency).upper()} ({regency})", f"PERIODE {period(month)}"]


def publish(
    folder: Path,
    regency: str,
    month: str,
    reference: dt.date,
    roll: pd.DataFrame,
    recap_desa: pd.DataFrame,
    changes: pd.DataFrame,
    queue: pd.DataFrame,
) -> dict[str, dict]:
    """Writes every file of the month; returns ``{relative path: {sha256, rows}}``."""
    if folder.exists():
        shutil.rmtree(folder)  # a re-run replaces the month's files, never mixes them
    folder.mkdir(parents=True)
    written: dict[str, int] = {}
    tag = f"{regency}_{month}"

    # Recap: one sheet per level, laid out as the Berita Acara attachment.
    desa = desa_with_total(recap_desa)
    levels = {"Kabupaten": roll_up(recap_desa, "kabupaten"), "Kecamatan": roll_up(recap_desa, "kecamatan"), "Desa": desa}
    title = _title(regency, month, "LAMPIRAN BERITA ACARA REKAPITULASI DAFTAR PEMILIH BERKELANJUTAN")
    write_workbook(folder / f"rekap_{tag}.xlsx", [
        Sheet(name, list(frame.columns), frame, title)
        for name, frame in levels.items()
    ])
    written[f"rekap_{tag}.xlsx"] = len(desa)
    _csv(desa, folder / f"rekap_desa_{tag}.csv")
    written[f"rekap_desa_{tag}.csv"] = len(desa)

    # The roll, per kecamatan, masked.
    names = {d.code: d for d in regions.desa_of(regency)}
    public = roll.assign(
        nik=mask_series(roll["nik"]), nkk=mask_series(roll["nkk"]),
        usia=age_on(roll["tanggal_lahir"], reference).astype("Int64"),
        desa=roll["kode_desa"].map(lambda c: names[c].name if c in names else ""),
    )[list(ROLL_COLUMNS)]
    for kecamatan, part in public.groupby(public["kode_desa"].str.slice(0, 8), sort=True):
        name = names[part["kode_desa"].iloc[0]].kecamatan_name if part["kode_desa"].iloc[0] in names else "LAIN"
        stem = f"dpb/dpb_{kecamatan}_{_slug(name)}_{month}"
        part = part.sort_values(["kode_desa", "rw", "rt", "alamat", "nama", "id"], kind="stable")
        _csv(part, folder / f"{stem}.csv")
        write_workbook(folder / f"{stem}.xlsx", [
            Sheet(f"DPB {i + 1}" if i else "DPB", list(part.columns), chunk,
                  _title(regency, month, f"DAFTAR PEMILIH BERKELANJUTAN KECAMATAN {name}"))
            for i, chunk in enumerate(chunks(part))
        ])
        written[f"{stem}.csv"] = written[f"{stem}.xlsx"] = len(part)

    # The change list and the review queue (what field officers check), masked.
    nik_of = roll.set_index("id")["nik"] if len(roll) else pd.Series(dtype=object)
    change_list = changes.assign(nik=mask_series(changes["voter_id"].map(nik_of).fillna("")),
                                 probability=_round4(changes["probability"]))
    _csv(change_list, folder / f"perubahan_{tag}.csv")
    written[f"perubahan_{tag}.csv"] = len(change_list)
    queue_out = queue.assign(
        nik=mask_series(queue["nik"]), nkk=mask_series(queue["nkk"]),
        usia=age_on(queue["tanggal_lahir"], reference).astype("Int64"),
        probability=_round4(queue["probability"]), hasil_coktas="",
    ).drop(columns=["tanggal_lahir"])
    _csv(queue_out, folder / f"antrean_coktas_{tag}.csv")
    write_workbook(folder / f"antrean_coktas_{tag}.xlsx", [
        Sheet("Antrean coktas", list(queue_out.columns), queue_out,
              _title(regency, month, "DAFTAR PEMERIKSAAN LAPANGAN (COKLIT TERBATAS)"))
    ])
    written[f"antrean_coktas_{tag}.csv"] = written[f"antrean_coktas_{tag}.xlsx"] = len(queue_out)

    manifest = {name: {"sha256": _sha256(folder / name), "baris": rows} for name, rows in sorted(written.items())}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _round4(values: pd.Series) -> pd.Series:
    """Probabilities to 4 decimals, written short (``0.9924``, never ``0.9923999999999999``)."""
    return pd.to_numeric(values, errors="coerce").map(lambda v: None if pd.isna(v) else float(f"{v:.4f}"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
