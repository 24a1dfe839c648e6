"""From linked feed rows to proposed changes of the roll, each applied or queued for coktas.

The rules are data (``events.EVENT_RULES``). A proposal is applied only when the link is sure
(``match``) and the agency is the legal source of that event (``AgencySpec.authoritative``);
otherwise it goes to the review queue, whose answers come back as the coktas feed of a later
month. Every proposal keeps its source: agency, file, row, rule and match probability.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..domain import schema
from ..domain.nik import is_placeholder
from ..feeds.spec import BY_KEY
from ..linkage.normalize import normalize_name
from . import status
from .eligibility import adult_on, age_evidence, eligible_one, eligible, nik_birth, placeholder_set, under_age, usable_one
from .events import (ABROAD_EXEMPT, ABROAD_REASON, ADDRESS_FIELDS, COKTAS_CONFIRM, COKTAS_REJECT, COKTAS_TMS,
                     EVENT_RULES, IDENTITY_FIELDS, EventRule)

if TYPE_CHECKING:
    from .ganda import Evidence


APPLIED, QUEUED, NO_CHANGE = "diterapkan", "antrean", "tanpa_perubahan"


PROPOSAL_COLUMNS = (
    "proposal_id", "voter_id", "kategori", "sub_kategori", "agency", "file_name", "row_number", "feed_id",
    "rule", "probability", "status", "alasan", "id_antrean", *schema.PERSON_COLUMNS[1:],
)


def _exits(persons: pd.DataFrame, decisions: np.ndarray) -> dict:
    """The month's removal events (death, moving out, enlisting) that name nobody on the roll
    (no sure link), by valid NIK: NIK -> (latest event date, legal source?, where reported)."""
    kinds = [k for k, r in EVENT_RULES.items() if isinstance(r.on_match, tuple) and r.on_match[0] == "tms"]
    rows = persons[persons["jenis_peristiwa"].isin(kinds).to_numpy() & (decisions != "match")
                   & (persons["nik_status"] == "valid").to_numpy()]
    out: dict = {}
    for row in rows.itertuples(index=False):
        happened = pd.Timestamp(row.tanggal_peristiwa) if not pd.isna(row.tanggal_peristiwa) else pd.NaT
        sah = row.jenis_peristiwa in BY_KEY[row.agency].authoritative
        where = f"{row.jenis_peristiwa} ({row.file_name} baris {int(row.row_number)})"
        known = out.get(row.nik)
        if known is None or (not pd.isna(happened) and (pd.isna(known[0]) or happened > known[0])):
            out[row.nik] = (happened, sah, where)
    return out


class Proposals:
    """Collects proposals, row by row or a frame at a time, in a deterministic order."""

    COLUMNS = [c for c in PROPOSAL_COLUMNS if c != "proposal_id"]

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.rows: list[dict] = []

    def add(self, **values) -> None:
        self.rows.append(values)

    def add_frame(self, frame: pd.DataFrame) -> None:
        self._flush()
        if len(frame):
            self.parts.append(frame.reindex(columns=self.COLUMNS))

    def _flush(self) -> None:
        if self.rows:
            self.parts.append(pd.DataFrame(self.rows, columns=self.COLUMNS))
            self.rows = []

    def frame(self, regency: str, month: str) -> pd.DataFrame:
        self._flush()
        frame = pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame(columns=self.COLUMNS)
        frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce")
        text = [c for c in frame.columns if c not in ("probability", "tanggal_lahir", "row_number")]
        frame[text] = frame[text].fillna("")
        frame["row_number"] = frame["row_number"].fillna(0).astype("int64")
        frame["proposal_id"] = [f"U-{regency}-{month}-{i + 1:06d}" for i in range(len(frame))]
        return frame[list(PROPOSAL_COLUMNS)]


def _person(row) -> dict:
    return {c: getattr(row, c) for c in schema.PERSON_COLUMNS[1:]}


def _source(row, rule: str, probability) -> dict:
    return {"agency": row.agency, "file_name": row.file_name, "row_number": int(row.row_number),
            "feed_id": row.id, "rule": rule, "probability": probability}


def propose(
    regency: str,
    month: str,
    reference: dt.date,
    feed: pd.DataFrame,
    links: pd.DataFrame,
    roll: pd.DataFrame,
    duplicates: pd.DataFrame,
    open_queue: pd.DataFrame,
    evidence: Evidence | None = None,
    standing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every change the month's evidence suggests, with its status (applied, queued, none).
    ``evidence``: what the warehouse knows of the duplicate pairs' records (``ganda.Evidence``:
    when each was registered, the agency rows that added or changed them); ``standing``: the
    latest standing per NIK (``status.standing``: TNI/Polri membership, a court's removal of the
    right to vote, a migrant worker abroad), this month's reports included."""
    from . import ganda  # the duplicate rules build on this module's proposals

    out = Proposals()
    link_of = links.set_index("feed_id") if len(links) else pd.DataFrame(columns=["roll_id", "probability", "decision"])
    feed = feed.sort_values(["agency", "file_name", "row_number"], kind="stable")

    coktas = feed[feed["jenis_peristiwa"] == "hasil_coktas"]
    persons = feed[feed["jenis_peristiwa"] != "hasil_coktas"]
    links_of = link_of.reindex(persons["id"])
    # Only the roll rows a queue item, a link or a duplicate pair names are looked up: one pass
    # over the roll's ids, no index of the whole roll.
    queued_voters = set(open_queue["voter_id"]) if "voter_id" in open_queue.columns else set()
    linked_ids = set(links_of["roll_id"].dropna())
    pair_ids = set(duplicates["id_a"]) | set(duplicates["id_b"])
    named = roll[roll["id"].isin(queued_voters | linked_ids | pair_ids)]

    roll_by_id = named[named["id"].isin(queued_voters)].set_index("id", drop=False)
    queued_niks = set(open_queue["nik"]) - {""} if "nik" in open_queue.columns else set()
    # The roll's NIKs that a queue item or a feed row carries (one pass over the roll's NIKs): the
    # same answers as a set of all the roll's NIKs.
    feed_niks = set(persons["nik"]) - {""}
    on_roll = set(roll["nik"][roll["nik"].isin(queued_niks | feed_niks)])
    answered = _answers(out, coktas, open_queue, roll_by_id, on_roll & queued_niks)

    # Everything a row's decision needs is computed for all rows at once; the loop below only
    # reads plain values (a month of Kabupaten Bogor has tens of thousands of rows).
    as_married = persons.assign(status_kawin=persons["status_kawin"].where(persons["jenis_peristiwa"] != "kawin", "S"))
    voter_now = eligible(as_married, reference).to_numpy()
    records = named[named["id"].isin(linked_ids)].set_index("id").to_dict("index")
    roll_niks = on_roll & feed_niks
    link_rows = links_of[["roll_id", "probability", "decision"]].to_dict("records")
    # The NIK carries a birth date: a newcomer whose NIK says under 17 (and who is unmarried) is
    # checked in the field, unless the event itself makes them a voter (``makes_voter``).
    nik_born = nik_birth(persons["nik"], persons["tanggal_lahir"], reference)
    makes_voter = [k for k, r in EVENT_RULES.items() if r.makes_voter]
    nik_minor = (~as_married["status_kawin"].isin(["S", "P"]).to_numpy() & nik_born.notna().to_numpy()
                 & ~adult_on(nik_born, reference) & ~persons["jenis_peristiwa"].isin(makes_voter).to_numpy())
    # A correction makes a new voter only through a marriage under 17 (``new_by_marriage_only``).
    married = as_married["status_kawin"].isin(["S", "P"]).to_numpy()
    by_marriage = married & ~adult_on(as_married["tanggal_lahir"], reference)
    no_new = (persons["jenis_peristiwa"].isin([k for k, r in EVENT_RULES.items() if r.new_by_marriage_only]).to_numpy()
              & ~by_marriage)
    voter_now = voter_now & ~no_new
    # And the other way round: a newcomer whose typed date says under 17 while the valid NIK says
    # 17 or older (day and month swapped, a wrong year) is checked in the field with the NIK's
    # date, not dropped.
    nik_adult = (~voter_now & ~no_new & (persons["nik_status"] == "valid").to_numpy()
                 & nik_born.notna().to_numpy() & adult_on(nik_born, reference))
    nik_says_voter = nik_born.where(nik_adult)
    exits = _exits(persons, links_of["decision"].to_numpy(dtype=object))
    barred = status.bars(standing, reference) if standing is not None else {}
    # Which NIKs of the rows and of their linked records are placeholders: one vector pass.
    placeholders = placeholder_set([*persons["nik"], *(r["nik"] for r in records.values())])
    for row, is_voter, link, minor, by_nik in zip(persons.itertuples(index=False), voter_now, link_rows, nik_minor,
                                                  nik_says_voter):
        rule = EVENT_RULES.get(row.jenis_peristiwa)
        if rule is None:
            continue
        authoritative = row.jenis_peristiwa in BY_KEY[row.agency].authoritative
        link = None if pd.isna(link["decision"]) else link
        if link is not None and link["decision"] == "review":
            kind = rule.on_match if rule.on_match else rule.on_new
            if kind is None:
                continue
            out.add(voter_id=link["roll_id"], kategori=_kategori(kind), sub_kategori=_sub(kind),
                    status=QUEUED, alasan="tautan_ragu", **_source(row, row.jenis_peristiwa, link["probability"]),
                    **_person(row))
            continue
        if link is not None and link["decision"] == "match":
            _on_match(out, row, rule, link, records, authoritative, reference, placeholders, regency)
        elif is_voter or not pd.isna(by_nik):
            _on_new(out, row, rule, regency, authoritative, roll_niks, minor, exits, None if is_voter else by_nik,
                    barred)

    evidence = evidence or ganda.Evidence()
    reports = ganda.month_reports(persons, links_of, month)
    evidence = ganda.Evidence(evidence.registered, pd.concat([evidence.reports, reports], ignore_index=True))
    # (a queue item answered this month no longer waits: its pair may be proposed again)
    waiting = open_queue[~open_queue["proposal_id"].isin(answered)] if len(open_queue) else open_queue
    ganda.propose_duplicates(out, roll, duplicates, named, evidence, waiting)
    _roll_rules(out, roll, reference)
    frame = out.frame(regency, month)
    if standing is not None:
        frame = hold_abroad(frame, status.abroad(standing), persons)
    return _partners_of_removed(_resolve_conflicts(frame), named, regency, month)


