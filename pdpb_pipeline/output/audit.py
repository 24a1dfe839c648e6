"""The audit page: ``audit/index.html`` beside the month's files, for Bawaslu and the pleno.

One self-contained HTML file that opens from the folder in a browser, no server and no network:
the month's data is embedded as JSON (``<script type="application/json" id="data">``) and a small
script in the page draws the tables and the SVG charts from it. It shows the recap by kabupaten,
kecamatan and desa x sex with the reconciliation (``sebelumnya + pemilih_baru - tms = sekarang``);
every movement count is a link to the change rows behind it (agency, file, row, rule, match
probability, the per-field evidence of the link, NIK masked), found through the same cells the
recap counts (``recap.movement_cells``); the review queue; the month's movements per agency and
the distribution of the link probabilities.

No full NIK or NKK is on it (``nik.mask``; free text through ``nik.mask_text``) and no birth
date (the queue shows age, as its published file does). The same month gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources

import jinja2
import numpy as np
import pandas as pd

from ..domain import regions
from ..domain.nik import mask_series, mask_text
from ..roll import recap
from ..roll.eligibility import age_on

#: The page, relative to the month's folder (listed in the manifest like every file).
PAGE = "audit/index.html"
#: The template, shipped as package data (``pyproject.toml``).
TEMPLATE = "audit.html"
#: The change-row fields shown, in order (``nik`` masked).
CHANGE_FIELDS = ("change_id", "voter_id", "nik", "kategori", "sub_kategori", "agency", "file_name", "row_number",
                 "rule", "probability", "kode_desa_lama", "kode_desa_baru", "jenis_kelamin_lama",
                 "jenis_kelamin_baru", "kolom_berubah", "id_antrean")
#: The review-queue fields shown: no birth date (``usia`` instead), NIK and NKK masked.
QUEUE_FIELDS = ("id_antrean", "bulan_usulan", "voter_id", "kategori", "sub_kategori", "alasan", "agency",
                "file_name", "row_number", "probability", "nik", "nkk", "nama", "jenis_kelamin", "usia", "kode_desa")
#: Recap columns that are not movements (no change rows behind them).
NOT_MOVEMENTS = ("sebelumnya", "sekarang", "selisih")
#: Bins of the link-probability chart.
PROBABILITY_BINS = 20


@dataclass(frozen=True)
class Sources:
    """What the page reads besides the published month's frames: the month's linked feed rows
    with their evidence (``Warehouse.link_evidence``) and the NIK of the versions closed in the
    month (``Warehouse.closed_niks``: removed voters are no longer on the month's roll)."""

    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["feed_id", "agency", "probability", "decision", "evidence"]))
    closed_niks: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))


def change_niks(roll: pd.DataFrame, changes: pd.DataFrame, closed_niks: pd.Series) -> pd.Series:
    """The (full) NIK of each change's voter, aligned with ``changes``: from the month's roll, or,
    for a voter no longer on it (a TMS), from the version the month closed; "" when neither."""
    on_roll = roll.loc[roll["id"].isin(changes["voter_id"]), ["id", "nik"]].set_index("id")["nik"]
    return changes["voter_id"].map(on_roll).fillna(changes["voter_id"].map(closed_niks)).fillna("").astype(str)


def page(regency: str, month: str, reference: dt.date, roll: pd.DataFrame, recap_desa: pd.DataFrame,
         changes: pd.DataFrame, queue: pd.DataFrame, sources: Sources | None = None) -> str:
    """The page's HTML (``data`` rendered into the template)."""
    return render(data(regency, month, reference, roll, recap_desa, changes, queue, sources or Sources()))


def render(content: dict) -> str:
    template = resources.files(__package__).joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    embedded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Nothing in the data can end the script element or open a comment: "<" is written escaped.
    embedded = embedded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return environment.from_string(template).render(judul=content["judul"], data=embedded)  # (``|safe`` there)


def data(regency: str, month: str, reference: dt.date, roll: pd.DataFrame, recap_desa: pd.DataFrame,
         changes: pd.DataFrame, queue: pd.DataFrame, sources: Sources) -> dict:
    """Everything the page shows, as plain JSON values."""
    from .publish import period  # (publish imports this module)

    totals = recap_desa[recap.COLUMNS].sum()
    return {
        "judul": {"kode": regency, "nama": regions.regency_name(regency), "bulan": month, "periode": period(month),
                  "tanggal_acuan": reference.isoformat()},
        "kolom": {"semua": recap.COLUMNS, "gerak": [c for c in recap.COLUMNS if c not in NOT_MOVEMENTS],
                  "jumlah": {name: list(columns) for name, columns in recap.TOTALS.items()}},
        "rumus": {k: int(totals[k]) for k in ("sebelumnya", "pemilih_baru", "tms", "sekarang", "selisih")},
        "rekap": {
            "kabupaten": _rows(recap.roll_up(recap_desa, "kabupaten").assign(kode=regency, nama=regions.regency_name(regency))),
            "kecamatan": _rows(recap.roll_up(recap_desa, "kecamatan").rename(
                columns={"kode_kecamatan": "kode", "kecamatan": "nama"})),
            "desa": _rows(recap.desa_with_total(recap_desa).rename(columns={"kode_desa": "kode", "desa": "nama"})),
        },
        "perubahan": change_rows(roll, changes, sources),
        "antrean": queue_rows(queue, reference),
        "grafik": {"instansi": per_agency(changes), "probabilitas": probability_bins(sources.links)},
    }


