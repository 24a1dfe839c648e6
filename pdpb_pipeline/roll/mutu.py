"""Quality figures of a regency's month (*mutu*): how complete, current and clean the roll is.

Pure computations; ``publikasi`` reads what they need from the warehouse, puts the figures in
the month's ``manifest.json`` (section ``mutu``) and in its Dagster metadata, where Dagster
plots each number over the partitions. Every key is stable and a figure that cannot be computed
(no queue, no death this month, no projection file) is left out, never written as 0. The
README ("Quality figures") defines each one and names the foreign register publishing the same.

- ``nik_valid_porsi`` / ``nik_tidak_valid``: share / count of the roll whose NIK is 16 digits
  and not a placeholder (``nik.placeholder_rows``), vectorised over the whole roll
  (``eligibility.valid_nik``).
- ``ganda_pasangan``, ``ganda_per_1000``, ``ganda_di_antrean``: duplicate pairs recorded for the
  month (``tautan/ganda_dpb``), per 1,000 voters of the month's roll, and duplicate items
  (sub-category ``ganda``) in the month's review queue.
- ``antrean_ukuran``, ``antrean_usia_median_bulan``: items in the month's review queue and the
  median of their age in whole months (0: proposed this month).
- ``meninggal_jeda_hari_median`` / ``_p90`` / ``meninggal_jeda_jumlah`` /
  ``meninggal_tanpa_tanggal``: days from the date of death to the last day of the month whose
  roll the voter left (``lag_days``), over the month's applied TMS meninggal.
- ``tautan_baris_<agency>`` / ``tautan_porsi_<agency>``: an agency's feed rows linked to the
  roll and the share of them decided ``match``.
- ``penduduk_memenuhi_syarat`` / ``cakupan``: the eligible population of a projection file
  (``projection``) and the roll's size over it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .eligibility import valid_nik

#: Header of a population projection file (README, "Quality figures").
PROJECTION_COLUMNS = ("kode_wilayah", "tahun", "penduduk_17_plus")
#: Decimals a share is published with (a per-mille figure with 3).
DECIMALS = 6


def _share(part: int, whole: int) -> float:
    return round(part / whole, DECIMALS)


def nik_figures(niks: pd.Series) -> dict:
    """``nik_valid_porsi`` and ``nik_tidak_valid`` of the roll's NIKs (none for an empty roll)."""
    if not len(niks):
        return {}
    valid = int(valid_nik(niks).sum())
    return {"nik_valid_porsi": _share(valid, len(niks)), "nik_tidak_valid": len(niks) - valid}


def ganda_figures(pairs: pd.DataFrame, queue: pd.DataFrame, voters: int) -> dict:
    """The month's duplicate pairs, per 1,000 voters on the roll, and the queue's ganda items."""
    out = {"ganda_pasangan": len(pairs), "ganda_di_antrean": int((queue["sub_kategori"] == "ganda").sum())}
    if voters:
        out["ganda_per_1000"] = round(len(pairs) * 1000 / voters, 3)
    return out


def _month_number(months: pd.Series) -> np.ndarray:
    parts = months.astype(str).str.split("-", expand=True)
    return parts[0].astype(int).to_numpy() * 12 + parts[1].astype(int).to_numpy()


def antrean_figures(queue: pd.DataFrame, month: str) -> dict:
    """The queue's size and its items' median age in whole months since ``bulan_usulan``."""
    out = {"antrean_ukuran": len(queue)}
    if len(queue):
        age = _month_number(pd.Series([month]))[0] - _month_number(queue["bulan_usulan"])
        out["antrean_usia_median_bulan"] = float(np.median(age))
    return out


def month_closing(month: str) -> dt.date:
    """The last day of ``month``: the day its roll closes, so the day a voter removed in that
    month's update has left the roll."""
    from ..feeds.ingest import month_end

    return month_end(month)


def lag_days(death_dates: pd.Series, month: str) -> pd.Series:
    """Days from each date of death to ``month_closing(month)`` (NaN where the date is unknown)."""
    closing = pd.Timestamp(month_closing(month))
    return (closing - pd.to_datetime(death_dates, errors="coerce")).dt.days.astype(float)


