"""The one canonical schema every stage speaks.

A person row (the roll, a feed row, a linkage input) always carries the PERSON columns below,
in this order, with these meanings. Stages add their own columns (feeds add the event, the
source file and row) but never rename or re-type these. CSV files the commands read or write
use exactly these column names; dates are ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from . import dates

Kind = Literal["text", "date", "code"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    #: Allowed values for a ``code`` column.
    values: tuple[str, ...] = ()


JENIS_KELAMIN = ("L", "P")  # laki-laki, perempuan
STATUS_KAWIN = ("B", "S", "P")  # belum kawin, sudah kawin, pernah kawin

PERSON: tuple[Column, ...] = (
    Column("id", "text", "Record id, unique within its file or table (roll: voter id)"),
    Column("nik", "text", "Nomor Induk Kependudukan, 16 digits; empty when unknown"),
    Column("nkk", "text", "Nomor Kartu Keluarga, 16 digits; empty when unknown"),
    Column("nama", "text", "Full name, upper case, single spaces"),
    Column("tempat_lahir", "text", "Place of birth, upper case"),
    Column("tanggal_lahir", "date", "Date of birth"),
    Column("jenis_kelamin", "code", "Sex: L (laki-laki) or P (perempuan)", JENIS_KELAMIN),
    Column("status_kawin", "code", "Marital status: B belum, S sudah, P pernah kawin", STATUS_KAWIN),
    Column("alamat", "text", "Street address or dusun, without RT/RW"),
    Column("rt", "text", "Rukun Tetangga, three digits"),
    Column("rw", "text", "Rukun Warga, three digits"),
    Column("kode_desa", "text", "Kemendagri desa/kelurahan code, dotted: 32.01.01.2001"),
)
PERSON_COLUMNS: tuple[str, ...] = tuple(c.name for c in PERSON)

# Event types an agency row can carry (jenis_peristiwa). Feeds, the generator's truth and the
# roll's change rules all use these names.
EVENT_TYPES: dict[str, str] = {
    "meninggal": "died",
    "pindah_keluar": "moved out of the regency",
    "pindah_masuk": "moved into the regency",
    "pindah_dalam": "moved address within the regency",
    "pemilih_pemula": "turns 17 (new voter)",
    "kawin": "married (under 17 becomes a voter)",
    "perbaikan_data": "identity data corrected by the civil registry",
    "penghuni_baru": "occupant of new housing, apartment or rusun",
    "daftar_pemilih_desa": "on a village-election (Pilkades) voter list",
    "masuk_lapas": "taken into a remand centre or prison",
    "keluar_lapas": "released from a remand centre or prison",
    "penghuni_lapas": "inside a remand centre or prison on the day of the institution's full roster",
    "pmi_berangkat": "migrant worker leaving for abroad",
    "pmi_pulang": "migrant worker returning",
    "masuk_tni": "enlisted in the military (TNI)",
    "masuk_polri": "enlisted in the police (Polri)",
    "pensiun_tni": "retired or discharged from TNI",
    "pensiun_polri": "retired or discharged from Polri",
    "pencabutan_hak_pilih": "right to vote removed by a court (Pengadilan Negeri)",
    "hasil_coktas": "result of a door-to-door check (coktas)",
}

EVENT: tuple[Column, ...] = (
    Column("jenis_peristiwa", "code", "Event type", tuple(EVENT_TYPES)),
    Column("tanggal_peristiwa", "date", "Date the event happened"),
)
EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT)

# Movement categories of the monthly recap (domain.md).
PEMILIH_BARU = ("pemilih_pemula", "pindah_masuk", "tni_polri_ke_sipil")
TMS = (
    "meninggal", "ganda", "di_bawah_umur", "pindah_keluar", "tidak_dikenal",
    "tni", "polri", "sipil_ke_tni_polri", "bukan_penduduk", "dicabut_hak_pilih",
)
UBAH_DATA = ("ubah_elemen_data", "ubah_alamat")
CATEGORIES: dict[str, tuple[str, ...]] = {
    "pemilih_baru": PEMILIH_BARU,
    "tms": TMS,
    "ubah_data": UBAH_DATA,
}


def column(name: str) -> Column:
    for c in PERSON + EVENT:
        if c.name == name:
            return c
    raise KeyError(name)


def empty_frame(columns: tuple[str, ...] = PERSON_COLUMNS) -> pd.DataFrame:
    """An empty frame with the canonical types, for assets that have nothing to emit."""
    return pd.DataFrame({c: pd.Series(dtype=_dtype(column(c).kind)) for c in columns})


def _dtype(kind: Kind) -> str:
    return "datetime64[ns]" if kind == "date" else "object"


def to_canonical(frame: pd.DataFrame, columns: tuple[str, ...] = PERSON_COLUMNS) -> pd.DataFrame:
    """Selects the canonical columns in order with canonical types; missing ones become empty.

    Text columns hold ``str`` (empty string for unknown, never NaN), date columns hold
    ``datetime64`` (NaT for unknown or unreadable: a caller that must count unreadable dates, like
    the DPT load, parses them first with ``dates.parse_dates``). Extra columns are kept after the
    canonical ones.
    """
    out = {}
    for name in columns:
        kind = column(name).kind
        if name in frame.columns:
            values = frame[name]
        else:
            values = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if kind == "date":  # every format agencies write; datetime64 is kept as it is
            out[name] = dates.parse_dates(values)[0]
        else:
            out[name] = values.fillna("").astype(str)
    extra = [c for c in frame.columns if c not in columns]
    result = pd.DataFrame(out, index=frame.index)
    for name in extra:
        result[name] = frame[name]
    return result


def read_person_csv(path, columns: tuple[str, ...] = PERSON_COLUMNS) -> pd.DataFrame:
    """Reads a CSV in the canonical schema (every column as text, then typed)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return to_canonical(frame, columns)


def write_person_csv(frame: pd.DataFrame, path, columns: tuple[str, ...] = PERSON_COLUMNS) -> None:
    """Writes canonical columns first (dates as ISO unless given as text), extra columns after."""
    out = frame.copy()
    for name in columns:
        # dates as ISO; a column of text is written as it is (a DPT may write DD-MM-YYYY)
        if name in out.columns and column(name).kind == "date" and pd.api.types.infer_dtype(
                out[name], skipna=True) not in ("string", "empty"):
            out[name] = pd.to_datetime(out[name]).dt.strftime("%Y-%m-%d").fillna("")
    ordered = [c for c in columns if c in out.columns] + [c for c in out.columns if c not in columns]
    out[ordered].to_csv(path, index=False, lineterminator="\n")
