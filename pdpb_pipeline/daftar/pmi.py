"""The migrant workers' list of a month (Disnakertrans / BP2MI): who is abroad, who came home.

Built from what the month's roll step already decided, never decided again here:

- the standing ``luar_negeri`` (``roll.status``, table ``status_pemilih``): a departure's row
  marks the NIK abroad with the destination country, a return lifts it;
- the month's BP2MI feed rows and their link decisions;
- the month's proposals (``usulan_perubahan``): what a return did to the roll, and which other
  agencies' changes were held for coktas because the voter is abroad (``ABROAD_REASON``);
- the roll at the end of the month (where a returned worker votes now).

Lists (``build``):

- ``luar_negeri``: everybody marked abroad at the end of the month, with the country: the list
  KPU RI's overseas list (DPTLN) is told about; ``per_negara`` counts it by country and sex.
- ``berangkat`` / ``pulang``: the month's departure and return rows, every one of them (with the
  quarantine, they reconcile with the feed). A return tells where the worker votes now
  (``kode_desa``): the desa of the KTP/KK the row names when it is one of the regency's, else
  the desa the roll has and ``perlu_cek_desa``. Sorted by desa, for the officers who tell them.
- ``peringatan``: other agencies' rows of this month naming a worker abroad (a change held for
  coktas, or a use of the identity that changes nothing: a village list, a prison intake).
"""

from __future__ import annotations

import pandas as pd

from ..domain import regions
from ..roll import status
from .spec import Bagian, DaftarInput, DaftarSpec
from ..roll.eligibility import usable_nik
from ..roll.events import ABROAD_EXEMPT, ABROAD_REASON
from ..roll.proposal import APPLIED, NO_CHANGE, QUEUED

AGENCY = "bp2mi"
NO_COUNTRY = "(TIDAK DISEBUT)"

LUAR_NEGERI_COLUMNS = ("nik", "nama", "jenis_kelamin", "negara", "tanggal_berangkat", "bulan_tercatat", "voter_id",
                       "kode_desa", "desa", "kecamatan", "file_name", "row_number")
PER_NEGARA_COLUMNS = ("negara", "L", "P", "jumlah")
BERANGKAT_COLUMNS = ("file_name", "row_number", "nik", "nama", "jenis_kelamin", "negara", "tanggal_berangkat",
                     "voter_id", "kode_desa", "desa", "kecamatan", "hasil", "alasan")
PULANG_COLUMNS = ("kode_desa", "desa", "kecamatan", "nama", "nik", "jenis_kelamin", "voter_id", "kode_desa_ktp",
                  "kode_desa_sebelumnya", "tanggal_pulang", "hasil", "alasan", "file_name", "row_number")
PERINGATAN_COLUMNS = ("agency", "file_name", "row_number", "jenis_peristiwa", "nik", "nama", "voter_id", "negara",
                      "tanggal_berangkat", "tindakan", "id_usulan")

#: What a return did (``pulang.hasil``).
PULANG_HASIL = {
    "pindah_desa": "the roll's desa was another one: the voter now votes at the desa of the KTP/KK the row names",
    "desa_sama": "on the roll at the desa the row names already",
    "pemilih_baru": "not on the roll (on the overseas list at the DPT): added at the row's desa",
    "antrean": "the change waits for coktas (alasan says why)",
    "perlu_cek_desa": "the row names no desa of the regency: the voter stays where the roll has them, to be checked",
    "tanpa_perubahan": "nothing changed (alasan says why)",
    "tidak_di_dpb": "not on the roll and not added (not eligible, or not identified)",
}


def _desa_names(regency: str) -> tuple[dict, dict]:
    names = {d.code: d.name for d in regions.desa_of(regency)}
    kec = {d.code: d.kecamatan_name for d in regions.desa_of(regency)}
    return names, kec