def _rows(frame: pd.DataFrame) -> list[dict]:
    keep = [c for c in ("kode_kecamatan", "kecamatan", "kode", "nama", "jenis_kelamin") if c in frame.columns]
    out = frame[keep].astype(str).to_dict("records")
    counts = frame[recap.COLUMNS].astype("int64").to_numpy().tolist()
    for row, values in zip(out, counts):
        row["n"] = values
    return out


def change_rows(roll: pd.DataFrame, changes: pd.DataFrame, sources: Sources) -> list[dict]:
    """Each applied change with its masked NIK, the evidence of its link and the recap cells it
    is counted in (``sel``: [kode_desa, jenis_kelamin, kolom])."""
    if not len(changes):
        return []
    changes = changes.reset_index(drop=True)
    nik = change_niks(roll, changes, sources.closed_niks)
    shown = changes.reindex(columns=list(CHANGE_FIELDS)).assign(nik=mask_series(nik))
    shown["probability"] = _probabilities(shown["probability"])
    shown["row_number"] = pd.to_numeric(shown["row_number"], errors="coerce").astype("Int64")
    rows = _records(shown)
    cells = recap.movement_cells(changes)
    for position, kode_desa, sex, column in cells.itertuples(index=False):
        rows[position].setdefault("sel", []).append([str(kode_desa), str(sex), str(column)])
    feed_ids = changes["feed_id"].astype(str)
    links = sources.links[sources.links["feed_id"].astype(str).isin(set(feed_ids))] if len(sources.links) else sources.links
    link_of = {str(f): (d, p, e) for f, d, p, e in zip(links["feed_id"], links["decision"], links["probability"],
                                                         links["evidence"])}
    for row, feed_id in zip(rows, feed_ids):
        row.setdefault("sel", [])
        if feed_id in link_of:
            decision, probability, stored = link_of[feed_id]
            row["tautan"] = {"keputusan": str(decision), "probabilitas": _probability(probability), **evidence(stored)}
    return rows


def evidence(text: str | None) -> dict:
    """A link's stored evidence (JSON) as the page shows it: per compared field (``bidang``: those
    with a ``<field>_level``) its level and weight, then the rest (match weight, name frequency, blocking rules, reason); text masked."""
    try:
        values = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {"bidang": [], "lain": {"bukti": "tidak terbaca"}}
    fields = sorted(k.removesuffix("_level") for k in values if k.endswith("_level"))
    per_field = [[f, _plain(values.get(f"{f}_level")), _plain(values.get(f"{f}_weight"))] for f in fields]
    used = {f"{f}{part}" for f in fields for part in ("_level", "_weight")}
    return {"bidang": per_field, "lain": {k: _plain(v) for k, v in sorted(values.items()) if k not in used}}


def _plain(value):
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def queue_rows(queue: pd.DataFrame, reference: dt.date) -> list[dict]:
    """The review queue as published (NIK and NKK masked, age instead of the birth date)."""
    if not len(queue):
        return []
    queue = queue.reindex(columns=[*(c for c in QUEUE_FIELDS if c != "usia"), "tanggal_lahir"])
    shown = queue.assign(nik=mask_series(queue["nik"].fillna("").astype(str)),
                         nkk=mask_series(queue["nkk"].fillna("").astype(str)),
                         usia=age_on(queue["tanggal_lahir"], reference).astype("Int64"),
                         alasan=[mask_text(str(a)) for a in queue["alasan"].fillna("")])
    shown = shown.reindex(columns=list(QUEUE_FIELDS))
    shown["probability"] = _probabilities(shown["probability"])
    shown["row_number"] = pd.to_numeric(shown["row_number"], errors="coerce").astype("Int64")
    return _records(shown)


def per_agency(changes: pd.DataFrame) -> list[dict]:
    """The month's applied changes per agency and category, most first."""
    if not len(changes):
        return []
    counts = changes.groupby(["agency", "kategori"]).size().unstack(fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    return [{"instansi": str(agency), "jumlah": {str(k): int(v) for k, v in row.items() if v}}
            for agency, row in counts.iterrows()]


def probability_bins(links: pd.DataFrame) -> dict:
    """Linked feed rows per probability bin (``PROBABILITY_BINS`` equal bins of 0..1, the last
    one closed) and decision; rows without a probability counted apart."""
    edges = np.linspace(0.0, 1.0, PROBABILITY_BINS + 1)
    p = pd.to_numeric(links["probability"], errors="coerce") if len(links) else pd.Series(dtype=float)
    out = {"batas": [round(float(e), 2) for e in edges], "per_keputusan": {}, "tanpa_probabilitas": int(p.isna().sum())}
    for decision in sorted(set(links["decision"].astype(str))) if len(links) else []:
        chosen = p[(links["decision"].astype(str) == decision).to_numpy() & p.notna().to_numpy()]
        out["per_keputusan"][decision] = np.histogram(chosen.clip(0, 1), bins=edges)[0].astype(int).tolist()
    return out


def _probabilities(values: pd.Series) -> list:
    return [_probability(v) for v in values]


def _probability(value) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(f"{float(number):.4f}")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON values: missing as null, numbers as numbers, everything else as text."""
    out = []
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        row = {}
        for name, value in zip(columns, values):
            if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                row[name] = None
            elif isinstance(value, (bool, np.bool_)):
                row[name] = bool(value)
            elif isinstance(value, (int, np.integer)):
                row[name] = int(value)
            elif isinstance(value, (float, np.floating)):
                row[name] = float(value)
            else:
                row[name] = str(value)
        out.append(row)
    return out
