"""The linkage step's tables: ``tautan/kandidat`` (link_candidate), ``tautan/keputusan``
(link_decision) and ``tautan/ganda_dpb`` (roll_duplicate; the DPT's own pairs under month
``0000-00``)."""

from __future__ import annotations

import pandas as pd

from ...partitions import Partition

DUPLICATE_COLUMNS = ["id_a", "id_b", "probability", "decision", "kelas"]
CANDIDATE_COLUMNS = ["feed_id", "roll_id", "probability", "match_weight"]


class TautanTables:
    def write_tautan(self, part: Partition, candidates: pd.DataFrame, decisions: pd.DataFrame,
                     duplicates: pd.DataFrame) -> None:
        """The three linkage assets of the partition, in one transaction."""
        where = {"regency": part.regency, "month": part.month}
        with self.begin() as conn:
            self.replace("link_candidate", where, candidates[CANDIDATE_COLUMNS], conn)
            self.replace("link_decision", where, decisions, conn)
            self.replace("roll_duplicate", where, duplicates[DUPLICATE_COLUMNS], conn)

    def link_decisions(self, part: Partition) -> pd.DataFrame:
        """The partition's feed rows linked to a roll record (``match`` or ``review``)."""
        return self.read("SELECT feed_id, roll_id, probability, decision FROM link_decision "
                         "WHERE regency = :regency AND month = :month AND decision IN ('match', 'review')",
                         {"regency": part.regency, "month": part.month})

    def link_evidence(self, part: Partition) -> pd.DataFrame:
        """The partition's linked feed rows with their per-field evidence (JSON text, as stored):
        feed_id, agency, probability, decision, evidence (for the audit page)."""
        return self.read("SELECT feed_id, agency, probability, decision, evidence FROM link_decision "
                         "WHERE regency = :regency AND month = :month AND decision IN ('match', 'review') "
                         "ORDER BY feed_id", {"regency": part.regency, "month": part.month})

    def roll_duplicates(self, regency: str, month: str) -> pd.DataFrame:
        """The ganda pairs recorded for ``month`` (``store.BASELINE``: the DPT's own)."""
        frame = self.read("SELECT id_a, id_b, probability, decision, kelas FROM roll_duplicate "
                          "WHERE regency = :regency AND month = :month", {"regency": regency, "month": month})
        return frame.reindex(columns=DUPLICATE_COLUMNS) if frame.empty else frame