def hold_abroad(frame: pd.DataFrame, abroad: pd.DataFrame, feed: pd.DataFrame) -> pd.DataFrame:
    """Queues for coktas (``ABROAD_REASON`` first in ``alasan``) every change an agency row
    proposes for a person marked abroad (``status.abroad``): a removal, an update, an addition
    under their NIK. A worker abroad cannot move house, correct their KK or register in a
    village at home: such a row is the misuse of their identity KPU Sumbawa found, or the sign
    they are back, and either way an officer checks it. A death certificate too: the worker
    may have died abroad, or somebody used the identity; the family is asked before the voter
    is removed. Not held: the migrant-worker agency's own rows, coktas answers, the roll's own
    rules (``ABROAD_EXEMPT``), and rows whose event happened before the departure."""
    if frame.empty or abroad.empty:
        return frame
    since = abroad.set_index("nik")["tanggal_peristiwa"]
    happened = pd.to_datetime(feed.set_index("id")["tanggal_peristiwa"], errors="coerce")
    happened = happened[~happened.index.duplicated()]
    row_date = frame["feed_id"].map(happened)
    left = pd.to_datetime(frame["nik"].map(since), errors="coerce")
    held = (frame["status"].isin([APPLIED, QUEUED]) & frame["nik"].isin(set(since.index))
            & ~frame["agency"].isin(ABROAD_EXEMPT) & (frame["rule"] != "hasil_coktas")
            & ~(row_date.notna() & left.notna() & (row_date < left)))
    if not held.any():
        return frame
    frame = frame.copy()
    before = frame.loc[held, "alasan"]
    frame.loc[held, "alasan"] = ABROAD_REASON + np.where(before != "", ";" + before, "")
    frame.loc[held, "status"] = QUEUED
    return frame


