"""The monthly recap read at the pleno: counts by desa and sex with the month's movements.

Columns per desa x sex: ``sebelumnya`` (previous month), the Pemilih Baru sub-categories, the
TMS sub-categories, ``ubah_*`` (changed records, which do not change totals), ``sekarang``.
A voter whose desa or sex was corrected leaves one cell and enters another: counted as
``keluar_perbaikan`` and ``masuk_perbaikan`` (they cancel out for the regency). Every cell
reconciles: ``sebelumnya + pemilih_baru - tms = sekarang``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import regions
from ..domain.schema import PEMILIH_BARU, TMS, UBAH_DATA

KEYS = ["kode_desa", "jenis_kelamin"]
PB_COLUMNS = [f"baru_{s}" for s in PEMILIH_BARU] + ["masuk_perbaikan"]
TMS_COLUMNS = [f"tms_{s}" for s in TMS] + ["keluar_perbaikan"]
UBAH_COLUMNS = [f"ubah_{s.removeprefix('ubah_')}" for s in UBAH_DATA]
COLUMNS = ["sebelumnya", *PB_COLUMNS, "pemilih_baru", *TMS_COLUMNS, "tms", *UBAH_COLUMNS, "sekarang", "selisih"]


def _count(frame: pd.DataFrame, desa: str, sex: str, by: str | None = None) -> pd.DataFrame:
    keys = [frame[desa].rename("kode_desa"), frame[sex].rename("jenis_kelamin")]
    if by is None:
        return frame.groupby(keys).size()
    return frame.groupby(keys + [frame[by]]).size().unstack(fill_value=0)


def _count_cells(frame: pd.DataFrame) -> pd.Series | None:
    """``_count(frame, "kode_desa", "jenis_kelamin")`` for a whole roll: the codes of a few
    hundred desa and two sexes are counted with bincount instead of grouping a million rows.
    None when a key is missing (NaN) or not sortable: then the general way is taken."""
    try:
        desa_codes, desa = pd.factorize(frame["kode_desa"], sort=True)
        sex_codes, sex = pd.factorize(frame["jenis_kelamin"], sort=True)
    except TypeError:
        return None
    if (desa_codes < 0).any() or (sex_codes < 0).any():
        return None
    counts = np.bincount(desa_codes * len(sex) + sex_codes, minlength=len(desa) * len(sex))
    cell = np.flatnonzero(counts)
    index = pd.MultiIndex.from_arrays([desa.take(cell // len(sex)), sex.take(cell % len(sex))], names=KEYS)
    return pd.Series(counts[cell].astype("int64"), index=index)


#: Where a change is counted, one row per recap cell it moves: (kategori, only a change of desa
#: or sex, whose desa and sex: ``lama`` before, ``baru`` after, the column). ``{sub}`` is the
#: change's sub-category (an ``ubah_`` in front of it not repeated). A voter whose desa or sex was
#: corrected leaves one cell (``keluar_perbaikan``) and enters another (``masuk_perbaikan``).
MOVEMENTS = (
    ("pemilih_baru", False, "baru", "baru_{sub}"),
    ("tms", False, "lama", "tms_{sub}"),
    ("ubah_data", False, "baru", "ubah_{sub}"),
    ("ubah_data", True, "baru", "masuk_perbaikan"),
    ("ubah_data", True, "lama", "keluar_perbaikan"),
)
#: The recap's totals and the columns they add up.
TOTALS = {"pemilih_baru": PB_COLUMNS, "tms": TMS_COLUMNS}
CELL_COLUMNS = ["posisi", "kode_desa", "jenis_kelamin", "kolom"]


def movement_cells(changes: pd.DataFrame) -> pd.DataFrame:
    """The recap cells each change is counted in (``MOVEMENTS``): ``posisi`` (the change's
    position in ``changes``), ``kode_desa``, ``jenis_kelamin`` and ``kolom``. The recap counts
    these rows; the audit page links every count to the changes behind it through them."""
    parts = []
    if len(changes):
        moved = ((changes["kode_desa_lama"] != changes["kode_desa_baru"])
                 | (changes["jenis_kelamin_lama"] != changes["jenis_kelamin_baru"])).to_numpy()
        position = np.arange(len(changes))
        for kategori, moved_only, side, column in MOVEMENTS:
            chosen = (changes["kategori"] == kategori).to_numpy() & (moved if moved_only else True)
            if not chosen.any():
                continue
            rows = changes[chosen]
            sub = rows["sub_kategori"].astype(str).str.removeprefix("ubah_")
            parts.append(pd.DataFrame({
                "posisi": position[chosen],
                "kode_desa": rows[f"kode_desa_{side}"].to_numpy(),
                "jenis_kelamin": rows[f"jenis_kelamin_{side}"].to_numpy(),
                "kolom": column.format(sub="") + sub.to_numpy() if "{sub}" in column else column,
            }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "posisi" else object) for c in CELL_COLUMNS})
    return pd.concat(parts, ignore_index=True).sort_values(["posisi", "kolom"], kind="stable").reset_index(drop=True)


def recap_by_desa(regency: str, previous: pd.DataFrame, current: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    before, now = _count_cells(previous), _count_cells(current)
    if before is None or now is None:
        cells = pd.concat([previous[KEYS], current[KEYS]]).drop_duplicates()
        before = _count(previous, "kode_desa", "jenis_kelamin")
        now = _count(current, "kode_desa", "jenis_kelamin")
    else:  # every cell of either roll, as the rows' keys would give them
        cells = pd.concat([before.index.to_frame(index=False), now.index.to_frame(index=False)]).drop_duplicates()
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(cells.sort_values(KEYS))).copy()
    out["sebelumnya"] = before
    out["sekarang"] = now

    moves = movement_cells(changes)
    if len(moves):
        out = out.join(moves.groupby(KEYS + ["kolom"]).size().unstack(fill_value=0), how="outer")
    out = out.reindex(columns=[c for c in COLUMNS if c not in ("pemilih_baru", "tms", "selisih")]).fillna(0).astype("int64")
    for total, columns in TOTALS.items():
        out[total] = out[columns].sum(axis=1)
    out["selisih"] = out["sebelumnya"] + out["pemilih_baru"] - out["tms"] - out["sekarang"]
    return with_names(regency, out[COLUMNS].reset_index())


def with_names(regency: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Adds kecamatan code and name and desa name in front of ``kode_desa``."""
    names = {d.code: d for d in regions.desa_of(regency)}
    out = frame.copy()
    out.insert(0, "kode_kecamatan", out["kode_desa"].str.slice(0, 8))
    out.insert(1, "kecamatan", out["kode_desa"].map(lambda c: names[c].kecamatan_name if c in names else ""))
    out.insert(3, "desa", out["kode_desa"].map(lambda c: names[c].name if c in names else "(tidak dikenal)"))
    return out.sort_values(["kode_desa", "jenis_kelamin"]).reset_index(drop=True)