def _named(frame: pd.DataFrame, regency: str) -> pd.DataFrame:
    names, kec = _desa_names(regency)
    return frame.assign(desa=frame["kode_desa"].map(names).fillna(""),
                        kecamatan=frame["kode_desa"].map(kec).fillna(""))


def normalize_country(values: pd.Series) -> pd.Series:
    """Country names as one spelling for counting: upper case, single spaces, no dots;
    empty -> ``NO_COUNTRY``."""
    text = values.fillna("").astype(str).str.upper().str.replace(".", " ", regex=False)
    text = text.str.split().str.join(" ")
    return text.where(text != "", NO_COUNTRY)


def build(regency: str, feed: pd.DataFrame, links: pd.DataFrame, roll: pd.DataFrame, proposals: pd.DataFrame,
          changes: pd.DataFrame, current: pd.DataFrame, previous: pd.DataFrame | None = None
          ) -> dict[str, pd.DataFrame]:
    """The month's migrant-worker lists (module docstring), keyed by name.

    ``feed``: the month's feed rows (every agency; this module picks BP2MI's and, for
    ``peringatan``, the others); ``links``: their link decisions; ``roll``: the roll at the end
    of the month (or any part of it holding the records the rows name); ``proposals`` and
    ``changes``: the month's proposals and applied changes (``perubahan``); ``current``: the standing at the end of the month (``status.standing``,
    this month's rows included); ``previous``: last month's ``luar_negeri`` list, whose names
    carry a worker not on the roll from the month they left."""
    rows = feed[feed["agency"] == AGENCY]
    roll = roll if roll is not None else pd.DataFrame(columns=["id", "nik", "nama", "jenis_kelamin", "kode_desa"])
    link = links.drop_duplicates("feed_id").set_index("feed_id") if len(links) else pd.DataFrame(
        columns=["roll_id", "decision"])
    # the records the month's links and changes name, by id (not the whole roll indexed: a copy of it)
    named = set(link["roll_id"].dropna()) | set(changes["voter_id"].dropna() if len(changes) else ())
    by_id = roll[roll["id"].isin(named)].drop_duplicates("id").set_index("id")
    abroad = status.abroad(current)
    marked = set(abroad["nik"])
    lists = {
        "luar_negeri": _abroad_list(regency, abroad, roll, previous, rows),
        "berangkat": _departures(regency, rows, link, marked),
        "pulang": _returns(regency, rows, link, by_id, proposals, changes),
        "peringatan": _warnings(feed, link, by_id, proposals, abroad),
    }
    lists["per_negara"] = per_country(lists["luar_negeri"])
    return lists


def _country(rows: pd.DataFrame) -> pd.Series:
    if not len(rows):
        return pd.Series(dtype=object)
    return normalize_country(rows["negara"] if "negara" in rows.columns else status.extra_field(rows, "negara"))


def _abroad_list(regency: str, abroad: pd.DataFrame, roll: pd.DataFrame, previous: pd.DataFrame | None,
                 rows: pd.DataFrame) -> pd.DataFrame:
    if abroad.empty:
        return pd.DataFrame(columns=list(LUAR_NEGERI_COLUMNS))
    # The voter's record on the roll by NIK (one vector pass over the roll's NIKs).
    on_roll = roll[roll["nik"].isin(set(abroad["nik"]))].drop_duplicates("nik").set_index("nik")
    out = pd.DataFrame({
        "nik": abroad["nik"].to_numpy(), "negara": normalize_country(abroad["negara"]).to_numpy(),
        "tanggal_berangkat": pd.to_datetime(abroad["tanggal_peristiwa"], errors="coerce").dt.date.to_numpy(),
        "bulan_tercatat": abroad["month"].to_numpy(), "file_name": abroad["file_name"].to_numpy(),
        "row_number": abroad["row_number"].astype("int64").to_numpy(),
    })
    out["voter_id"] = out["nik"].map(on_roll["id"]).fillna("")
    for name in ("nama", "jenis_kelamin", "kode_desa"):
        out[name] = out["nik"].map(on_roll[name]).fillna("")
    # Not on the roll: what the departure's row said, this month's or carried from last month's list.
    known = []
    if previous is not None and len(previous):
        known.append(previous[["nik", "nama", "jenis_kelamin", "kode_desa", "voter_id"]].fillna(""))
    if len(rows):
        known.append(rows[rows["jenis_peristiwa"] == "pmi_berangkat"][["nik", "nama", "jenis_kelamin", "kode_desa"]]
                     .assign(voter_id=""))
    if known:
        said = pd.concat(known, ignore_index=True)
        said = said[said["nik"] != ""].drop_duplicates("nik", keep="last").set_index("nik")
        for name in ("nama", "jenis_kelamin", "kode_desa", "voter_id"):
            missing = out[name] == ""
            out.loc[missing, name] = out.loc[missing, "nik"].map(said[name]).fillna("")
    out = _named(out, regency)
    return out.sort_values(["negara", "kode_desa", "nama", "nik"], kind="stable")[list(LUAR_NEGERI_COLUMNS)] \
        .reset_index(drop=True)


