"""Inmates of the remand centres and prisons (Rutan / Lapas) and their special polling stations
(TPS khusus): ``tps_khusus_<regency>_<month>`` and, restricted, the registry's referral list.

Inmates keep the vote: nothing here changes the roll (``roll.events``: the prison events have no
roll effect), and a released inmate votes at the home TPS again. The list is kept as state per
institution (``nama_lapas``, the file's own column: ``Lapas/Rutan``, ``Nama UPT``...; a row
without one is under ``(tanpa nama)``): the inmates inside at the end of last month (this
list's own previous month, ``needs_previous``: the parts ``pemilih_tps``, ``bukan_pemilih`` and
``rujukan`` together are everybody inside), then this month's rows in order:

1. a full roster (rows ``penghuni_lapas``: everybody inside on the file's date) replaces what
   the list held of that institution;
2. intake (``masuk_lapas``) and release (``keluar_lapas``) rows, by event date: an intake adds
   the inmate (or moves them, when the list already has them in another institution); a release
   takes them out.

One inmate is one entry: rows are the same inmate when they share a usable NIK, the roll voter
they are linked to, or the name and birth date.

What each inmate is, decided from what the linkage decided for the row that brought them in
(``kategori``):

- ``dpb``: linked to a voter of the roll (sure link): votes at the TPS khusus, home desa the roll's;
- ``teridentifikasi``: not on the roll, identified by a NIK of this regency that passes its
  checks, and eligible (17 or older on the reference day, or married);
- ``pindah_memilih``: identified by a NIK of another regency (its region code names the home
  regency, ``kabupaten_asal``), eligible: listed as a voter moving to vote here;
- ``bukan_pemilih``: identified but not eligible;
- ``rujukan``: not identified (no NIK, or a NIK that fails its checks, and no sure link): the
  referral list for Disdukcapil to record (perekaman), restricted (``terbatas/``, no NIK).

Parts: ``pemilih_tps`` (the TPS khusus voter list, per institution), ``tps`` (per institution:
voters by sex and kind, inmates, the month's intake and release, and the TPS khusus needed at
``PDPB_MAX_PEMILIH_TPS`` voters per TPS), ``bukan_pemilih``, ``rujukan`` (restricted), and the
month's rows, each in exactly one part: ``masuk``, ``keluar`` (``hasil`` says what each did) and
``daftar_penghuni`` (roster rows).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..domain import nik as nikmod
from ..domain import regions
from ..linkage.normalize import normalize_name
from ..roll.eligibility import age_on, eligible, usable_nik, valid_nik
from .common import desa_names, linked, place_names, roll_records
from .spec import Bagian, DaftarInput, DaftarSpec

INSTITUTION = "nama_lapas"
TOTAL = "JUMLAH"
INTAKE, RELEASE, ROSTER = "masuk_lapas", "keluar_lapas", "penghuni_lapas"

#: What an inmate is (``kategori``); the first three vote at the TPS khusus.
VOTERS = ("dpb", "teridentifikasi", "pindah_memilih")
KATEGORI = {
    "dpb": "on the roll (sure link): votes at the TPS khusus; the home TPS again when released",
    "teridentifikasi": "not on the roll, identified by a NIK of this regency, eligible",
    "pindah_memilih": "identified by a NIK of another regency (kabupaten_asal), eligible: moves to vote here",
    "bukan_pemilih": "identified, not eligible (under 17 and never married)",
    "rujukan": "not identified (no NIK, or a NIK failing its checks, no sure link): referred to Disdukcapil",
}
#: What a row of the month did (``hasil``).
HASIL = {
    "masuk": "admitted: on the list from this month",
    "pindah_lapas": "already on the list in another institution: moved to this one",
    "sudah_di_daftar": "already on the list in this institution (a row sent twice, or on the roster)",
    "keluar": "released: off the list; votes at the home TPS again (the roll is unchanged)",
    "tidak_di_daftar": "released, but the list did not have them (admitted before the reporting started)",
    "baru": "on the roster, not on the list before",
    "tetap": "on the roster and on the list before",
}

PENGHUNI = (INSTITUTION, "nama", "nik", "jenis_kelamin", "usia", "kategori", "voter_id", "kode_desa", "desa",
            "kabupaten_asal", "nama_kabupaten_asal", "tanggal_masuk", "bulan_masuk", "file_name", "row_number")
RUJUKAN = (INSTITUTION, "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "usia", "alamat", "kode_desa",
           "desa", "alasan", "tanggal_masuk", "bulan_masuk", "file_name", "row_number")
ROW = (INSTITUTION, "file_name", "row_number", "nama", "nik", "jenis_kelamin", "usia", "kategori", "voter_id",
       "kode_desa", "desa", "kabupaten_asal", "tanggal_peristiwa", "hasil")
TPS = ("lapas_rutan", "pemilih", "L", "P", "dpb", "teridentifikasi", "pindah_memilih", "bukan_pemilih", "rujukan",
       "penghuni", "masuk", "keluar", "tidak_di_roster", "maks_pemilih_tps", "tps_khusus")
STATE_PARTS = ("pemilih_tps", "bukan_pemilih", "rujukan")
#: Stored with the parts of inmates, never published: the birth date, so that a release row
#: without a NIK finds an inmate not on the roll by name and birth date next month.
KEPT = ("tanggal_lahir",)


def home_regency(niks: pd.Series) -> pd.Series:
    """The regency a NIK was issued in (its region code: ``3201...`` -> ``32.01``); empty when
    the NIK is not one (``eligibility.valid_nik``: 16 digits, no placeholder)."""
    text = niks.fillna("").astype(str)
    return (text.str.slice(0, 2) + "." + text.str.slice(2, 4)).where(valid_nik(text), "")


def _regency_name(code: str) -> str:
    try:
        return regions.regency_name(code) if code else ""
    except ValueError:
        return ""


def _birth_text(values: pd.Series) -> pd.Series:
    born = pd.to_datetime(values, errors="coerce")
    return born.dt.strftime("%Y-%m-%d").fillna("")


_ALIAS = re.compile(r"\s(?:ALS|ALIAS)\.?\s.*$")


def _keys(nik: str, voter_id: str, nama: str, lahir: str) -> list[str]:
    """What makes two rows the same inmate: a usable NIK, the roll voter, the name (without the
    alias prisons add: ``BUDI ALS KUMIS``; titles and spellings as the linkage reads them) and
    birth date."""
    keys = []
    if nik:
        keys.append("N" + nik)
    if voter_id:
        keys.append("V" + voter_id)
    name = normalize_name(_ALIAS.sub("", " ".join(nama.upper().split()))) if nama else ""
    if name and lahir:
        keys.append("T" + name + "|" + lahir)
    return keys


def _entries(inp: DaftarInput, rows: pd.DataFrame) -> pd.DataFrame:
    """The month's rows as list entries: who each row names and what they are (``kategori``)."""
    regency = inp.part.regency
    link = linked(inp).reindex(rows["id"])
    voter = link["roll_id"].where(link["decision"] == "match").fillna("").to_numpy()
    record = roll_records(inp.roll, voter).reindex(voter)
    own_nik = rows["nik"].fillna("").astype(str)
    usable = ((rows["nik_status"] == "valid") & usable_nik(own_nik)).to_numpy()
    roll_nik = record["nik"].fillna("").astype(str).to_numpy() if "nik" in record else np.full(len(rows), "")
    nik = np.where(usable, own_nik.to_numpy(), np.where(voter != "", roll_nik, ""))
    born = rows["tanggal_lahir"]
    if "tanggal_lahir" in record:
        born = born.where(born.notna() | (voter == ""), pd.Series(record["tanggal_lahir"].to_numpy(), index=rows.index))
    # no birth date written: the one the NIK encodes (the registry's own)
    from_nik = nikmod.birth_and_sex(pd.Series(nik, index=rows.index), inp.reference)["lahir"]
    born = pd.to_datetime(born, errors="coerce").fillna(from_nik)
    person = pd.DataFrame({"tanggal_lahir": born, "status_kawin": rows["status_kawin"]})
    can_vote = eligible(person, inp.reference).to_numpy()
    home = home_regency(pd.Series(nik, index=rows.index)).to_numpy()
    kategori = np.select(
        [voter != "", ~usable, ~can_vote, home != regency],
        ["dpb", "rujukan", "bukan_pemilih", "pindah_memilih"], "teridentifikasi")
    kode_desa = np.where(voter != "", record["kode_desa"].fillna("").to_numpy() if "kode_desa" in record else "",
                         rows["kode_desa"].fillna("").to_numpy())
    out = pd.DataFrame({
        INSTITUTION: place_names(rows[INSTITUTION] if INSTITUTION in rows else pd.Series("", index=rows.index))
        .to_numpy(),
        "nama": rows["nama"].to_numpy(), "nik": nik, "jenis_kelamin": rows["jenis_kelamin"].to_numpy(),
        "usia": age_on(born, inp.reference).astype("Int64").to_numpy(), "kategori": kategori, "voter_id": voter,
        "kode_desa": kode_desa,
        "kabupaten_asal": np.where(kategori == "dpb", regency, np.where(kategori == "rujukan", "", home)),
        "tempat_lahir": rows["tempat_lahir"].to_numpy(), "tanggal_lahir": _birth_text(born).to_numpy(),
        "alamat": rows["alamat"].to_numpy(),
        "alasan": np.where(kategori == "rujukan", rows["nik_status"].fillna("").to_numpy(), ""),
        "tanggal_peristiwa": _birth_text(rows["tanggal_peristiwa"]).to_numpy(),
        "jenis_peristiwa": rows["jenis_peristiwa"].to_numpy(),
        "file_name": rows["file_name"].to_numpy(), "row_number": rows["row_number"].astype("int64").to_numpy(),
        "feed_id": rows["id"].to_numpy(),
    })
    out.loc[out["kategori"] == "rujukan", "nik"] = ""  # a NIK failing its checks is never listed
    return out