def _kategori(kind) -> str:
    if isinstance(kind, tuple):
        return kind[0]
    return "ubah_data"


def _sub(kind) -> str:
    if isinstance(kind, tuple):
        return kind[1]
    return "ubah_alamat" if kind == "alamat" else "ubah_elemen_data"


def _on_match(
    out: Proposals, row, rule: EventRule, link, records: dict, authoritative: bool, reference: dt.date,
    placeholders: set[str] | None = None, regency: str = "",
) -> None:
    voter_id = link["roll_id"]
    if rule.on_match is None or voter_id not in records:
        return
    if rule.address_needs_desa and not str(row.kode_desa).startswith(regency + "."):
        return  # no desa of the regency named: the record keeps its address (``daftar.pmi`` lists it)
    current = records[voter_id]
    status = APPLIED if authoritative else QUEUED
    reason = "" if authoritative else "instansi_bukan_sumber_sah"
    source = _source(row, row.jenis_peristiwa, link["probability"])
    if isinstance(rule.on_match, tuple):
        lacking = missing_evidence(rule.evidence, row, current, placeholders)
        if lacking:
            status, reason = QUEUED, ";".join(filter(None, [reason, *lacking]))
        out.add(voter_id=voter_id, kategori=rule.on_match[0], sub_kategori=rule.on_match[1], status=status,
                alasan=reason, **source, **{c: current[c] for c in schema.PERSON_COLUMNS[1:]})
        return
    fields = {"alamat": ADDRESS_FIELDS, "identitas": IDENTITY_FIELDS, "kawin": ("status_kawin",)}[rule.on_match]
    updated = {c: current[c] for c in schema.PERSON_COLUMNS[1:]}
    changed = []
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, str) and not value:
            continue
        if pd.isna(value):
            continue
        if name == "status_kawin" and rule.on_match == "kawin":
            value = "S"
        if str(value) != str(current[name]):
            updated[name] = value
            changed.append(name)
    if not changed:
        return
    if not eligible_one(updated, reference) and eligible_one(current, reference):
        # The corrected data (a birth date) says this voter is under 17 and unmarried: that is a
        # removal, not an update, resting on the same agency row. (A record that was under age
        # before, whatever this row changes, is the roll rule's: see ``_roll_rules``.) It rests
        # on the same evidence as that rule: unless a usable NIK carries the new date, the new
        # date may be the typo: checked in the field, not removed.
        lacking = age_evidence(pd.DataFrame([updated]), reference)[0]
        if lacking:
            status, reason = QUEUED, ";".join(filter(None, [reason, lacking]))
        out.add(voter_id=voter_id, kategori="tms", sub_kategori="di_bawah_umur", status=status,
                alasan=reason or ("data terkoreksi: " + ",".join(changed)), **source, **updated)
        return
    sub = "ubah_alamat" if rule.on_match == "alamat" else "ubah_elemen_data"
    out.add(voter_id=voter_id, kategori="ubah_data", sub_kategori=sub, status=status,
            alasan=reason or ("kolom: " + ",".join(changed)), **source, **updated)


