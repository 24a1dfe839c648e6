"""The village list compared with the roll (``desa_pembanding_<regency>_<month>``): what goes
back to the village office (Dinas PMD / lembang) under the agreement, per desa/lembang.

Each row of the month's ``dpmd`` file (a Pilkades voter list, checked by the registry) lands in
one part, from the linkage's decision for it (never decided again here):

- ``cocok``: linked for sure to a voter of the month's roll whose data agree;
- ``berbeda``: linked (for sure, or doubtfully: ``tautan`` = ``ragu``) to a voter whose data
  differ: ``kolom_berbeda`` names the fields (``nik``, ``nama``, ``tanggal_lahir``,
  ``jenis_kelamin``, ``status_kawin``, ``alamat``, ``rt``, ``rw``, ``kode_desa``...; a field the
  village left blank is not compared), beside the roll's values (no birth dates: ages);
- ``hanya_desa``: on the village list only: not linked (with the change the row proposed, a
  queued Pemilih Baru, or why none), or linked to a voter no longer on the month's roll;

and ``hanya_dpb``: voters of the month's roll in a desa the file covers (a desa at least one of
its rows names) whom no row names: one vectorised selection over the roll.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..roll.eligibility import age_on
from .common import PROPOSAL, SOURCE, desa_names, linked, person_rows, proposal_of_rows, roll_records
from .spec import Bagian, DaftarInput, DaftarSpec

#: The fields compared, in the order ``kolom_berbeda`` names them.
COMPARED = ("nik", "nkk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "status_kawin", "alamat",
            "rt", "rw", "kode_desa")
#: The roll's values shown beside a differing row.
ROLL_SHOWN = ("nik", "nama", "jenis_kelamin", "usia", "status_kawin", "alamat", "rt", "rw", "kode_desa", "desa")


def _text(values: pd.Series) -> pd.Series:
    """Text compared without case, punctuation or repeated spaces."""
    return (values.fillna("").astype(str).str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip())


def _number(values: pd.Series) -> pd.Series:
    """RT/RW compared as numbers: ``3``, ``03`` and ``003`` are one RT."""
    text = values.fillna("").astype(str).str.strip()
    return text.str.lstrip("0").where(text != "", "")


def differing(rows: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    """Per row, the fields (``COMPARED``) in which the village row and its roll record differ,
    comma-separated; a field blank on the village row (or unreadable) is not compared."""
    flags = {}
    for name in COMPARED:
        ours, theirs = rows[name], records[name]
        if name == "tanggal_lahir":
            a, b = pd.to_datetime(ours, errors="coerce"), pd.to_datetime(theirs, errors="coerce")
            flags[name] = (a.notna() & (a != b)).to_numpy()
            continue
        compare = _number if name in ("rt", "rw") else _text
        a, b = compare(ours), compare(theirs)
        given = (ours.fillna("").astype(str).str.strip() != "").to_numpy()
        if name == "nik":
            given &= (rows["nik_status"] == "valid").to_numpy()
        flags[name] = given & (a.to_numpy() != b.to_numpy())
    names = np.array(COMPARED, dtype=object)
    matrix = np.column_stack([flags[n] for n in COMPARED]) if len(rows) else np.zeros((0, len(COMPARED)), bool)
    return pd.Series([",".join(names[m]) for m in matrix], index=rows.index, dtype=object)


def build(inp: DaftarInput) -> dict[str, pd.DataFrame]:
    feed = inp.feed.reset_index(drop=True)
    rows = person_rows(inp, feed)
    link = linked(inp).reindex(rows["feed_id"])
    roll_ids = link["roll_id"].fillna("").to_numpy()
    records = roll_records(inp.roll, roll_ids[roll_ids != ""])
    on_roll = pd.Series(roll_ids).isin(records.index).to_numpy()
    # (NaN for rows not linked, or linked to a voter gone)
    found = records.reindex(index=roll_ids, columns=[*COMPARED, "tanggal_lahir"])
    found = found.loc[:, ~found.columns.duplicated()]
    found.index = rows.index
    diff = differing(feed, found)
    rows["voter_id"] = np.where(on_roll, roll_ids, "")
    rows["tautan"] = np.where(link["decision"].to_numpy() == "review", "ragu", np.where(on_roll, "pasti", ""))
    proposed = proposal_of_rows(inp).reindex(rows["feed_id"])
    for name in PROPOSAL:
        rows[name] = proposed[name].fillna("").to_numpy()
    gone = (roll_ids != "") & ~on_roll
    rows["keterangan"] = np.where(gone, "tidak lagi di DPB bulan ini", "")

    is_diff = on_roll & ((diff != "").to_numpy() | (rows["tautan"] == "ragu").to_numpy())
    match = on_roll & ~is_diff
    berbeda = rows[is_diff].copy()
    berbeda["kolom_berbeda"] = diff[is_diff]
    shown = found[is_diff]
    shown = shown.assign(usia=age_on(shown["tanggal_lahir"], inp.reference).astype("Int64"),
                         desa=desa_names(inp.part.regency, shown["kode_desa"].fillna("")))
    for name in ROLL_SHOWN:
        berbeda[f"dpb_{name}"] = shown[name].to_numpy()

    covered = set(feed["kode_desa"]) - {""}
    hanya_dpb = _roll_only(inp, covered, set(roll_ids[on_roll]))
    order = ["kode_desa", "rw", "rt", "alamat", "nama"]
    return {"cocok": rows[match].sort_values(order, kind="stable"),
            "berbeda": berbeda.sort_values(order, kind="stable"),
            "hanya_desa": rows[~on_roll].sort_values(order, kind="stable"),
            "hanya_dpb": hanya_dpb}


def _roll_only(inp: DaftarInput, covered: set[str], named: set[str]) -> pd.DataFrame:
    """Voters of the month's roll in the ``covered`` desas whom no row of the file names."""
    roll = inp.roll
    if roll is None or not covered:
        return pd.DataFrame()
    mask = roll["kode_desa"].isin(covered).to_numpy()
    voters = roll[mask]
    voters = voters[~voters["id"].isin(named).to_numpy()]
    out = voters[["id", "nama", "nik", "nkk", "jenis_kelamin", "alamat", "rt", "rw", "kode_desa"]].rename(
        columns={"id": "voter_id"})
    out = out.assign(usia=age_on(voters["tanggal_lahir"], inp.reference).astype("Int64"),
                     desa=desa_names(inp.part.regency, voters["kode_desa"]))
    return out.sort_values(["kode_desa", "rw", "rt", "alamat", "nama"], kind="stable")


_PERSON = ("kode_desa", "desa", "nama", "nik", "nkk", "jenis_kelamin", "usia", "alamat", "rt", "rw", "voter_id")
SPEC = DaftarSpec(
    name="desa_pembanding",
    feeds=("dpmd",),
    stem="desa_pembanding",
    title="HASIL PEMBANDINGAN DAFTAR PEMILIH DESA DENGAN DPB",
    description="The village list (Dinas PMD / lembang) compared with the roll, per desa: matched, differing "
                "(which fields), only on the village list, only on the roll: returned to the village office",
    group_by=("kode_desa", "desa"),
    parts=(
        Bagian("cocok", "Cocok", (*_PERSON, *SOURCE)),
        Bagian("berbeda", "Berbeda", (*_PERSON, "tautan", "kolom_berbeda", *(f"dpb_{c}" for c in ROLL_SHOWN),
                                      *SOURCE)),
        Bagian("hanya_desa", "Hanya di daftar desa", (*_PERSON, *PROPOSAL, "keterangan", *SOURCE)),
        Bagian("hanya_dpb", "Hanya di DPB", _PERSON, dari_feed=False),
    ),
    build=build,
    needs_roll=True,
)
