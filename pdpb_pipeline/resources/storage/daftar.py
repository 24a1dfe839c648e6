"""The agency lists' table (``daftar/<name>`` -> ``daftar_baris``) and what the lists read that
no other step reads: the month's proposals of given feeds, and quarantine counts.

A list's parts are stored a row per list row, the row's columns as JSON (``isi``), so that
every list, whatever its columns, shares one table; ``daftar`` reads them back in the spec's
columns."""

from __future__ import annotations

import io

import pandas as pd
import sqlalchemy as sa

from ...partitions import Partition


class DaftarTables:
    def write_daftar(self, part: Partition, name: str, frames: dict[str, pd.DataFrame]) -> None:
        """The list ``name`` of the partition (every part, replacing what was there), in one
        transaction."""
        where = {"regency": part.regency, "month": part.month, "daftar": name}
        rows = []
        for bagian, frame in frames.items():
            if frame.empty:
                continue
            text = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
            isi = text.rstrip("\n").split("\n")
            feed_id = frame["feed_id"].fillna("").astype(str) if "feed_id" in frame else pd.Series("", index=frame.index)
            rows.append(pd.DataFrame({"bagian": bagian, "urutan": range(len(frame)),
                                      "feed_id": feed_id.to_numpy(), "isi": isi}))
        stored = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["bagian", "urutan", "feed_id", "isi"])
        self.replace("daftar_baris", where, stored)

    def daftar(self, part: Partition, spec) -> dict[str, pd.DataFrame]:
        """The stored parts of list ``spec`` (a ``daftar.spec.DaftarSpec``) of the partition, in
        stored order, with the spec's columns (``daftar.spec.shaped``)."""
        from ...daftar.spec import shaped

        table = self.table("daftar_baris")
        stored = self.read(sa.select(table.c.bagian, table.c.urutan, table.c.isi)
                           .where(table.c.regency == part.regency, table.c.month == part.month,
                                  table.c.daftar == spec.name)
                           .order_by(table.c.bagian, table.c.urutan))
        frames = {}
        for bagian, rows in stored.groupby("bagian", sort=False):
            frames[bagian] = pd.read_json(io.StringIO("\n".join(rows["isi"])), lines=True, dtype=False,
                                          convert_dates=False)
        return shaped(spec, frames)

    def change_proposals(self, part: Partition, agencies: tuple[str, ...]) -> pd.DataFrame:
        """The partition's change proposals made by rows of ``agencies``."""
        table = self.table("change_proposal")
        return self.read(sa.select(table).where(table.c.regency == part.regency, table.c.month == part.month,
                                                table.c.agency.in_(agencies)).order_by(table.c.proposal_id))

    def quarantined(self, part: Partition, agencies: tuple[str, ...]) -> int:
        """How many rows of ``agencies``' files of the partition are in the quarantine."""
        table = self.table("quarantine")
        return int(self.read(sa.select(sa.func.count()).select_from(table)
                             .where(table.c.regency == part.regency, table.c.month == part.month,
                                    table.c.agency.in_(agencies))).iloc[0, 0])