def _on_new(out: Proposals, row, rule: EventRule, regency: str, authoritative: bool, roll_niks: set,
            nik_minor: bool = False, exits: dict | None = None, nik_adult_born: pd.Timestamp | None = None,
            barred: dict | None = None) -> None:
    """A person not on the roll who is a voter now (17 or older, or married).

    ``nik_minor``: the row's NIK says under 17 (and the row says unmarried); ``exits``: the
    month's removal events of people not on the roll, by NIK (see ``_exits``);
    ``nik_adult_born``: only the NIK's birth date makes them 17 (the proposal carries it);
    ``barred``: NIK -> why the person may not be added (``status.bars``): refused, not queued.
    """
    if rule.on_new is None:
        return
    person = _person(row)
    if row.jenis_peristiwa == "kawin":
        person["status_kawin"] = "S"
    if nik_adult_born is not None:
        person["tanggal_lahir"] = nik_adult_born
    source = _source(row, row.jenis_peristiwa, np.nan)
    bar = (barred or {}).get(row.nik) if row.nik_status == "valid" else None
    if bar:
        out.add(voter_id="", kategori=rule.on_new[0], sub_kategori=rule.on_new[1], status=NO_CHANGE, alasan=bar,
                **source, **person)
        return
    problems = []
    if row.nik_status != "valid":
        problems.append("nik_tidak_sah")
    elif row.nik in roll_niks:
        problems.append("nik_sudah_di_dpb")  # on the roll under other data: a person to check
    if nik_minor or nik_adult_born is not None:
        problems.append("tanggal_lahir_beda_nik")  # the typed date may be the typo
    if not str(row.kode_desa).startswith(regency + "."):
        problems.append("desa_tidak_di_wilayah")
    if rule.new_needs_check:
        problems.append("penduduk_lama_tidak_di_dpb")
    if rule.new_by_marriage_only:
        problems.append("kawin_menurut_perbaikan_data")
    gone = (exits or {}).get(row.nik) if row.nik_status == "valid" else None
    if gone is not None:
        # The same month reports this person leaving (or dying) too. Reported late, the arrival
        # and the departure come in one month; the roll has no record to remove, so the
        # departure would be lost and the arrival applied. Departure on or after the arrival:
        # nothing to add; dates unknown or a source that is not the legal one: field check.
        happened = pd.Timestamp(row.tanggal_peristiwa) if not pd.isna(row.tanggal_peristiwa) else pd.NaT
        left, sah, where = gone
        if pd.isna(happened) or pd.isna(left) or left >= happened:
            if sah and not pd.isna(happened) and not pd.isna(left):
                out.add(voter_id="", kategori=rule.on_new[0], sub_kategori=rule.on_new[1], status=NO_CHANGE,
                        alasan="keluar_lagi_bulan_ini: " + where, **source, **person)
                return
            problems.append("peristiwa_keluar_bulan_ini: " + where)
    status = APPLIED if authoritative and not problems else QUEUED
    reason = ";".join(problems) or ("" if authoritative else "instansi_bukan_sumber_sah")
    out.add(voter_id="", kategori=rule.on_new[0], sub_kategori=rule.on_new[1], status=status, alasan=reason,
            **source, **person)