def _previous(inp: DaftarInput) -> list[dict]:
    """Everybody inside at the end of last month (the list's own previous month)."""
    parts = [inp.previous[p] if p != "rujukan" else inp.previous[p].assign(kategori="rujukan")
             for p in STATE_PARTS if p in inp.previous and len(inp.previous[p])]
    if not parts:
        return []
    state = pd.concat(parts, ignore_index=True)
    state = state.astype(object).where(state.notna(), "")
    return state.to_dict("records")


def _state_keys(entry: dict) -> list[str]:
    return _keys(str(entry.get("nik") or ""), str(entry.get("voter_id") or ""), str(entry.get("nama") or ""),
                 str(entry.get("tanggal_lahir") or ""))


class _Inside:
    """Everybody inside, with an index of what identifies them (``_keys``): one look-up per row."""

    def __init__(self, entries: list[dict]):
        self.entries: dict[int, dict] = {}
        self.index: dict[str, set[int]] = {}
        self.next = 0
        for entry in entries:
            self.add(entry, _state_keys(entry))

    def add(self, entry: dict, keys: list[str]) -> None:
        self.entries[self.next] = entry
        for key in keys:
            self.index.setdefault(key, set()).add(self.next)
        self.next += 1

    def find(self, keys: list[str]) -> list[int]:
        """The entries (still inside) sharing one of ``keys``."""
        return sorted(i for i in set().union(*(self.index.get(k, set()) for k in keys)) if i in self.entries)

    def remove(self, found: list[int]) -> None:
        for i in found:
            del self.entries[i]  # (the index keeps their keys; ``find`` skips them)


