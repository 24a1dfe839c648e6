"""The publication's tables: ``publikasi`` (each published file and its checksum) and the
ledger of published months (``dpb_bulan``), which orders the months of a regency (``store.previous_roll_month``);
and what the month's quality figures (``roll.mutu``) read of the tables upstream steps wrote."""

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

    # --- what the quality figures read (``roll.mutu``) ------------------------------------------
    def link_counts(self, part: Partition) -> pd.DataFrame:
        """Per agency: the month's feed rows linkage decided on (``baris``) and those decided
        ``match`` (``cocok``), from ``link_decision``."""
        return self.read("SELECT agency, COUNT(*) AS baris, SUM(CASE WHEN decision = 'match' THEN 1 ELSE 0 END) AS cocok "
                         "FROM link_decision WHERE regency = :regency AND month = :month GROUP BY agency",
                         {"regency": part.regency, "month": part.month})

    def death_dates(self, part: Partition) -> pd.Series:
        """The date of death of every death (TMS meninggal) applied in the month, one per change
        (NaT where unknown): the ``tanggal_peristiwa`` of the agency row reporting the death, that
        is the change's own feed row, or for a death applied on a coktas answer the row that put
        it in the queue (``antrean_coktas``); a row that is not a death report gives no date."""
        where = {"regency": part.regency, "month": part.month}
        changes = self.read("SELECT change_id, agency, feed_id, id_antrean FROM perubahan WHERE regency = :regency "
                            "AND month = :month AND kategori = 'tms' AND sub_kategori = 'meninggal' ORDER BY change_id",
                            where)
        if changes.empty:
            return pd.Series(dtype="datetime64[ns]")
        changes["bulan"] = part.month
        queued = changes["id_antrean"] != ""
        if queued.any():
            queue = self.table("antrean_coktas")
            items = self.read(sa.select(queue.c.id_antrean, queue.c.bulan_usulan, queue.c.agency, queue.c.feed_id)
                              .where(queue.c.regency == part.regency, queue.c.month < part.month,
                                     queue.c.id_antrean.in_(sorted(set(changes.loc[queued, "id_antrean"]))))
                              .distinct()).drop_duplicates("id_antrean").set_index("id_antrean")
            origin = changes.loc[queued, "id_antrean"]
            changes.loc[queued, "bulan"] = origin.map(items["bulan_usulan"]).fillna("").to_numpy()
            changes.loc[queued, "agency"] = origin.map(items["agency"]).fillna("").to_numpy()
            changes.loc[queued, "feed_id"] = origin.map(items["feed_id"]).fillna("").to_numpy()
        rows = self.table("feed_row")
        reports = self.read(sa.select(rows.c.month.label("bulan"), rows.c.agency, rows.c.id.label("feed_id"),
                                      rows.c.tanggal_peristiwa)
                            .where(rows.c.regency == part.regency, rows.c.jenis_peristiwa == "meninggal",
                                   rows.c.month.in_(sorted(set(changes["bulan"]) - {""}))))
        dated = changes.merge(reports.drop_duplicates(["bulan", "agency", "feed_id"]), how="left",
                              on=["bulan", "agency", "feed_id"])
        return pd.to_datetime(dated["tanggal_peristiwa"], errors="coerce").set_axis(dated["change_id"])