def _answers(out: Proposals, coktas: pd.DataFrame, open_queue: pd.DataFrame, roll_by_id, niks_on_roll: set[str]
             ) -> set[str]:
    """Applies or closes queued proposals answered by the field check. A confirmed new voter
    whose NIK has come onto the roll meanwhile (another report added them) is not added twice.
    Returns the ids of the queue items answered."""
    queue = open_queue.set_index("proposal_id") if len(open_queue) else None
    answered: set[str] = set()
    for row in coktas.itertuples(index=False):
        extra = json.loads(row.extra) if isinstance(getattr(row, "extra", ""), str) and row.extra else {}
        queue_id = extra.get("id_antrean", getattr(row, "id_antrean", ""))
        answer = " ".join(str(extra.get("hasil", getattr(row, "hasil", ""))).upper().replace("_", " ").split())
        source = _source(row, "hasil_coktas", np.nan)
        if queue is None or queue_id not in queue.index:
            continue
        item = queue.loc[queue_id]
        answered.add(queue_id)
        person = {c: item[c] for c in schema.PERSON_COLUMNS[1:]}
        # (unless the item was queued because another person carries that NIK: then confirming it
        # adds the second person, and the shared NIK goes to the ganda_nik_sama check)
        if (answer in COKTAS_CONFIRM and item["kategori"] == "pemilih_baru" and item["nik"] in niks_on_roll
                and "nik_sama_nama_beda" not in str(item.get("alasan", ""))):
            out.add(voter_id=item["voter_id"], kategori=item["kategori"], sub_kategori=item["sub_kategori"],
                    status=NO_CHANGE, alasan="coktas_terbukti; nik_sudah_di_dpb", id_antrean=queue_id, **source,
                    **person)
        elif answer in COKTAS_CONFIRM:
            out.add(voter_id=item["voter_id"], kategori=item["kategori"], sub_kategori=item["sub_kategori"],
                    status=APPLIED, alasan="coktas_terbukti", id_antrean=queue_id, **source, **person)
        elif answer in COKTAS_TMS and item["voter_id"] in roll_by_id.index:
            current = roll_by_id.loc[item["voter_id"]]
            out.add(voter_id=item["voter_id"], kategori="tms", sub_kategori=COKTAS_TMS[answer], status=APPLIED,
                    alasan="coktas_tms", id_antrean=queue_id, **source,
                    **{c: current[c] for c in schema.PERSON_COLUMNS[1:]})
        else:
            out.add(voter_id=item["voter_id"], kategori=item["kategori"], sub_kategori=item["sub_kategori"],
                    status=NO_CHANGE, alasan="coktas_tidak_terbukti" if answer in COKTAS_REJECT else "coktas_jawaban_tidak_dikenal",
                    id_antrean=queue_id, **source, **person)
    return answered


