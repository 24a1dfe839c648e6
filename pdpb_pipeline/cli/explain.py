"""``pdpb explain``: a voter's whole history, from the published roll back to the agency rows.

For every version of the record: when it was valid and what it said (NIK and NKK masked); for
every change: month, category, agency, file and row, rule, match probability and the per-field
evidence of the link that caused it; and any open review-queue item.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import sqlalchemy as sa

from ..domain.nik import mask
from ..resources.warehouse import Warehouse


class NotFound(Exception):
    pass


_NIK_SEPARATORS = re.compile(r"[\s.\-/]")


def clean_nik(text: str) -> str:
    """A NIK as an officer types or pastes it (``7301 0305 1088 0004``, dotted, dashed) as 16 digits;
    ValueError, with the value masked, when it is not one."""
    value = _NIK_SEPARATORS.sub("", text or "")
    if not value:
        raise ValueError("no NIK given: type it at the prompt, pipe it in, or use --id")
    if len(value) != 16 or not value.isdigit():
        raise ValueError(f"NIK {mask(value)} is not 16 digits ({len(value)} characters)")
    return value


def voter_ids(warehouse: Warehouse, regency: str, nik: str | None = None, voter_id: str | None = None) -> list[str]:
    dpb = warehouse.table("dpb")
    query = sa.select(dpb.c.id).distinct().where(dpb.c.regency == regency)
    query = query.where(dpb.c.nik == nik) if nik else query.where(dpb.c.id == voter_id)
    with warehouse.engine.connect() as conn:
        ids = sorted(r[0] for r in conn.execute(query))
    if not ids:
        what = f"NIK {mask(nik)}" if nik else f"voter id {voter_id}"
        raise NotFound(f"regency {regency}: no voter record with {what}")
    return ids


def history(warehouse: Warehouse, regency: str, voter_id: str) -> str:
    params = {"r": regency, "v": voter_id}
    versions = warehouse.read(
        "SELECT valid_from, valid_to, nik, nkk, nama, tanggal_lahir, jenis_kelamin, status_kawin, alamat, rt, rw, "
        "kode_desa FROM dpb WHERE regency = :r AND id = :v ORDER BY valid_from", params)
    changes = warehouse.read(
        "SELECT p.month, p.change_id, p.kategori, p.sub_kategori, p.agency, p.file_name, p.row_number, p.feed_id, "
        "p.rule, p.probability, p.id_antrean, p.kolom_berubah, p.run_id, d.evidence FROM perubahan p "
        "LEFT JOIN link_decision d ON d.regency = p.regency AND d.month = p.month AND d.feed_id = p.feed_id "
        "WHERE p.regency = :r AND p.voter_id = :v ORDER BY p.month, p.change_id", params)
    queued = warehouse.read(
        "SELECT month, proposal_id, kategori, sub_kategori, agency, file_name, row_number, alasan FROM change_proposal "
        "WHERE regency = :r AND voter_id = :v AND status = 'antrean' ORDER BY proposal_id", params)
    lines = [f"Pemilih {voter_id} (kabupaten/kota {regency})", "", "Versi data:"]
    for v in versions.itertuples(index=False):
        until = v.valid_to or "sekarang"
        start = "DPT awal" if v.valid_from == "0000-00" else v.valid_from
        born = pd.to_datetime(v.tanggal_lahir).year if v.tanggal_lahir else "?"
        lines.append(f"  {start} s.d. {until}: NIK {mask(v.nik)}, NKK {mask(v.nkk)}, {v.nama}, {v.jenis_kelamin}, "
                     f"lahir {born}, kawin {v.status_kawin}, {v.alamat} RT {v.rt}/RW {v.rw}, desa {v.kode_desa}")
    lines += ["", "Perubahan:" if len(changes) else "Perubahan: (tidak ada sejak DPT awal)"]
    for c in changes.itertuples(index=False):
        source = f"{c.agency}, berkas {c.file_name} baris {c.row_number}" if c.file_name else f"aturan {c.rule} ({c.agency})"
        score = "" if pd.isna(c.probability) else f", probabilitas {float(c.probability):.4f}"
        lines.append(f"  {c.month} {c.change_id}: {c.kategori}/{c.sub_kategori} dari {source}{score}"
                     + (f", kolom {c.kolom_berubah}" if c.kolom_berubah else "")
                     + (f", jawaban coktas atas {c.id_antrean}" if c.id_antrean else "") + f" [run {c.run_id}]")
        if isinstance(c.evidence, str) and c.evidence not in ("", "{}"):
            evidence = json.loads(c.evidence)
            fields = sorted(k[:-6] for k in evidence if k.endswith("_level"))
            parts = [f"{f}={evidence[f + '_level']} ({evidence.get(f + '_weight', 0):+.1f})" for f in fields]
            lines.append("    bukti: " + "; ".join(parts))
    if len(queued):
        lines += ["", "Menunggu coktas:"]
        for q in queued.itertuples(index=False):
            lines.append(f"  {q.month} {q.proposal_id}: {q.kategori}/{q.sub_kategori} dari {q.agency} "
                         f"{q.file_name} baris {q.row_number} ({q.alasan})")
    return "\n".join(lines)