#: The units a recap is rolled up to: their key columns (none: one total for the whole recap).
LEVEL_KEYS = {"kecamatan": ["kode_kecamatan", "kecamatan"], "kabupaten": [], "seluruh": [],
              "per_kabupaten": ["kode_kabupaten", "kabupaten"], "per_provinsi": ["kode_provinsi", "provinsi"]}


def with_units(by_desa: pd.DataFrame) -> pd.DataFrame:
    """``by_desa`` with the regency and province of each desa (code and name), for recaps that
    span several regencies (province, nation)."""
    out = by_desa.copy()
    out["kode_kabupaten"] = out["kode_desa"].str.slice(0, 5)
    out["kode_provinsi"] = out["kode_desa"].str.slice(0, 2)
    for code, name in (("kode_kabupaten", "kabupaten"), ("kode_provinsi", "provinsi")):
        names = {c: regions.unit_name(c) for c in out[code].unique()}
        out[name] = out[code].map(names)
    return out


def roll_up(by_desa: pd.DataFrame, level: str) -> pd.DataFrame:
    """Totals per unit of ``level`` (``LEVEL_KEYS``; ``kabupaten``: the whole recap), by sex,
    plus an L+P total row per unit."""
    keys = LEVEL_KEYS[level]
    grouped = by_desa.groupby(keys + ["jenis_kelamin"])[COLUMNS].sum().reset_index()
    total = by_desa.groupby(keys)[COLUMNS].sum().reset_index() if keys else by_desa[COLUMNS].sum().to_frame().T
    total["jenis_kelamin"] = "L+P"
    return pd.concat([grouped, total], ignore_index=True).sort_values(keys + ["jenis_kelamin"]).reset_index(drop=True)


def desa_with_total(by_desa: pd.DataFrame) -> pd.DataFrame:
    keys = ["kode_kecamatan", "kecamatan", "kode_desa", "desa"]
    total = by_desa.groupby(keys)[COLUMNS].sum().reset_index()
    total["jenis_kelamin"] = "L+P"
    return pd.concat([by_desa, total], ignore_index=True).sort_values(keys + ["jenis_kelamin"]).reset_index(drop=True)
