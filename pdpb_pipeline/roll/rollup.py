"""Roll-ups of the monthly recaps: a regency's quarter or half-year, a province, the nation.

A period's recap is built from the months' recaps, cell by cell (desa and sex): the first month's
``sebelumnya``, the movements of every month summed (each Pemilih Baru, TMS and Ubah data
sub-category, ``masuk_perbaikan`` and ``keluar_perbaikan`` included), the last month's
``sekarang``. It reconciles exactly when every month does and each month starts where the one
before it ended. A province or the nation is the union of its regencies' recaps (a desa belongs
to one regency): only regencies whose months are all published are in it; the others are listed
as missing (``members``), never counted as 0.
"""

from __future__ import annotations

import pandas as pd

from .recap import COLUMNS, KEYS, PB_COLUMNS, TMS_COLUMNS, UBAH_COLUMNS, with_names

MOVES = [*PB_COLUMNS, *TMS_COLUMNS, *UBAH_COLUMNS]
#: The columns of ``members``: every regency the roll-up covers, and what it lacks.
MEMBER_COLUMNS = ["regency", "lengkap", "bulan_kurang"]


def period_recap(regency: str, monthly: list[pd.DataFrame]) -> pd.DataFrame:
    """The recap of consecutive months of one regency (``monthly``: each month's recap by desa
    and sex, in month order) as one period, in the same shape (``recap.recap_by_desa``)."""
    frames = [m.set_index(KEYS)[COLUMNS] for m in monthly]
    index = frames[0].index
    for frame in frames[1:]:
        index = index.union(frame.index)
    index = index.sort_values()
    out = pd.DataFrame(index=index)
    out["sebelumnya"] = frames[0]["sebelumnya"].reindex(index, fill_value=0)
    moves = sum(frame[MOVES].reindex(index, fill_value=0) for frame in frames)
    out = out.join(moves)
    out["sekarang"] = frames[-1]["sekarang"].reindex(index, fill_value=0)
    out["pemilih_baru"] = out[PB_COLUMNS].sum(axis=1)
    out["tms"] = out[TMS_COLUMNS].sum(axis=1)
    out["selisih"] = out["sebelumnya"] + out["pemilih_baru"] - out["tms"] - out["sekarang"]
    return with_names(regency, out[COLUMNS].astype("int64").reset_index())


def members(expected: dict[str, list[str]], published: set[tuple[str, str]]) -> pd.DataFrame:
    """Per regency (``expected``: regency -> the months of the period it must have published):
    ``lengkap`` when every one is published, else the months it lacks (``bulan_kurang``,
    comma-separated)."""
    rows = []
    for regency, months in sorted(expected.items()):
        lacking = [m for m in months if (regency, m) not in published]
        rows.append({"regency": regency, "lengkap": not lacking and bool(months), "bulan_kurang": ", ".join(lacking)})
    return pd.DataFrame(rows, columns=MEMBER_COLUMNS)


def expected_totals(monthly_totals: pd.DataFrame, months: list[str]) -> pd.Series:
    """One regency's figures for the period from its monthly recaps' totals (``monthly_totals``:
    month, kolom, jumlah): the first month's ``sebelumnya``, movements summed, the last month's
    ``sekarang``: what its roll-up must show, found without the roll-up's own arithmetic."""
    wide = monthly_totals.pivot_table(index="month", columns="kolom", values="jumlah", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=months, columns=COLUMNS, fill_value=0)
    out = wide.sum()
    out["sebelumnya"] = wide["sebelumnya"].iloc[0]
    out["sekarang"] = wide["sekarang"].iloc[-1]
    return out.astype("int64")


def totals(recap_desa: pd.DataFrame) -> dict[str, int]:
    """The recap's totals by column."""
    return {c: int(v) for c, v in recap_desa[COLUMNS].sum().items()}


def formula(values: dict[str, int]) -> str:
    """``A + B - C = D``, the figures as read at the pleno."""
    return (f"{values['sebelumnya']:,} + {values['pemilih_baru']:,} - {values['tms']:,} "
            f"= {values['sekarang']:,}")