def _roll_rules(out: Proposals, roll: pd.DataFrame, reference: dt.date) -> None:
    """Changes the roll itself calls for besides its duplicates (``ganda``): voters under age
    (vectorised over the whole roll)."""
    fields = list(schema.PERSON_COLUMNS[1:])
    # The NIK carries the birth date too: when it says 17 or older, the record's date may be the
    # typo, and the voter is checked in the field instead of removed.
    under = roll[under_age(roll, reference).to_numpy()]
    lacking = age_evidence(under, reference)
    out.add_frame(under[fields].assign(
        voter_id=under["id"], kategori="tms", sub_kategori="di_bawah_umur",
        status=np.where(lacking != "", QUEUED, APPLIED),
        alasan=np.where(lacking != "", lacking, "umur di bawah 17 dan belum kawin"), agency="dpb",
        file_name="", row_number=0, feed_id="", rule="usia_di_bawah_17", probability=np.nan,
    ))


def missing_evidence(needs: tuple[str, ...], row, record: dict, placeholders: set[str] | None = None) -> list[str]:
    """What a removal resting on agency ``row`` (linked to roll ``record``) lacks of ``needs``
    (names of ``EVIDENCE``); an empty list when it has all of it. ``placeholders``: the
    placeholder NIKs among the row's and the record's (``placeholder_set``), if known."""
    lacking = []
    for need in needs:
        if need == "tanggal_peristiwa" and pd.isna(row.tanggal_peristiwa):
            lacking.append("tanggal_peristiwa_kosong")
        elif need == "identitas":
            reason = _identity_gap(row, record, placeholders)
            if reason:
                lacking.append(reason)
    return lacking


def _identity_gap(row, record: dict, placeholders: set[str] | None = None) -> str:
    """'' when the agency row names the record (``EVIDENCE["identitas"]``), else why not."""
    born, known_born = row.tanggal_lahir, record["tanggal_lahir"]
    placeholder = placeholders.__contains__ if placeholders is not None else is_placeholder
    row_nik = row.nik if row.nik_status == "valid" and not placeholder(row.nik) else ""
    record_nik = record["nik"] if usable_one(record["nik"], placeholders) else ""
    if row_nik and record_nik:
        if row_nik != record_nik:
            return "nik_beda_dengan_dpb"  # another person's NIK, or a typo: the field check tells
        if not pd.isna(born) and not pd.isna(known_born) and pd.Timestamp(born) != pd.Timestamp(known_born):
            return "tanggal_lahir_beda_dengan_dpb"
        if _other_person(row.nama, record["nama"]):
            return "nama_beda_dengan_dpb"  # a relative's NIK typed for the person
        return ""
    if not str(row.nama).strip() or not str(record["nama"]).strip() or pd.isna(born) or pd.isna(known_born):
        return "identitas_kurang"  # no NIK to go on, and no name and birth date either
    if pd.Timestamp(born) != pd.Timestamp(known_born) or _other_person(row.nama, record["nama"]):
        return "identitas_kurang"
    return ""


def _resolve_conflicts(frame: pd.DataFrame) -> pd.DataFrame:
    """One applied change per voter and per new person; later reports of it are noted, not applied.

    A removal (TMS) wins over an update of the same voter; among equals the first in
    (agency, file, row) order wins. New voters are one person per NIK (or name and birth date):
    a report of a new voter waiting for the field check is closed when another report of the
    same person adds them this month (confirmed, it would add them twice). A report with the
    NIK of a person added this month but quite another name is not closed: it is queued
    (``nik_sama_nama_beda``), as two people may carry one number.
    """
    if frame.empty:
        return frame
    applied = frame["status"] == APPLIED
    order = {"tms": 0, "pemilih_baru": 1, "ubah_data": 2}
    frame = frame.assign(_rank=frame["kategori"].map(order).fillna(9))
    existing = applied & (frame["voter_id"] != "")
    first = frame[existing].sort_values(["voter_id", "_rank"], kind="stable").drop_duplicates("voter_id")
    loser = existing & ~frame.index.isin(first.index)
    new = applied & (frame["voter_id"] == "")
    person_key = np.where(frame["nik"] != "", frame["nik"], frame["nama"] + "|" + frame["tanggal_lahir"].astype(str))
    person_key = pd.Series(person_key, index=frame.index)
    dup_new = new & person_key.where(new).duplicated(keep="first") & new
    waiting = ((frame["status"] == QUEUED) & (frame["voter_id"] == "") & (frame["kategori"] == "pemilih_baru")
               & person_key.isin(set(person_key[new])))
    # One NIK, another name: a mistyped NIK (wrong serial) can be another newcomer's number, and
    # "same NIK, other name" may be two people. Not closed: the second one is checked in the field.
    first_name = frame.loc[new & ~dup_new].assign(_key=person_key).drop_duplicates("_key").set_index("_key")["nama"]
    candidates = (dup_new | waiting) & (frame["nik"] != "")
    other_name = pd.Series(False, index=frame.index)
    other_name[candidates] = np.array([_other_person(a, b) for a, b in zip(
        person_key[candidates].map(first_name).fillna(""), frame.loc[candidates, "nama"])], dtype=bool)
    closed = loser | ((dup_new | waiting) & ~other_name)
    frame.loc[closed, "status"] = NO_CHANGE
    frame.loc[closed, "alasan"] = "sudah_diusulkan_sumber_lain"
    checked = other_name & (frame["status"] == APPLIED)
    frame.loc[checked, "status"] = QUEUED
    frame.loc[other_name, "alasan"] = frame.loc[other_name, "alasan"].where(
        frame.loc[other_name, "alasan"] == "", frame.loc[other_name, "alasan"] + ";") + "nik_sama_nama_beda"
    return frame.drop(columns="_rank")


