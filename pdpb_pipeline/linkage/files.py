"""The ``pdpb link`` file contract: person CSVs in, one row per linked feed row out."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .api import link
from .config import LinkConfig
from .prepare import FIELDS, USED


def read_canonical_csv(path, columns=FIELDS) -> pd.DataFrame:
    """Reads a person CSV as text (extra columns ignored, missing ones empty)."""
    wanted = set(columns)
    frame = pd.read_csv(path, dtype=str, na_filter=False, encoding="utf-8-sig", engine="c",
                        usecols=lambda c: c in wanted)
    if "id" not in frame.columns:
        raise ValueError(f"{path}: no 'id' column")
    for c in columns:
        if c not in frame.columns:
            frame[c] = ""
    return frame


#: Columns with few distinct values (names repeat too): read as categoricals by the fast reader.
_CATEGORICAL = ("nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat", "rt", "rw",
                "kode_desa")


def read_link_csv(path, columns=USED) -> pd.DataFrame:
    """``read_canonical_csv`` for the engine, same values (all text, empty stays empty).

    pyarrow's multi-threaded CSV reader, with the repetitive columns as categoricals: one Python
    string per distinct value instead of one per row, the slow part of reading a million-row roll
    (about 3 s of pandas reading become 1 s). A header naming a column twice is read by
    ``read_canonical_csv`` (pandas).
    """
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    if "id" not in header:
        raise ValueError(f"{path}: no 'id' column")
    if len(set(header)) != len(header):
        return read_canonical_csv(path, columns)
    include = [c for c in columns if c in header]
    table = pacsv.read_csv(
        path, read_options=pacsv.ReadOptions(use_threads=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=include, column_types={c: pa.string() for c in include},
            strings_can_be_null=False, quoted_strings_can_be_null=False))
    data = {}
    for c in columns:
        if c not in include:
            data[c] = np.full(table.num_rows, "", dtype=object)
        elif c in _CATEGORICAL:
            enc = table.column(c).combine_chunks().dictionary_encode()
            cats = pd.Index(enc.dictionary.to_numpy(zero_copy_only=False), dtype=object)
            data[c] = pd.Categorical.from_codes(enc.indices.to_numpy(zero_copy_only=False),
                                                categories=cats, validate=False)
        else:
            data[c] = table.column(c).to_numpy()
    del table
    return pd.DataFrame(data, copy=False)


def link_files(feed_csv, roll_csv, out_csv, config: LinkConfig | None = None) -> dict:
    """``pdpb link``: one output row per linked feed row: feed_id, roll_id, probability, decision,
    then the evidence of ``LinkResult.links`` (match weight, name term-frequency weight, level and
    weight of every comparison, blocking rules, reason); a feed row missing from the output is a
    non-match. Returns counts and timings."""
    t0 = time.perf_counter()
    feed = read_link_csv(feed_csv)
    roll = read_link_csv(roll_csv)
    t1 = time.perf_counter()
    result = link(feed, roll, config)
    out = result.links.copy()
    out["probability"] = np.round(out["probability"].astype(np.float64), 6)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(out_csv, index=False, lineterminator="\n")
    summary = {"feed_rows": len(feed), "roll_rows": len(roll), **result.counts(),
               "upper": result.thresholds["upper"], "lower": result.thresholds["lower"],
               "read_seconds": time.perf_counter() - t0 - (time.perf_counter() - t1),
               **{f"{k}_seconds" if k != "pairs" else "candidate_pairs": v
                  for k, v in result.timings.items()}}
    return summary