_ENTRY = (INSTITUTION, "nama", "nik", "jenis_kelamin", "usia", "kategori", "voter_id", "kode_desa", "kabupaten_asal",
          "tempat_lahir", "tanggal_lahir", "alamat", "alasan", "file_name", "row_number")


def build(inp: DaftarInput) -> dict[str, pd.DataFrame]:
    regency, month = inp.part.regency, inp.part.month
    previous = _previous(inp)
    rows = _entries(inp, inp.feed) if len(inp.feed) else pd.DataFrame(columns=[*ROW, "feed_id", "jenis_peristiwa"])
    rostered = set(rows.loc[rows["jenis_peristiwa"] == ROSTER, INSTITUTION])
    before = {k for e in previous for k in _state_keys(e)}
    inside = _Inside([e for e in previous if e[INSTITUTION] not in rostered])  # a roster replaces its institution
    order = rows.assign(_first=(rows["jenis_peristiwa"] != ROSTER).astype(int)).sort_values(
        ["_first", "tanggal_peristiwa", "file_name", "row_number"], kind="stable")
    hasil: dict[str, str] = {}
    on_roster: set[str] = set()
    for row in order.to_dict("records"):
        keys = _keys(row["nik"], row["voter_id"], row["nama"], row["tanggal_lahir"])
        if row["jenis_peristiwa"] == ROSTER:
            on_roster.update(keys)
        found = inside.find(keys)
        same = [inside.entries[i] for i in found]
        inside.remove(found)
        if row["jenis_peristiwa"] == RELEASE:
            hasil[row["feed_id"]] = "keluar" if same else "tidak_di_daftar"
            continue
        if row["jenis_peristiwa"] == ROSTER:
            hasil[row["feed_id"]] = "tetap" if set(keys) & before else "baru"
        elif same:
            hasil[row["feed_id"]] = ("sudah_di_daftar" if any(e[INSTITUTION] == row[INSTITUTION] for e in same)
                                     else "pindah_lapas")
        else:
            hasil[row["feed_id"]] = "masuk"
        kept = same[0] if same else {}
        entry = {c: row[c] for c in _ENTRY}
        entry["tanggal_masuk"] = kept.get("tanggal_masuk") or row["tanggal_peristiwa"]
        entry["bulan_masuk"] = kept.get("bulan_masuk") or month
        inside.add(entry, sorted(set(keys) | {k for e in same for k in _state_keys(e)}))

    state = pd.DataFrame(list(inside.entries.values()), columns=list(dict.fromkeys([*PENGHUNI, *RUJUKAN])))
    state = _refreshed(inp, state)
    state["desa"] = desa_names(regency, state["kode_desa"].fillna("").astype(str))
    state["nama_kabupaten_asal"] = state["kabupaten_asal"].fillna("").astype(str).map(_regency_name)
    state = state.sort_values([INSTITUTION, "kategori", "nama", "file_name", "row_number"], kind="stable")
    rows = rows.assign(hasil=rows["feed_id"].map(hasil).fillna(""),
                       desa=desa_names(regency, rows["kode_desa"].fillna("").astype(str)))
    parts = {
        "pemilih_tps": state[state["kategori"].isin(VOTERS)],
        "bukan_pemilih": state[state["kategori"] == "bukan_pemilih"],
        "rujukan": state[state["kategori"] == "rujukan"],
        "masuk": rows[rows["jenis_peristiwa"] == INTAKE],
        "keluar": rows[rows["jenis_peristiwa"] == RELEASE],
        "daftar_penghuni": rows[rows["jenis_peristiwa"] == ROSTER],
    }
    # Last month's inmates of an institution whose roster does not name them: gone unreported.
    left = pd.Series([e[INSTITUTION] for e in previous
                      if e[INSTITUTION] in rostered and not set(_state_keys(e)) & on_roster], dtype=object)
    parts["tps"] = per_institution(state, rows, inp.max_pemilih_tps, left)
    return parts


