"""The review queue (antrean coktas): what field officers check door to door.

The queue of month M is M's queued proposals plus the earlier months' items still open (not
answered by a coktas row up to M). ``pemutakhiran_dpb`` builds it once and stores it (table
``antrean_coktas``); ``publikasi`` publishes the stored rows and month M+1 starts from them
(``Warehouse.open_queue``).
"""

from __future__ import annotations

import pandas as pd

from ..domain import schema
from .proposal import QUEUED

#: The published queue's columns.
QUEUE_COLUMNS = ("id_antrean", "bulan_usulan", "voter_id", "kategori", "sub_kategori", "alasan", "agency",
                 "file_name", "row_number", "probability", *schema.PERSON_COLUMNS[1:])
#: Stored besides them: what the next month's rules need of an open item (the duplicate pair it
#: names, ``ganda.open_pairs``).
STORED_COLUMNS = (*QUEUE_COLUMNS, "rule", "feed_id")


def queue_frame(proposals: pd.DataFrame, earlier: pd.DataFrame, month: str, answered: set[str]) -> pd.DataFrame:
    """What field officers receive: this month's queued proposals and older ones still open
    (``earlier``, shaped like proposals, see ``Warehouse.open_queue``), in ``STORED_COLUMNS``."""
    now = proposals[proposals["status"] == QUEUED].assign(bulan_usulan=month)
    old = earlier[~earlier["proposal_id"].isin(answered)].copy() if len(earlier) else earlier
    if len(old):
        old["bulan_usulan"] = old["month"]
    frame = pd.concat([now, old], ignore_index=True) if len(old) else now
    frame = frame.drop(columns=["id_antrean"]).rename(columns={"proposal_id": "id_antrean"})
    return frame.reindex(columns=list(STORED_COLUMNS)).fillna("").sort_values("id_antrean").reset_index(drop=True)


def reason_codes(alasan: pd.Series) -> pd.Series:
    """Each queue item's first reason as its code, its first word (``tautan_ragu``, ``ganda``):
    a ganda reason names the record it doubles (``ganda dengan DPB-32.01-2026-01-000109
    (mirip)``), so counting whole reasons gave one row per record (35,000 rows of metadata at
    4M voters, masked and rendered every month)."""
    return alasan.str.split(";").str[0].str.split(" ").str[0]