def per_country(abroad_list: pd.DataFrame) -> pd.DataFrame:
    """Workers abroad by destination country and sex, with a total row (``JUMLAH``)."""
    if abroad_list.empty:
        return pd.DataFrame([{"negara": "JUMLAH", "L": 0, "P": 0, "jumlah": 0}], columns=list(PER_NEGARA_COLUMNS))
    counts = pd.crosstab(abroad_list["negara"], abroad_list["jenis_kelamin"]).reindex(columns=["L", "P"], fill_value=0)
    counts["jumlah"] = pd.crosstab(abroad_list["negara"], "n")["n"]
    counts = counts.sort_values(["jumlah"], ascending=False, kind="stable").reset_index()
    total = {"negara": "JUMLAH", **{c: int(counts[c].sum()) for c in ("L", "P", "jumlah")}}
    return pd.concat([counts, pd.DataFrame([total])], ignore_index=True)[list(PER_NEGARA_COLUMNS)]


def _departures(regency: str, rows: pd.DataFrame, link, marked: set[str]) -> pd.DataFrame:
    left = rows[rows["jenis_peristiwa"] == "pmi_berangkat"]
    if left.empty:
        return pd.DataFrame(columns=list(BERANGKAT_COLUMNS))
    sure = link.reindex(left["id"])
    voter = sure["roll_id"].where(sure["decision"] == "match").fillna("").to_numpy()
    usable = ((left["nik_status"] == "valid") & usable_nik(left["nik"])).to_numpy()
    on_mark = left["nik"].isin(marked).to_numpy()
    out = pd.DataFrame({
        "file_name": left["file_name"].to_numpy(), "row_number": left["row_number"].astype("int64").to_numpy(),
        "nik": left["nik"].to_numpy(), "nama": left["nama"].to_numpy(),
        "jenis_kelamin": left["jenis_kelamin"].to_numpy(), "negara": _country(left).to_numpy(),
        "tanggal_berangkat": pd.to_datetime(left["tanggal_peristiwa"], errors="coerce").dt.date.to_numpy(),
        "voter_id": voter, "kode_desa": left["kode_desa"].to_numpy(), "feed_id": left["id"].to_numpy(),
    })
    # A usable NIK always sets the mark; it is not marked at the month's end only when a later
    # return lifted it. Without a usable NIK the mark cannot be kept: listed to be checked.
    out["hasil"] = [("tercatat" if m else "sudah_pulang") if u else "tidak_tercatat" for u, m in zip(usable, on_mark)]
    out["alasan"] = ["" if u else "nik_tidak_sah" for u in usable]
    out = _named(out, regency)
    return out[[*BERANGKAT_COLUMNS, "feed_id"]].reset_index(drop=True)


