"""The publication's tables: ``publikasi`` (each published file and its checksum) and the
ledger of published months (``dpb_bulan``), which orders the months of a regency (``store.previous_roll_month``)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ...partitions import Partition


class PublikasiTables:
    def record_publication(self, part: Partition, files: pd.DataFrame, voters: int, run_id: str) -> None:
        """The published files (``publikasi``) and the month's line in the ledger (``dpb_bulan``),
        in one transaction: only a month whose files are in place is listed as published."""
        where = {"regency": part.regency, "month": part.month}
        ledger = self.table("dpb_bulan")
        with self.begin() as conn:
            self.replace("publikasi", where, files.assign(run_id=run_id), conn)
            conn.execute(sa.delete(ledger).where(ledger.c.regency == part.regency, ledger.c.month == part.month))
            conn.execute(sa.insert(ledger).values(regency=part.regency, month=part.month, pemilih=voters,
                                                  run_id=run_id))

