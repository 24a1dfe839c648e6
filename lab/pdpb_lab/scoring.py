"""Scoring a published month against the synthetic regency's truth (tests and benchmarks only).

The pipeline never reads the truth. This module compares, person by person, the roll the
pipeline published for a month with the true roll of that month, and explains each difference:

- ``salah_hapus``: a voter the pipeline removed who is in the true roll (a lost vote);
- ``salah_tambah``: a person the pipeline added who is not in the true roll;
- ``dalam_antrean``: the difference is a change waiting in the review queue (coktas);
- ``dikarantina``: the only rows reporting it could not be used (see ``pdpb quarantine``);
- ``tak_terlapor``: no agency has reported the event yet, so nobody could know;
- ``terlewat``: the event was reported and its change neither applied nor queued.

"The published roll equals the true roll except for changes still in review" means
``salah_hapus == salah_tambah == terlewat == 0`` once unreported events are set aside.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import store
from .synth import truth


def _truth_rows(zone: Path, regency: str, months: list[str]) -> pd.DataFrame:
    frames = []
    for month in months:
        path = truth.truth_dir(zone, regency) / f"{month}.csv"
        if path.is_file():
            frames.append(truth.read_csv(path).assign(bulan=month))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["berkas", "baris", "person_id", "kategori", "bulan"])
    rows["key"] = rows["bulan"] + "|" + rows["berkas"] + "|" + (rows["baris"].astype(int) + 1).astype(str)
    return rows


def score_month(warehouse: Warehouse, zone: Path, regency: str, month: str, details: bool = False) -> dict:
    months = sorted(m for m in store.closed_months(warehouse, regency) if m <= month)
    feed_truth = _truth_rows(zone, regency, months)
    person_of_row = dict(zip(feed_truth["key"], feed_truth["person_id"]))
    baseline = truth.read_csv(truth.truth_dir(zone, regency) / "baseline.csv")
    person_of_voter = dict(zip(baseline["roll_id"], baseline["person_id"]))

    changes = warehouse.read(
        "SELECT month, voter_id, kategori, sub_kategori, agency, file_name, row_number FROM perubahan "
        "WHERE regency = :r AND month <= :m", {"r": regency, "m": month})
    proposals = warehouse.read(
        "SELECT month, proposal_id, voter_id, kategori, status, agency, file_name, row_number, id_antrean "
        "FROM change_proposal WHERE regency = :r AND month <= :m", {"r": regency, "m": month})

    def row_person(frame: pd.DataFrame) -> pd.Series:
        keys = frame["month"] + "|" + frame["file_name"] + "|" + frame["row_number"].astype(int).astype(str)
        return keys.map(person_of_row)

    added = changes[(changes["kategori"] == "pemilih_baru") & changes["voter_id"].str.startswith("DPB-")]
    person_of_voter.update(dict(zip(added["voter_id"], row_person(added))))

    published = store.as_of(warehouse, regency, month)
    published_persons = published["id"].map(person_of_voter)
    true_roll = truth.true_roll(zone, regency, month)
    true_persons = set(true_roll["person_id"])
    on_roll = set(published_persons.dropna())

    answered = set(proposals.loc[proposals["id_antrean"] != "", "id_antrean"])
    queued = proposals[(proposals["status"] == "antrean") & ~proposals["proposal_id"].isin(answered)]
    queued_persons = set(queued["voter_id"].map(person_of_voter).dropna()) | set(
        row_person(queued[queued["agency"] != "dpb"]).dropna())
    accepted = warehouse.read("SELECT month, file_name, row_number FROM feed_row WHERE regency = :r AND month <= :m",
                              {"r": regency, "m": month})
    accepted_keys = set(accepted["month"] + "|" + accepted["file_name"] + "|" + accepted["row_number"].astype(str))
    usable = feed_truth[feed_truth["key"].isin(accepted_keys)]
    reported_removal = set(usable.loc[usable["kategori"] == "tms", "person_id"])
    reported_addition = set(usable.loc[usable["kategori"] == "pemilih_baru", "person_id"])
    quarantined = set(feed_truth.loc[feed_truth["kategori"] != "", "person_id"]) - set(usable["person_id"])

    removed = changes[changes["kategori"] == "tms"]
    removed_persons = removed["voter_id"].map(person_of_voter)
    wrong_removed = {p for p in removed_persons.dropna() if p in true_persons and p not in on_roll}
    wrong_added = set()
    for added_month, group in added.groupby("month"):  # judged against the month they were added in
        truly = true_persons if added_month == month else set(truth.true_roll(zone, regency, added_month)["person_id"])
        wrong_added |= {p for p in group["voter_id"].map(person_of_voter).dropna() if p not in truly}

    def explain(persons: set[str], reported: set[str]) -> dict:
        out: dict = {"dalam_antrean": 0, "dikarantina": 0, "tak_terlapor": 0, "terlewat": 0}
        for person in sorted(persons):
            if person in queued_persons:
                kind = "dalam_antrean"
            elif person in reported:
                kind = "terlewat"
            else:
                kind = "dikarantina" if person in quarantined else "tak_terlapor"
            out[kind] += 1
            if details:
                out.setdefault(f"{kind}_orang", []).append(person)
        return out

    missing = true_persons - on_roll - wrong_removed
    extra = on_roll - true_persons - wrong_added
    duplicates_left = int(published_persons.dropna().duplicated().sum())
    extra_details = {"salah_hapus_orang": sorted(wrong_removed), "salah_tambah_orang": sorted(wrong_added)} if details else {}
    return extra_details | {
        "bulan": month,
        "pemilih_terbit": len(published),
        "pemilih_benar": len(true_persons),
        "salah_hapus": len(wrong_removed),
        "salah_tambah": len(wrong_added),
        "kurang": {"jumlah": len(missing), **explain(missing, reported_addition)},
        "lebih": {"jumlah": len(extra), **explain(extra, reported_removal)},
        "ganda_tersisa": duplicates_left,
        "tanpa_orang": int(published_persons.isna().sum()),
    }