def _returns(regency: str, rows: pd.DataFrame, link, by_id: pd.DataFrame, proposals: pd.DataFrame,
             changes: pd.DataFrame) -> pd.DataFrame:
    back = rows[rows["jenis_peristiwa"] == "pmi_pulang"]
    if back.empty:
        return pd.DataFrame(columns=list(PULANG_COLUMNS))
    ids = set(back["id"])
    done = changes[changes["feed_id"].isin(ids)].drop_duplicates("feed_id").set_index("feed_id") \
        if len(changes) else pd.DataFrame(columns=["voter_id"])
    own = proposals[proposals["feed_id"].isin(ids) & (proposals["status"] != APPLIED)] if len(proposals) else proposals
    waiting = own.drop_duplicates("feed_id").set_index("feed_id") if len(own) else pd.DataFrame(columns=["status"])
    sure = link.reindex(back["id"])
    records = []
    for row, roll_id, decision in zip(back.itertuples(index=False), sure["roll_id"], sure["decision"]):
        change = done.loc[row.id] if row.id in done.index else None
        item = waiting.loc[row.id] if change is None and row.id in waiting.index else None
        voter = str(change["voter_id"]) if change is not None else (
            roll_id if decision == "match" and isinstance(roll_id, str) else "")
        record = by_id.loc[voter] if voter and voter in by_id.index else None
        now = str(record["kode_desa"]) if record is not None else ""
        ktp, before, alasan = str(row.kode_desa), now, ""
        if change is not None and change["kategori"] == "pemilih_baru":
            hasil, before = "pemilih_baru", ""
        elif change is not None and change["sub_kategori"] == "ubah_alamat":
            before = str(change["kode_desa_lama"])
            hasil = "pindah_desa" if before != str(change["kode_desa_baru"]) else "desa_sama"
        elif item is not None and item["status"] == QUEUED:
            hasil, alasan = "antrean", str(item["alasan"])
        elif item is not None and item["status"] == NO_CHANGE:
            hasil, alasan = "tanpa_perubahan", str(item["alasan"])
        elif record is not None and not ktp.startswith(regency + "."):
            hasil, alasan = "perlu_cek_desa", "desa_ktp_kosong" if not ktp else "desa_ktp_di_luar_wilayah"
        elif record is not None:
            hasil = "desa_sama"
        else:
            hasil = "tidak_di_dpb"
        records.append({
            "kode_desa": now, "nama": row.nama, "nik": row.nik, "jenis_kelamin": row.jenis_kelamin,
            "voter_id": voter, "kode_desa_ktp": ktp, "kode_desa_sebelumnya": before,
            "tanggal_pulang": pd.Timestamp(row.tanggal_peristiwa).date() if not pd.isna(row.tanggal_peristiwa) else None,
            "hasil": hasil, "alasan": alasan, "file_name": row.file_name, "row_number": int(row.row_number),
            "feed_id": row.id,
        })
    out = _named(pd.DataFrame(records), regency)
    return out.sort_values(["kode_desa", "nama", "file_name", "row_number"], kind="stable")[
        [*PULANG_COLUMNS, "feed_id"]].reset_index(drop=True)