def _other_person(name: str, other: str) -> bool:
    """Two names that are not spellings of one name: no word in common (titles and degrees
    aside) and little alike even with the words sorted. "POPON"/"POPUN", "TITIK SAFITRI"/
    "SAFITRI TITIK" and "NAYLA LILY S."/"NAYLA LILY SALIM" are one name; "ZAHRA R."/"SALSABILA
    GITA PRATIWI" are two."""
    a, b = set(normalize_name(str(name)).split()), set(normalize_name(str(other)).split())
    if not a or not b or a & b:
        return False
    return difflib.SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b))).ratio() < 0.6


def _partners_of_removed(frame: pd.DataFrame, named: pd.DataFrame, regency: str, month: str) -> pd.DataFrame:
    """A record dropped as the duplicate of another (the removal applied but lost to another
    removal of it, or waiting for coktas) that an agency removes this month (a death, a move
    out): the person is removed, and the record kept for them stays on the roll.
    That record (the same person, by the duplicate rule) is checked in the field for the same
    removal, never removed without it."""
    if frame.empty:
        return frame
    lost = frame[frame["rule"].astype(str).str.startswith("ganda_") & (frame["agency"] == "dpb") & (
        (frame["status"] == QUEUED) | ((frame["status"] == NO_CHANGE) & (frame["alasan"] == "sudah_diusulkan_sumber_lain")))]
    if lost.empty:
        return frame
    removed = frame[(frame["status"] == APPLIED) & (frame["kategori"] == "tms") & (frame["voter_id"] != "")
                    & (frame["agency"] != "dpb")]  # an agency's report, not another duplicate rule
    removed = removed.drop_duplicates("voter_id").set_index("voter_id")
    touched = set(frame.loc[frame["status"].isin([APPLIED, QUEUED]) & (frame["kategori"] == "tms"), "voter_id"])
    records = named.drop_duplicates("id").set_index("id")
    rows = []
    for item in lost.itertuples(index=False):
        keep = item.feed_id
        if item.voter_id not in removed.index or keep in touched or keep not in records.index:
            continue
        cause = removed.loc[item.voter_id]
        touched.add(keep)
        rows.append({**{c: records.loc[keep, c] for c in schema.PERSON_COLUMNS[1:]},
                     "voter_id": keep, "kategori": "tms", "sub_kategori": cause["sub_kategori"],
                     "agency": cause["agency"], "file_name": cause["file_name"], "row_number": cause["row_number"],
                     "feed_id": cause["feed_id"], "rule": "ganda_" + str(cause["rule"]), "probability": np.nan,
                     "status": QUEUED, "id_antrean": "",
                     "alasan": f"ganda dengan {item.voter_id} yang dihapus ({cause['sub_kategori']}); ganda_ikut_dicek"})
    if not rows:
        return frame
    extra = pd.DataFrame(rows).reindex(columns=list(PROPOSAL_COLUMNS))
    extra["proposal_id"] = [f"U-{regency}-{month}-{len(frame) + i + 1:06d}" for i in range(len(extra))]
    return pd.concat([frame, extra], ignore_index=True)[list(PROPOSAL_COLUMNS)]
