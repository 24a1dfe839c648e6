"""Applying the month's sure changes to the roll: the new roll and one change row per change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..domain import schema
from .proposal import APPLIED

CHANGE_COLUMNS = (
    "change_id", "voter_id", "kategori", "sub_kategori", "agency", "file_name", "row_number", "feed_id",
    "rule", "probability", "proposal_id", "id_antrean", "kode_desa_lama", "kode_desa_baru",
    "jenis_kelamin_lama", "jenis_kelamin_baru", "kolom_berubah",
)


@dataclass
class Applied:
    roll: pd.DataFrame  # the roll of the month
    changes: pd.DataFrame  # one row per applied change
    removed: list[str]  # voter ids whose current version ends this month
    versions: pd.DataFrame  # new versions valid from this month (new voters and updated ones)


def apply(regency: str, month: str, roll: pd.DataFrame, proposals: pd.DataFrame) -> Applied:
    sure = proposals[proposals["status"] == APPLIED]
    # The current record of every voter a sure proposal names, as plain dicts: a few thousand
    # lookups, not .loc on an index of the whole roll.
    named_at = np.flatnonzero(roll["id"].isin(set(sure["voter_id"])).to_numpy())
    named = roll.iloc[named_at]
    current = dict(zip(named["id"], named.to_dict("records")))
    changes, removed, versions = [], [], []
    gone: set[str] = set()
    sequence = 0
    for p in sure.itertuples(index=False):
        base = {"kategori": p.kategori, "sub_kategori": p.sub_kategori, "agency": p.agency,
                "file_name": p.file_name, "row_number": p.row_number, "feed_id": p.feed_id, "rule": p.rule,
                "probability": p.probability, "proposal_id": p.proposal_id, "id_antrean": p.id_antrean}
        if p.kategori == "pemilih_baru":
            # A new voter always gets a new id. A proposal may name a roll voter it was doubtfully
            # linked to; confirmed in the field, it is another person, and that voter stays as is.
            sequence += 1
            voter_id = f"DPB-{regency}-{month}-{sequence:06d}"
            record = {c: getattr(p, c) for c in schema.PERSON_COLUMNS[1:]} | {"id": voter_id}
            versions.append(record)
            changes.append(base | {"voter_id": voter_id, "kode_desa_lama": "", "kode_desa_baru": p.kode_desa,
                                   "jenis_kelamin_lama": "", "jenis_kelamin_baru": p.jenis_kelamin,
                                   "kolom_berubah": ""})
            continue
        if p.voter_id not in current or p.voter_id in gone:
            continue  # already gone (an answer to an old queue item, or removed earlier this month)
        old = current[p.voter_id]
        if p.kategori == "tms":
            removed.append(p.voter_id)
            gone.add(p.voter_id)
            changes.append(base | {"voter_id": p.voter_id, "kode_desa_lama": old["kode_desa"], "kode_desa_baru": "",
                                   "jenis_kelamin_lama": old["jenis_kelamin"], "jenis_kelamin_baru": "",
                                   "kolom_berubah": ""})
            continue
        record = {c: getattr(p, c) for c in schema.PERSON_COLUMNS[1:]} | {"id": p.voter_id}
        changed = [c for c in schema.PERSON_COLUMNS[1:] if _text(record[c]) != _text(old[c])]
        if not changed:
            continue
        removed.append(p.voter_id)
        gone.add(p.voter_id)
        versions.append(record)
        changes.append(base | {"voter_id": p.voter_id, "kode_desa_lama": old["kode_desa"],
                               "kode_desa_baru": record["kode_desa"], "jenis_kelamin_lama": old["jenis_kelamin"],
                               "jenis_kelamin_baru": record["jenis_kelamin"], "kolom_berubah": ",".join(changed)})
    new_versions = schema.to_canonical(pd.DataFrame(versions, columns=list(schema.PERSON_COLUMNS)))
    keep = np.ones(len(roll), dtype=bool)  # every removed id is one of the named rows
    keep[named_at[named["id"].isin(gone).to_numpy()]] = False
    order = _merged_order(roll["id"], keep, new_versions["id"]) if keep.any() else None
    if order is None:
        kept = roll[keep]
        new_roll = pd.concat([kept, new_versions], ignore_index=True).sort_values("id", kind="stable").reset_index(drop=True)
    else:
        new_roll = _gather(roll, new_versions, order)
    change_frame = pd.DataFrame(changes, columns=[c for c in CHANGE_COLUMNS if c != "change_id"])
    change_frame.insert(0, "change_id", [f"P-{regency}-{month}-{i + 1:06d}" for i in range(len(change_frame))])
    return Applied(roll=new_roll, changes=change_frame, removed=removed, versions=new_versions)


def _merged_order(ids: pd.Series, keep: np.ndarray, new: pd.Series) -> np.ndarray | None:
    """Positions in ``concat([roll, new])`` of the roll rows kept and the new versions, in the
    order of a stable sort by id, when the roll is already in id order (it is): the few new ids
    are sorted and merged in instead of sorting a million strings. None when the roll is not
    sorted or the ids are not all text."""
    new_ids = new.to_numpy()
    if (pd.api.types.infer_dtype(ids.to_numpy(), skipna=False) != "string"
            or pd.api.types.infer_dtype(new_ids, skipna=False) not in ("string", "empty")
            or not ids.is_monotonic_increasing):
        return None
    kept = np.flatnonzero(keep)
    kept_ids = ids.to_numpy()[kept]
    new_order = np.argsort(new_ids, kind="stable")
    # side="right": a new id equal to a kept one goes after it, as a stable sort puts it.
    at = np.searchsorted(kept_ids, new_ids[new_order], side="right") + np.arange(len(new_ids))
    order = np.empty(len(kept) + len(new_ids), dtype=np.intp)
    is_new = np.zeros(len(order), dtype=bool)
    is_new[at] = True
    order[at] = len(ids) + new_order
    order[~is_new] = kept
    return order


def _gather(roll: pd.DataFrame, new: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """``concat([roll, new], ignore_index=True).take(order)`` with a fresh index, in one pass over
    the million rows when both frames have the same columns and numpy types: each column is
    taken straight into the new frame's storage (the text columns into one 2-D block, as
    pandas keeps them) and the few new versions are written into their places."""
    if not len(new):  # nobody added or updated: the kept rows as they are
        out = roll.take(order)
        out.index = pd.RangeIndex(len(out))
        return out
    same = (roll.columns.is_unique and list(roll.columns) == list(new.columns)
            and all(isinstance(t, np.dtype) for t in roll.dtypes) and (roll.dtypes == new.dtypes).all())
    if not same:
        out = pd.concat([roll, new], ignore_index=True).take(order)
        out.index = pd.RangeIndex(len(out))
        return out
    from_new = order >= len(roll)
    source = np.where(from_new, 0, order)
    at = np.flatnonzero(from_new)
    rows = order[at] - len(roll)

    def column(name: str, out: np.ndarray | None = None) -> np.ndarray:
        values = np.take(roll[name].to_numpy(), source, out=out, mode="clip")
        values[at] = new[name].to_numpy()[rows]
        return values

    text = [name for name in roll.columns if roll[name].dtype == object]
    block = np.empty((len(text), len(order)), dtype=object)
    for i, name in enumerate(text):
        column(name, out=block[i])
    out = pd.DataFrame(block.T, columns=text, dtype=object, copy=False)
    for loc, name in enumerate(roll.columns):
        if name not in text:
            out.insert(loc, name, column(name))
    return out


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)