def _warnings(feed: pd.DataFrame, link, by_id: pd.DataFrame, proposals: pd.DataFrame, abroad: pd.DataFrame
              ) -> pd.DataFrame:
    others = feed[~feed["agency"].isin(ABROAD_EXEMPT)]
    if abroad.empty or others.empty:
        return pd.DataFrame(columns=list(PERINGATAN_COLUMNS))
    left = abroad.set_index("nik")
    sure = link.reindex(others["id"])
    voter = sure["roll_id"].where(sure["decision"].isin(["match", "review"])).fillna("")
    voter_nik = voter.map(by_id["nik"]).fillna("").to_numpy() if len(by_id) else voter.to_numpy()
    nik = others["nik"].where(others["nik"].isin(left.index), pd.Series(voter_nik, index=others.index))
    named = others.assign(_nik=nik.to_numpy(), _voter=voter.to_numpy())
    named = named[named["_nik"].isin(left.index)]
    if named.empty:
        return pd.DataFrame(columns=list(PERINGATAN_COLUMNS))
    held = proposals[proposals["alasan"].astype(str).str.startswith(ABROAD_REASON)] if len(proposals) else proposals
    held = held.drop_duplicates("feed_id").set_index("feed_id")["proposal_id"] if len(held) else pd.Series(dtype=object)
    id_usulan = named["id"].map(held).fillna("")
    since = pd.to_datetime(named["_nik"].map(left["tanggal_peristiwa"]), errors="coerce")
    happened = pd.to_datetime(named["tanggal_peristiwa"], errors="coerce")
    before = happened.notna() & since.notna() & (happened < since)
    out = pd.DataFrame({
        "agency": named["agency"].to_numpy(), "file_name": named["file_name"].to_numpy(),
        "row_number": named["row_number"].astype("int64").to_numpy(),
        "jenis_peristiwa": named["jenis_peristiwa"].to_numpy(), "nik": named["_nik"].to_numpy(),
        "nama": named["nama"].to_numpy(), "voter_id": named["_voter"].to_numpy(),
        "negara": normalize_country(named["_nik"].map(left["negara"])).to_numpy(),
        "tanggal_berangkat": since.dt.date.to_numpy(),
        "tindakan": ["antrean_coktas" if i else ("sebelum_berangkat" if b else "identitas_dipakai")
                     for i, b in zip(id_usulan, before)],
        "id_usulan": id_usulan.to_numpy(),
    })
    return out.sort_values(["agency", "file_name", "row_number"], kind="stable")[list(PERINGATAN_COLUMNS)] \
        .reset_index(drop=True)


def extra_inputs(warehouse, part) -> dict[str, pd.DataFrame]:
    """What the list reads besides its own feed's rows: the month's rows of every agency with
    their links and proposals (for ``peringatan``), the applied changes (what a return did),
    and the standing at the end of the month."""
    rows = warehouse.standing_before(part, through=True)
    current = status.standing(rows, pd.DataFrame(columns=status.COLUMNS), part.month)
    return {"feed": warehouse.feed_rows(part), "links": warehouse.link_decisions(part),
            "proposals": warehouse.usulan_perubahan(part), "changes": warehouse.perubahan(part),
            "standing": current.fillna({"negara": ""})}


def build_parts(inp: DaftarInput) -> dict[str, pd.DataFrame]:
    """The list's parts for the daftar asset (``build`` on ``inp``)."""
    extra = inp.extra
    return build(inp.part.regency, extra["feed"], extra["links"], inp.roll, extra["proposals"], extra["changes"],
                 extra["standing"], inp.previous.get("luar_negeri"))


SPEC = DaftarSpec(
    name="pmi",
    feeds=(AGENCY,),
    stem="pmi",
    title="Pekerja Migran Indonesia (PMI): di luar negeri dan yang pulang",
    description="Migrant workers marked abroad (by destination country, for KPU RI's overseas list), the "
                "month's departures and returns (where a returned worker votes now, per desa), and other "
                "agencies' rows naming a worker abroad (held for coktas)",
    group_by=("kecamatan", "desa"),
    parts=(
        Bagian("luar_negeri", "Di luar negeri (DPTLN)", LUAR_NEGERI_COLUMNS, dari_feed=False),
        Bagian("per_negara", "Per negara tujuan", PER_NEGARA_COLUMNS, dari_feed=False),
        Bagian("berangkat", "Berangkat bulan ini", BERANGKAT_COLUMNS),
        Bagian("pulang", "Pulang, per desa", PULANG_COLUMNS),
        Bagian("peringatan", "Identitas dipakai di dalam negeri", PERINGATAN_COLUMNS, dari_feed=False),
    ),
    build=build_parts,
    needs_roll=True,
    needs_previous=True,
    extra_inputs=extra_inputs,
)
