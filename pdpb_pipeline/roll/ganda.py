"""Duplicates (ganda) on the roll: which record of a pair stays, and whether that is applied.

A pair (found by ``linkage.duplicates_of`` in SIDALIH's classes) proposes to remove one record
(TMS ganda). The record kept is chosen on evidence, in this order:

1. ``bukti_instansi``: the agencies' latest data. Of the agency rows that named either record
   (linked to it this month, or added or changed it in an earlier month), those of the latest
   month count: a row that carries the address of one record and not the other supports that
   record, otherwise it supports the record it named.
2. ``terdaftar_lebih_dulu``: the earlier registration as the warehouse recorded it (the month
   the record's first version became valid; the DPT's own first).
3. ``nik_sah``: the record with a usable NIK, when the other has none.
4. ``tanpa_pembeda``: nothing distinguishes the two. The record with more fields filled in
   stays, then the first in the roll's order; this choice alone never removes anybody whose
   records differ: such a pair goes to coktas.

Only a pair that loses no information is applied: a sure (``match``) pair identical but for the
address, whose addresses (after normalisation), NKK and marital status agree, or whose kept
address the agencies' latest row carries. Everything else is queued for the door-to-door
check with the reason. A record in more than one pair of the month (one person three times,
or two people and a copy) is checked in the field too, and a pair still waiting for coktas
from an earlier month is not proposed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..domain import schema
from ..linkage.normalize import normalize_addresses
from .eligibility import stands_twice, usable_nik
from .events import ADDRESS_FIELDS, EVENT_RULES
from .proposal import APPLIED, QUEUED, Proposals

#: Fields besides the address whose difference a removal would lose (the household's card,
#: the marriage that may make a voter).
OTHER_FIELDS = ("nkk", "status_kawin")
REPORT_COLUMNS = ["voter_id", "month", *ADDRESS_FIELDS]


@dataclass
class Evidence:
    """What the warehouse knows about the records of the month's pairs."""
    #: voter id -> month its first version became valid (``store.registered``; read by
    #: ``Warehouse.ganda_evidence``)
    registered: dict[str, str] = field(default_factory=dict)
    #: agency rows that added, changed or named a record: ``REPORT_COLUMNS``
    reports: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPORT_COLUMNS))


def month_reports(persons: pd.DataFrame, links: pd.DataFrame, month: str) -> pd.DataFrame:
    """This month's agency rows linked for sure to a roll record, as ``Evidence.reports`` (a
    removal, such as a death, says nothing of which record is current: left out)."""
    removals = [k for k, r in EVENT_RULES.items() if isinstance(r.on_match, tuple) and r.on_match[0] == "tms"]
    sure = (links["decision"].to_numpy() == "match") & ~persons["jenis_peristiwa"].isin(removals).to_numpy()
    rows = persons[sure]
    return pd.DataFrame({"voter_id": links["roll_id"].to_numpy()[sure], "month": month,
                         **{c: rows[c].to_numpy() for c in ADDRESS_FIELDS}})


def open_pairs(open_queue: pd.DataFrame) -> tuple[set[frozenset], set[str]]:
    """Duplicate pairs waiting for coktas from earlier months, and the records they name."""
    if not len(open_queue) or "rule" not in open_queue.columns:
        return set(), set()
    waiting = open_queue[open_queue["rule"].astype(str).str.startswith("ganda_")]
    pairs = {frozenset((a, b)) for a, b in zip(waiting["voter_id"], waiting["feed_id"])}
    return pairs, set(waiting["voter_id"]) | set(waiting["feed_id"])


def _address(frame: pd.DataFrame, suffix: str = "") -> pd.Series:
    """The normalised address of each row: street (normalised), RT and RW (without leading
    zeros), desa."""
    def number(name):
        return frame[name + suffix].astype(str).str.strip().str.lstrip("0")
    street = frame["alamat" + suffix].astype(str)
    codes, uniques = pd.factorize(street)
    normal = pd.Series(normalize_addresses(list(uniques)), dtype=object)
    street = normal.to_numpy()[codes] if len(uniques) else street.to_numpy()
    return pd.Series(street, index=frame.index) + "|" + number("rt") + "|" + number("rw") + "|" + frame[
        "kode_desa" + suffix].astype(str)