def _refreshed(inp: DaftarInput, state: pd.DataFrame) -> pd.DataFrame:
    """Ages on this month's reference day, and the home desa the roll has now, for inmates on the roll."""
    if state.empty or inp.roll is None:
        return state
    voters = state["voter_id"].fillna("").astype(str)
    record = roll_records(inp.roll, voters[voters != ""]).reindex(voters)
    on_roll = (voters != "").to_numpy() & record["kode_desa"].notna().to_numpy()
    state.loc[on_roll, "kode_desa"] = record["kode_desa"].to_numpy()[on_roll]
    ages = age_on(record["tanggal_lahir"], inp.reference).astype("Int64").to_numpy()
    state.loc[on_roll, "usia"] = ages[on_roll]
    return state


def per_institution(state: pd.DataFrame, rows: pd.DataFrame, per_tps: int,
                    left: pd.Series | None = None) -> pd.DataFrame:
    """Per institution (and ``JUMLAH``): voters by sex and kind, inmates, the month's intake and
    release (``keluar``: release rows; ``tidak_di_roster``: last month's inmates the month's
    roster does not name), and the TPS khusus needed (ceil(voters / ``per_tps``) per institution)."""
    left = pd.Series(dtype=object) if left is None else left
    names = sorted(set(state[INSTITUTION]) | set(rows[INSTITUTION]) | set(left))
    if not names:
        return pd.DataFrame(columns=list(TPS))
    voters = state[state["kategori"].isin(VOTERS)]
    out = pd.DataFrame({"lapas_rutan": names})
    out["pemilih"] = out["lapas_rutan"].map(voters[INSTITUTION].value_counts()).fillna(0).astype(int)
    for sex in ("L", "P"):
        out[sex] = out["lapas_rutan"].map(voters.loc[voters["jenis_kelamin"] == sex, INSTITUTION].value_counts())
    for kind in (*VOTERS, "bukan_pemilih", "rujukan"):
        out[kind] = out["lapas_rutan"].map(state.loc[state["kategori"] == kind, INSTITUTION].value_counts())
    out["penghuni"] = out["lapas_rutan"].map(state[INSTITUTION].value_counts())
    out["masuk"] = out["lapas_rutan"].map(rows.loc[rows["hasil"].isin(["masuk", "pindah_lapas"]), INSTITUTION]
                                          .value_counts())
    out["keluar"] = out["lapas_rutan"].map(rows.loc[rows["hasil"] == "keluar", INSTITUTION].value_counts())
    out["tidak_di_roster"] = out["lapas_rutan"].map(left.value_counts())
    counted = [c for c in TPS if c not in ("lapas_rutan", "maks_pemilih_tps", "tps_khusus")]
    out[counted] = out[counted].fillna(0).astype("int64")
    out["maks_pemilih_tps"] = per_tps
    out["tps_khusus"] = [tps_needed(v, per_tps) for v in out["pemilih"]]
    total = {"lapas_rutan": TOTAL, **{c: int(out[c].sum()) for c in (*counted, "tps_khusus")},
             "maks_pemilih_tps": per_tps}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)[list(TPS)]