def lag_figures(death_dates: pd.Series, month: str) -> dict:
    """Median and 90th percentile (numpy's linear interpolation) of ``lag_days`` over the deaths
    whose date is known, how many were measured, and how many had no date."""
    lags = lag_days(death_dates, month)
    known = lags.dropna().to_numpy()
    out = {"meninggal_jeda_jumlah": int(len(known)), "meninggal_tanpa_tanggal": int(lags.isna().sum())}
    if len(known):
        median, p90 = np.percentile(known, [50, 90])
        out["meninggal_jeda_hari_median"] = float(median)
        out["meninggal_jeda_hari_p90"] = round(float(p90), 3)
    return out


def tautan_figures(counts: pd.DataFrame) -> dict:
    """Per agency (``counts``: ``agency``, ``baris``, ``cocok``): its linked rows and the share
    decided ``match``; an agency with no rows this month has no figure."""
    out = {}
    for row in counts.sort_values("agency").itertuples(index=False):
        if int(row.baris):
            out[f"tautan_baris_{row.agency}"] = int(row.baris)
            out[f"tautan_porsi_{row.agency}"] = _share(int(row.cocok), int(row.baris))
    return out


def cakupan_figures(voters: int, eligible: int | None) -> dict:
    """Coverage: the roll over the eligible population; nothing without a projection."""
    if not eligible:
        return {}
    return {"penduduk_memenuhi_syarat": int(eligible), "cakupan": _share(voters, eligible)}


class ProjectionError(ValueError):
    """A projection file that cannot be read as documented (names the file, row and field)."""


def projection(path: Path | str, regency: str, year: int) -> int | None:
    """The eligible population (residents 17 or older or married) of ``regency`` in ``year`` from
    a CSV with the header ``kode_wilayah,tahun,penduduk_17_plus``: a row for the regency
    (``32.01``) or one per desa (``32.01.01.2001``), summed; None when the file has no row for
    the regency and year. A file that gives the same regency and year at both levels, a
    malformed code, year or number stops with ``ProjectionError`` naming the file, row and field."""
    path = Path(path)
    if not path.is_file():
        raise ProjectionError(f"{path}: population projection file not found")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in PROJECTION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ProjectionError(f"{path}: header lacks {', '.join(missing)} (expected {','.join(PROJECTION_COLUMNS)})")
        whole, desa = [], []
        for line, row in enumerate(reader, start=2):
            code = (row["kode_wilayah"] or "").strip()
            parts = code.split(".")
            if len(parts) not in (2, 4) or not all(p.isdigit() for p in parts):
                raise ProjectionError(f"{path} row {line} field kode_wilayah: {code!r} is not PP.KK or PP.KK.CC.DDDD")
            for name in ("tahun", "penduduk_17_plus"):
                if not (row[name] or "").strip().isdigit():
                    raise ProjectionError(f"{path} row {line} field {name}: {row[name]!r} is not a whole number")
            if ".".join(parts[:2]) != regency or int(row["tahun"]) != year:
                continue
            (whole if len(parts) == 2 else desa).append(int(row["penduduk_17_plus"]))
    if whole and desa:
        raise ProjectionError(f"{path}: {regency} {year} is given both as a regency row and per desa")
    if len(whole) > 1:
        raise ProjectionError(f"{path}: {regency} {year} has {len(whole)} regency rows")
    rows = whole or desa
    return sum(rows) if rows else None


def figures(month: str, niks: pd.Series, pairs: pd.DataFrame, queue: pd.DataFrame, death_dates: pd.Series,
            link_counts: pd.DataFrame, eligible: int | None) -> dict:
    """Every figure of the month (keys sorted): ``niks`` is the roll's NIK column."""
    voters = len(niks)
    out = {"pemilih": voters, **nik_figures(niks), **ganda_figures(pairs, queue, voters),
           **antrean_figures(queue, month), **lag_figures(death_dates, month), **tautan_figures(link_counts),
           **cakupan_figures(voters, eligible)}
    return dict(sorted(out.items()))