def _supported(pairs: pd.DataFrame, reports: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per pair: the side ("a"/"b"/"") the agencies' latest rows support, and whether one of
    them carries the supported record's address."""
    side = pd.Series("", index=pairs.index, dtype=object)
    confirmed = pd.Series(False, index=pairs.index)
    if not len(reports) or not len(pairs):
        return side, confirmed
    named = pd.concat([pd.DataFrame({"pair": pairs.index, "side": s, "voter_id": pairs[f"id_{s}"]}) for s in "ab"])
    rows = named.merge(reports, on="voter_id")
    if rows.empty:
        return side, confirmed
    rows = rows[rows["month"] == rows.groupby("pair")["month"].transform("max")].copy()
    address = _address(rows)
    at_a = address.to_numpy() == pairs.loc[rows["pair"], "alamat_norm_a"].to_numpy()
    at_b = address.to_numpy() == pairs.loc[rows["pair"], "alamat_norm_b"].to_numpy()
    rows["supports"] = np.where(at_a & ~at_b, "a", np.where(at_b & ~at_a, "b", rows["side"]))
    rows["carries"] = np.where(rows["supports"] == "a", at_a, at_b)
    sides = rows.groupby("pair")["supports"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "")
    side[sides.index] = sides
    carried = rows[rows["supports"] == rows["pair"].map(side)].groupby("pair")["carries"].any()
    confirmed[carried.index] = carried
    return side, confirmed


def propose_duplicates(out: Proposals, roll: pd.DataFrame, duplicates: pd.DataFrame, named: pd.DataFrame,
                       evidence: Evidence, open_queue: pd.DataFrame) -> None:
    """TMS ganda proposals for the month's pairs and for every usable NIK that stands twice on
    the roll. ``named``: roll rows that include every id of the pairs."""
    fields = list(schema.PERSON_COLUMNS[1:])
    waiting, waiting_ids = open_pairs(open_queue)
    fresh = ~pd.Series([frozenset((a, b)) in waiting for a, b in zip(duplicates["id_a"], duplicates["id_b"])],
                       index=duplicates.index, dtype=bool)
    found = duplicates[fresh]
    named = named[named["id"].isin(set(found["id_a"]) | set(found["id_b"]))]
    pairs = found.merge(named.add_suffix("_a"), on="id_a").merge(named.add_suffix("_b"), on="id_b")
    pairs = pairs.sort_values(["id_a", "id_b"], kind="stable").reset_index(drop=True)
    pairs["alamat_norm_a"], pairs["alamat_norm_b"] = _address(pairs, "_a"), _address(pairs, "_b")

    side, confirmed = _supported(pairs, evidence.reports)
    reg_a = pairs["id_a"].map(evidence.registered).fillna("")
    reg_b = pairs["id_b"].map(evidence.registered).fillna("")
    nik_a, nik_b = usable_nik(pairs["nik_a"]), usable_nik(pairs["nik_b"])
    filled_a = sum((pairs[f"{c}_a"].astype(str).replace("NaT", "") != "").astype(int) for c in fields)
    filled_b = sum((pairs[f"{c}_b"].astype(str).replace("NaT", "") != "").astype(int) for c in fields)
    by_registration = (reg_a != reg_b) & (reg_a != "") & (reg_b != "")
    by_nik = nik_a != nik_b
    keep_a = np.select(
        [side != "", by_registration, by_nik],
        [side == "a", reg_a < reg_b, nik_a],
        default=filled_a >= filled_b)
    because = np.select([side != "", by_registration, by_nik],
                        ["bukti_instansi", "terdaftar_lebih_dulu", "nik_sah"], default="tanpa_pembeda")
    keep_a = pd.Series(keep_a.astype(bool), index=pairs.index)
    keep_id = pairs["id_a"].where(keep_a, pairs["id_b"])
    drop = pd.DataFrame({c: pairs[f"{c}_b"].where(keep_a, pairs[f"{c}_a"]) for c in ["id", *fields]})

    # Only what loses no information is applied: "same NIK, other name" may be two people and
    # "similar" ones twins or namesakes; of two addresses the newer may be the right one.
    address_differs = pairs["alamat_norm_a"] != pairs["alamat_norm_b"]
    others = [pairs[f"{c}_a"].astype(str) != pairs[f"{c}_b"].astype(str) for c in OTHER_FIELDS]
    other_differs = pd.concat(others, axis=1).any(axis=1) if len(pairs) else pd.Series(False, index=pairs.index)
    in_pairs = pd.concat([pairs["id_a"], pairs["id_b"]])
    crowded = pairs["id_a"].isin(in_pairs[in_pairs.duplicated()]) | pairs["id_b"].isin(in_pairs[in_pairs.duplicated()])
    confirmed_here = (because == "bukti_instansi") & confirmed
    checks = [
        (pairs["decision"] != "match", "ganda_ragu"),
        (pairs["kelas"] != "identik_kecuali_alamat", "kelas_" + pairs["kelas"] + "_dicek"),
        (crowded, "ganda_lebih_dari_satu_pasangan_dicek"),
        (other_differs, "data_berbeda_dicek"),
        (address_differs & ~confirmed_here, "alamat_berbeda_dicek"),
    ]
    why = pd.Series("", index=pairs.index, dtype=object)
    for mask, reason in checks:
        why = why.where(~mask | (why != ""), reason)
    sure = why == ""
    why = why.where(~sure, np.where(address_differs, "alamat_dikonfirmasi_instansi", "identik"))
    out.add_frame(drop[fields].assign(
        voter_id=drop["id"], kategori="tms", sub_kategori="ganda", status=np.where(sure, APPLIED, QUEUED),
        alasan="ganda dengan " + keep_id + " (" + pairs["kelas"] + "); " + because + "; " + why,
        agency="dpb", file_name="", row_number=0, feed_id=keep_id, rule="ganda_" + pairs["kelas"],
        probability=pairs["probability"].astype(float),
    ))
    # Every valid NIK that stands twice on the roll is resolved above or goes to the field check
    # (once: not while an earlier month's check of it is open): two records with one NIK may be
    # one person twice or two people given one number.
    covered = set(duplicates["id_a"]) | set(duplicates["id_b"]) | waiting_ids
    # Whether a NIK is usable depends on the NIK alone: test only those that stand twice.
    twice = roll[stands_twice(roll["nik"])]
    shared = twice[usable_nik(twice["nik"])]
    shared = shared.sort_values(["nik", "id"], kind="stable")
    first = shared.groupby("nik")["id"].transform("first")
    rest = shared[(shared["id"] != first) & ~shared["id"].isin(covered) & ~first.isin(covered)]
    first = first[rest.index]
    out.add_frame(rest[fields].assign(
        voter_id=rest["id"], kategori="tms", sub_kategori="ganda", status=QUEUED,
        alasan="NIK sama dengan " + first + "; nik_sama_dicek", agency="dpb", file_name="", row_number=0,
        feed_id=first, rule="ganda_nik_sama", probability=np.nan,
    ))
