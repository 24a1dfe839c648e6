"""What every list's builder shares: feed rows as list rows, the proposal each row made, the
linked roll record, desa names. Pure pandas; per feed row or vectorised over the roll."""

from __future__ import annotations

import pandas as pd

from ..domain import regions
from ..roll.eligibility import age_on
from .spec import DaftarInput

#: The columns a list row takes from its feed row (``usia`` instead of the birth date: lists are
#: published, birth dates never are).
PERSON = ("nama", "nik", "nkk", "jenis_kelamin", "usia", "alamat", "rt", "rw", "kode_desa", "desa")
SOURCE = ("file_name", "row_number")
PROPOSAL = ("usulan", "status_usulan", "alasan")
#: The group of a row whose file names none (estate, institution).
NO_NAME = "(tanpa nama)"


def place_names(values: pd.Series) -> pd.Series:
    """The places a list counts per, as the file names them, in one spelling: upper case,
    single spaces; empty -> ``NO_NAME`` (``Rusun  Marunda`` and ``RUSUN MARUNDA`` are one)."""
    text = values.fillna("").astype(str).str.upper().str.split().str.join(" ")
    return text.where(text != "", NO_NAME)


def desa_names(regency: str, codes: pd.Series) -> pd.Series:
    """The desa/kelurahan name of each code (empty when the code is not the regency's)."""
    names = {d.code: d.name for d in regions.desa_of(regency)}
    return codes.map(names).fillna("")


def person_rows(inp: DaftarInput, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """``rows`` (default: the input's feed rows) as list rows: the person, where the row is in
    the agency's file, and ``feed_id``."""
    rows = inp.feed if rows is None else rows
    out = rows[["nama", "nik", "nkk", "jenis_kelamin", "alamat", "rt", "rw", "kode_desa", *SOURCE]].copy()
    out["usia"] = age_on(rows["tanggal_lahir"], inp.reference).astype("Int64")
    out["desa"] = desa_names(inp.part.regency, rows["kode_desa"])
    out["feed_id"] = rows["id"].to_numpy()
    return out


def proposal_of_rows(inp: DaftarInput) -> pd.DataFrame:
    """Per feed row (index ``feed_id``) the change its own event proposed: ``usulan`` (the
    sub-category: ``ubah_alamat``, ``pindah_masuk``...), ``status_usulan`` (applied, queued,
    no change) and ``alasan``. Rows that proposed nothing are absent."""
    own = inp.proposals
    if own.empty:
        return pd.DataFrame(columns=list(PROPOSAL), index=pd.Index([], name="feed_id"))
    own = own[own["rule"] == own["feed_id"].map(inp.feed.set_index("id")["jenis_peristiwa"])]
    own = own.drop_duplicates("feed_id").set_index("feed_id")
    return pd.DataFrame({"usulan": own["sub_kategori"], "status_usulan": own["status"], "alasan": own["alasan"]})


def linked(inp: DaftarInput) -> pd.DataFrame:
    """Per feed row (index ``feed_id``) its link: ``roll_id``, ``decision`` (match, review)."""
    if inp.links.empty:
        return pd.DataFrame(columns=["roll_id", "decision"], index=pd.Index([], name="feed_id"))
    return inp.links.drop_duplicates("feed_id").set_index("feed_id")[["roll_id", "decision"]]


def roll_records(roll: pd.DataFrame | None, ids) -> pd.DataFrame:
    """The roll's records with ``ids`` (index ``id``): one vectorised pass over the roll."""
    if roll is None or roll.empty:
        return pd.DataFrame(columns=list(roll.columns) if roll is not None else ["id"]).set_index("id")
    return roll[roll["id"].isin(set(ids))].drop_duplicates("id").set_index("id")
