"""The roll-ups' tables: ``rekap_gabungan`` (cells), ``rekap_gabungan_anggota`` (the regencies a
roll-up covers, complete or missing) and ``publikasi_gabungan`` (its published files), and what
the roll-ups read of the months: which are published (``dpb_bulan``) and their recaps
(``rekap``)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ...partitions import Partition
from ...roll import recap
from .dpb import recap_wide


class GabunganTables:
    # --- what the roll-ups read of the months ---------------------------------------------------
    def published_months(self, regencies: list[str], months: list[str]) -> set[tuple[str, str]]:
        """The (regency, month) pairs among these that are published (the ledger, ``dpb_bulan``)."""
        if not regencies or not months:
            return set()
        ledger = self.table("dpb_bulan")
        frame = self.read(sa.select(ledger.c.regency, ledger.c.month)
                          .where(ledger.c.regency.in_(regencies), ledger.c.month.in_(months)))
        return set(zip(frame["regency"], frame["month"]))

    def monthly_recaps(self, regency: str, months: list[str]) -> list[pd.DataFrame]:
        """Each month's recap by desa and sex (``rekap``), in month order."""
        return [self.rekap(Partition(regency=regency, month=month)) for month in months]

    def monthly_totals(self, regency: str, months: list[str]) -> pd.DataFrame:
        """The regency's recap totals per month and column (month, kolom, jumlah), summed by the
        database."""
        table = self.table("rekap")
        return self.read(sa.select(table.c.month, table.c.kolom, sa.func.sum(table.c.jumlah).label("jumlah"))
                         .where(table.c.regency == regency, table.c.month.in_(months))
                         .group_by(table.c.month, table.c.kolom))

    # --- the roll-up ----------------------------------------------------------------------------
    def write_rekap_gabungan(self, tingkat: str, wilayah: str, periode: str, cells: pd.DataFrame,
                             members: pd.DataFrame, run_id: str) -> None:
        """The roll-up's cells (long, non-zero, as ``dpb.recap_long`` makes them) and its
        regencies, replacing what the unit's period held, in one transaction."""
        where = {"tingkat": tingkat, "wilayah": wilayah, "periode": periode}
        with self.begin() as conn:
            self.replace("rekap_gabungan", where, cells, conn)
            self.replace("rekap_gabungan_anggota", where, members.assign(run_id=run_id), conn)

    def rekap_gabungan_cells(self, tingkat: str, wilayah: str, periode: str) -> pd.DataFrame:
        """The stored roll-up, long: kode_desa, jenis_kelamin, kolom, jumlah."""
        table = self.table("rekap_gabungan")
        return self.read(sa.select(table.c.kode_desa, table.c.jenis_kelamin, table.c.kolom, table.c.jumlah)
                         .where(table.c.tingkat == tingkat, table.c.wilayah == wilayah, table.c.periode == periode))

    def rekap_gabungan(self, tingkat: str, wilayah: str, periode: str) -> pd.DataFrame:
        """The stored roll-up in its published shape (``recap.recap_by_desa``'s), regency by regency."""
        long = self.rekap_gabungan_cells(tingkat, wilayah, periode)
        parts = [recap_wide(cells, regency) for regency, cells in long.groupby(long["kode_desa"].str.slice(0, 5))]
        if not parts:
            return pd.DataFrame(columns=["kode_kecamatan", "kecamatan", "kode_desa", "desa", "jenis_kelamin",
                                         *recap.COLUMNS])
        return pd.concat(parts, ignore_index=True)

    def rekap_gabungan_anggota(self, tingkat: str, wilayah: str, periode: str) -> pd.DataFrame:
        """The regencies the stored roll-up covers: regency, lengkap, bulan_kurang."""
        table = self.table("rekap_gabungan_anggota")
        frame = self.read(sa.select(table.c.regency, table.c.lengkap, table.c.bulan_kurang)
                          .where(table.c.tingkat == tingkat, table.c.wilayah == wilayah, table.c.periode == periode)
                          .order_by(table.c.regency))
        return frame.assign(lengkap=frame["lengkap"].astype(bool))

    # --- its publication ------------------------------------------------------------------------
    def record_publikasi_gabungan(self, tingkat: str, wilayah: str, periode: str, files: pd.DataFrame,
                                  run_id: str) -> None:
        """The roll-up's published files and checksums, once they are in place."""
        self.replace("publikasi_gabungan", {"tingkat": tingkat, "wilayah": wilayah, "periode": periode},
                     files.assign(run_id=run_id))

    def publikasi_gabungan(self, tingkat: str, wilayah: str, periode: str) -> pd.DataFrame:
        """The roll-up's published files (file_name, sha256, rows); empty when not published."""
        table = self.table("publikasi_gabungan")
        return self.read(sa.select(table.c.file_name, table.c.sha256, table.c.rows)
                         .where(table.c.tingkat == tingkat, table.c.wilayah == wilayah, table.c.periode == periode)
                         .order_by(table.c.file_name))