def tps_needed(voters: int, per_tps: int) -> int:
    """Polling stations for ``voters`` at most ``per_tps`` each (none for no voter)."""
    return math.ceil(voters / per_tps) if voters > 0 else 0


def figures(parts) -> dict[str, int]:
    """The regency's totals for the asset's metadata: inmates, voters, TPS khusus needed."""
    total = parts["tps"][parts["tps"]["lapas_rutan"] == TOTAL]
    if total.empty:
        return {"penghuni": 0, "pemilih": 0, "tps_khusus": 0}
    return {name: int(total[name].iloc[0]) for name in ("penghuni", "pemilih", "tps_khusus")}


SPEC = DaftarSpec(
    name="tps_khusus",
    feeds=("lapas",),
    stem="tps_khusus",
    title="DAFTAR PEMILIH TPS KHUSUS RUTAN / LAPAS",
    description="Inmates per remand centre or prison (Rutan/Lapas), kept month by month from intake, release "
                "and roster rows: the TPS khusus voter list (on the roll, or identified and eligible, or from "
                "another regency moving to vote here), the TPS needed, the month's intake and release; and, "
                "restricted, the inmates without a NIK for Disdukcapil to record",
    group_by=(INSTITUTION,),
    parts=(
        Bagian("pemilih_tps", "Pemilih TPS khusus", PENGHUNI, dari_feed=False, kept=KEPT),
        Bagian("tps", "TPS khusus per lapas", TPS, dari_feed=False),
        Bagian("masuk", "Masuk bulan ini", ROW),
        Bagian("keluar", "Keluar bulan ini", ROW),
        Bagian("daftar_penghuni", "Daftar penghuni (roster)", ROW),
        Bagian("bukan_pemilih", "Penghuni bukan pemilih", PENGHUNI, dari_feed=False, kept=KEPT),
        Bagian("rujukan", "Rujukan Disdukcapil", RUJUKAN, dari_feed=False, restricted_stem="rujukan_disdukcapil"),
    ),
    build=build,
    needs_roll=True,
    needs_previous=True,
    figures=figures,
)
