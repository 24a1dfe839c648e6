"""A person's standing that outlives the month it was reported in, by NIK.

Some events do not only change the roll in their month, they bar the person from it until
another event lifts the bar (domain.md, eligibility):

- enlisting in TNI or Polri (``masuk_tni``, ``masuk_polri``) bars until a retirement or
  discharge (``pensiun_tni``, ``pensiun_polri``) is reported;
- a court's removal of the right to vote (``pencabutan_hak_pilih``) bars until the end date the
  decision gives (``berlaku_sampai``), or for good when it gives none.

One standing is not a bar: a migrant worker's departure (``pmi_berangkat``) marks the person as
abroad (kind ``luar_negeri``, with the destination country, ``negara``) until a return
(``pmi_pulang``) lifts it. The voter keeps the vote and their place on the roll; while the mark
lasts other agencies' changes of the record wait for coktas (``abroad``, ``proposal``).

Which events do what is declared in the rule table (``EventRule.marks``). Only the legal source
of the event (``AgencySpec.authoritative``) and a usable NIK can set or lift a bar: the standing
is a fact about a person, kept whether or not the person is on the roll this month, so that a
Pemilih Baru report of them from any agency in a later month is refused with the reason.

The rows of month M are derived from M's own feed rows and stored by M's roll step (table
``status_pemilih``); the standing M decides on is that of every earlier month plus M's own rows,
so re-running a month gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from ..domain.dates import parse_dates
from ..feeds.spec import BY_KEY
from .eligibility import usable_nik
from .events import EVENT_RULES

TABLE = "status_pemilih"
COLUMNS = ["nik", "jenis", "aktif", "berlaku_sampai", "tanggal_peristiwa", "peristiwa", "agency", "file_name",
           "row_number", "negara"]
#: The reason a refused addition carries, per kind of bar.
BARRED = {"tni_polri": "anggota_tni_polri_aktif", "hak_pilih": "hak_pilih_dicabut"}
#: The kind of a migrant worker's standing abroad (not a bar: they keep the vote).
ABROAD = "luar_negeri"


def extra_field(rows: pd.DataFrame, name: str) -> pd.Series:
    """One field of the rows' ``extra`` JSON (the feed's fields beyond the canonical schema)."""
    if "extra" not in rows.columns:
        return pd.Series("", index=rows.index)
    return rows["extra"].map(lambda v: str(json.loads(v).get(name, "") or "") if v else "")


def month_rows(feed: pd.DataFrame, linked: pd.Series | None = None) -> pd.DataFrame:
    """The standing the month's feed rows set or lift (``COLUMNS``), in file order.

    ``linked``: feed row id -> the usable NIK of the roll record the row surely links to
    (``linked_niks``). A migrant worker's row (kind ``luar_negeri``) marks that NIK: the voter
    the linkage found, even when the row's own NIK is missing or mistyped. Every other kind
    rests on the row's own usable NIK alone."""
    marks = {event: rule.marks for event, rule in EVENT_RULES.items() if rule.marks}
    if feed.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = feed[feed["jenis_peristiwa"].isin(list(marks)).to_numpy()]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    legal = np.fromiter((e in BY_KEY[a].authoritative for a, e in zip(rows["agency"], rows["jenis_peristiwa"])),
                        dtype=bool, count=len(rows))
    abroad_kind = (rows["jenis_peristiwa"].map(marks).str[0] == ABROAD).to_numpy()
    found = rows["id"].map(linked).fillna("") if linked is not None and len(linked) else pd.Series("", index=rows.index)
    found = found.where(abroad_kind, "")
    rows = rows.assign(nik=found.where(found != "", rows["nik"]),
                       nik_status=rows["nik_status"].where(found == "", "valid"))
    rows = rows[legal & (rows["nik_status"] == "valid").to_numpy() & usable_nik(rows["nik"]).to_numpy()]
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS)
    until_text = extra_field(rows, "berlaku_sampai")
    # An end date lies in the future as often as not: read without the feeds' "not yet" rule.
    until = parse_dates(until_text)[0]
    kinds = rows["jenis_peristiwa"].map(marks)
    return pd.DataFrame({
        "nik": rows["nik"].to_numpy(), "jenis": [k[0] for k in kinds], "aktif": [bool(k[1]) for k in kinds],
        "berlaku_sampai": until.to_numpy(), "tanggal_peristiwa": pd.to_datetime(rows["tanggal_peristiwa"]).to_numpy(),
        "peristiwa": rows["jenis_peristiwa"].to_numpy(), "agency": rows["agency"].to_numpy(),
        "file_name": rows["file_name"].to_numpy(), "row_number": rows["row_number"].astype("int64").to_numpy(),
        "negara": extra_field(rows, "negara").to_numpy(),
    })


def linked_niks(feed: pd.DataFrame, links: pd.DataFrame, roll: pd.DataFrame) -> pd.Series:
    """Feed row id -> the usable NIK of the roll record it surely links to (``match``), for
    the rows whose event sets or lifts a migrant worker's mark (one pass over the roll's ids)."""
    events = [event for event, rule in EVENT_RULES.items() if rule.marks and rule.marks[0] == ABROAD]
    ids = set(feed.loc[feed["jenis_peristiwa"].isin(events), "id"]) if len(feed) else set()
    if not ids or links.empty:
        return pd.Series(dtype=object)
    sure = links[links["feed_id"].isin(ids) & (links["decision"] == "match")]
    records = roll.loc[roll["id"].isin(set(sure["roll_id"])), ["id", "nik"]].drop_duplicates("id")
    records = records[usable_nik(records["nik"]).to_numpy()].set_index("id")["nik"]
    return sure.set_index("feed_id")["roll_id"].map(records).dropna()


def standing(earlier: pd.DataFrame, this_month: pd.DataFrame, month: str) -> pd.DataFrame:
    """The latest row per NIK and kind of bar: earlier months, then this month's (by event date
    within a month, then file order)."""
    parts = [part for part in (earlier.reindex(columns=["month", *COLUMNS]),
                               this_month.reindex(columns=COLUMNS).assign(month=month)) if len(part)]
    if not parts:
        return pd.DataFrame(columns=["month", *COLUMNS])
    rows = pd.concat(parts, ignore_index=True)
    rows["_order"] = np.arange(len(rows))
    rows = rows.sort_values(["month", "tanggal_peristiwa", "_order"], kind="stable", na_position="first")
    return rows.drop_duplicates(["nik", "jenis"], keep="last").drop(columns="_order").reset_index(drop=True)


def bars(current: pd.DataFrame, reference: dt.date) -> dict[str, str]:
    """NIK -> the reason a Pemilih Baru report of that person is refused on ``reference``."""
    if current.empty:
        return {}
    until = pd.to_datetime(current["berlaku_sampai"], errors="coerce")
    active = current["aktif"].astype(bool) & (until.isna() | (until >= pd.Timestamp(reference)))
    held = current[active.to_numpy() & current["jenis"].isin(list(BARRED)).to_numpy()]
    return {nik: BARRED[kind] for nik, kind in zip(held["nik"], held["jenis"])}


def abroad(current: pd.DataFrame) -> pd.DataFrame:
    """The people marked abroad in ``current`` (``standing``): one row per NIK with the
    departure's date (``tanggal_peristiwa``), country, month and source, in NIK order."""
    if current.empty:
        return pd.DataFrame(columns=["month", *COLUMNS])
    held = current[(current["jenis"] == ABROAD).to_numpy() & current["aktif"].astype(bool).to_numpy()]
    return held.sort_values("nik", kind="stable").reset_index(drop=True)
