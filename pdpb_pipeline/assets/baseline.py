"""The baseline DPT: the last final election list, the roll every regency's PDPB starts from.

Loading it also finds the duplicates (ganda) already in it, in SIDALIH's three classes, once:
the first month's update starts from them, and later months only look at the voters they add.
"""

import datetime as dt
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    StaticPartitionsDefinition,
    asset,
)

from .. import __version__ as CODE_VERSION
from ..domain import dates, schema
from .metadata import count_table, masked_preview
from ..resources.landing import LandingZone, sha256
from ..resources.settings import FeedLimits
from ..linkage import LinkConfig, deduplicate
from ..resources.warehouse import Warehouse
from ..resources import regency_lock

from ..resources.storage.tautan import DUPLICATE_COLUMNS


class BaselineError(Exception):
    pass


EXAMPLES = 5  # example row numbers shown per field
CHECK = "dpt_terbaca"
CHECK_TEXT = "The share of unreadable values of every DPT field is within PDPB_MAX_DPT_UNREADABLE_SHARE."


@dataclass(frozen=True)
class FieldQuality:
    """Blank and unreadable values of one DPT field; rows as numbered in the file (header: 1)."""
    blank: int
    unreadable: int
    unreadable_rows: tuple[int, ...]

    def share(self, rows: int) -> float:
        return self.unreadable / rows if rows else 0.0


@dataclass(frozen=True)
class BaselineFile:
    path: Path
    frame: pd.DataFrame
    fields: dict[str, FieldQuality]
    #: The same rows and columns in Arrow when Arrow read the file (its text as read, the dates
    #: from ``frame``): what the load copies in and keeps, with no million ``str`` converted
    #: again; None when pandas read it.
    table: pa.Table | None = None

    def by_id(self) -> tuple[pd.DataFrame, pa.Table | None]:
        """``frame`` and ``table`` in voter-id order (the roll's order), index 0..n-1."""
        order = self.frame["id"].sort_values(kind="stable").index.to_numpy()
        frame = self.frame.take(order).reset_index(drop=True)
        return frame, self.table.take(order) if self.table is not None else None

    def over(self, max_share: float) -> dict[str, FieldQuality]:
        """Fields whose unreadable share exceeds ``max_share``. A malformed NIK or NKK is counted
        but never stops the load: the registry does not reissue numbers, real DPTs carry such
        faults, and the rules treat those records as having no usable NIK."""
        return {n: q for n, q in self.fields.items()
                if n not in NUMBERS and q.share(len(self.frame)) > max_share}


def _quality(blank: np.ndarray, unreadable: np.ndarray) -> FieldQuality:
    rows = np.flatnonzero(unreadable)[:EXAMPLES] + 2
    return FieldQuality(int(blank.sum()), int(unreadable.sum()), tuple(int(r) for r in rows))


def _field_quality(text: pd.DataFrame, born: pd.Series, regency: str | None,
                   columns: Mapping[str, pa.Array] | None = None) -> dict[str, FieldQuality]:
    """What each checkable field holds: blank (missing data) or a value that cannot be read.
    ``columns``: the checked fields as arrow text when the file was read so (``_read_text``)."""
    column = {name: columns[name] if columns is not None else
              pa.array(text[name].to_numpy(dtype=object), type=pa.large_string()) for name in FIELDS_CHECKED}
    blank = {name: _blank(column[name]) for name in FIELDS_CHECKED}
    desa = rf"{re.escape(regency)}\.\d{{2}}\.\d{{4}}" if regency else r"\d{2}\.\d{2}\.\d{2}\.\d{4}"
    readable = {
        "nik": _fullmatch(column["nik"], r"\d{16}"),
        "nkk": _fullmatch(column["nkk"], r"\d{16}"),
        "tanggal_lahir": ~dates.unreadable(text["tanggal_lahir"], born),
        "jenis_kelamin": text["jenis_kelamin"].isin(schema.JENIS_KELAMIN).to_numpy(),
        "status_kawin": text["status_kawin"].isin(schema.STATUS_KAWIN).to_numpy(),
        "kode_desa": _fullmatch(column["kode_desa"], desa),
    }
    return {name: _quality(blank[name], ~blank[name] & ~np.asarray(readable[name], dtype=bool))
            for name in FIELDS_CHECKED}


@lru_cache(maxsize=1)
def _whitespace() -> str:
    """Every character ``str.strip`` removes."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def _blank(values: pa.Array) -> np.ndarray:
    """``values.str.strip() == ""`` of a column of str, in arrow (a DPT has a million rows)."""
    stripped = pc.utf8_trim(values, characters=_whitespace())
    return pc.equal(pc.utf8_length(stripped), 0).to_numpy(zero_copy_only=False)


def _fullmatch(values: pa.Array, pattern: str) -> np.ndarray:
    """``values.str.fullmatch(pattern)`` of a column of str: RE2 in arrow for the ASCII values
    (where its ``\\d`` is Python's), Python's ``re`` for the few others (other scripts' digits)."""
    out = pc.match_substring_regex(values, f"^(?:{pattern})$").to_numpy(zero_copy_only=False).copy()
    others = np.flatnonzero(~pc.string_is_ascii(values).to_numpy(zero_copy_only=False))
    if len(others):
        compiled = re.compile(pattern)
        texts = values.take(pa.array(others)).to_pylist()
        out[others] = [compiled.fullmatch(t) is not None for t in texts]
    return out


FIELDS_CHECKED = ("nik", "nkk", "tanggal_lahir", "jenis_kelamin", "status_kawin", "kode_desa")
NUMBERS = ("nik", "nkk")


def load_baseline_file(path, regency: str | None = None) -> BaselineFile:
    """Reads a DPT file in the canonical schema, dates in any format agencies write, and counts
    per field the blank and the unreadable values; refuses a file that cannot be a roll.

    ``regency``: the dotted regency code the desa codes must start with.
    """
    path = Path(path)
    if not path.is_file():
        raise BaselineError(f"{path}: baseline DPT file not found")
    header = pd.read_csv(path, nrows=0, dtype=str, encoding="utf-8-sig").columns
    missing = [c for c in schema.PERSON_COLUMNS if c not in header]
    if missing:
        raise BaselineError(f"{path}: missing column(s) {', '.join(missing)}")
    text, read = _read_text(path, list(header))
    columns = {name: read.column(name).combine_chunks() for name in FIELDS_CHECKED} if read is not None else None
    duplicated = text["id"].duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().nonzero()[0][0]) + 2
        raise BaselineError(f"{path}, row {row}, field id: voter id {text['id'][row - 2]!r} repeats")
    born, _ = dates.parse_dates(text["tanggal_lahir"], dt.date.today())  # no one is born after today
    fields = _field_quality(text, born, regency, columns)
    frame = schema.to_canonical(text.assign(tanggal_lahir=born))
    table = None
    if read is not None:  # (text columns are the file's as read: to_canonical leaves str as it is)
        table = pa.table({name: pa.array(frame[name]) if pd.api.types.is_datetime64_any_dtype(frame[name])
                          else read.column(name) for name in frame.columns})
    return BaselineFile(path, frame, fields, table)


def _read_text(path: Path, header: list[str]) -> tuple[pd.DataFrame, pa.Table | None]:
    """Every field of the file as text, as ``pd.read_csv(dtype=str, keep_default_na=False)``
    reads it, and as Arrow read it (None: Arrow did not). Arrow's reader (threads, C++) reads a
    million-row DPT in a fifth of pandas' time; a file it refuses (a row with more or fewer
    fields than the header, bytes that are not UTF-8) is read by pandas, whose errors and
    filling of short rows are the load's as they always were."""
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),  # pandas' names (a repeated one: .1)
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), None
    return table.to_pandas(), table


def unreadable_message(dpt: BaselineFile, over: dict[str, FieldQuality], max_share: float) -> str:
    """Names the file, each field over the limit and example rows (never the values: NIKs)."""
    parts = [
        f"field {name}: {q.unreadable} of {len(dpt.frame)} values unreadable ({q.share(len(dpt.frame)):.1%}), "
        f"e.g. row(s) {', '.join(map(str, q.unreadable_rows))}"
        for name, q in over.items()
    ]
    return f"{dpt.path}: {'; '.join(parts)} (limit {max_share:.1%}); the DPT was not loaded"


def quality_table(dpt: BaselineFile) -> MetadataValue:
    lines = ["| field | blank | unreadable | example rows |", "|---|---|---|---|"]
    for name, q in dpt.fields.items():
        lines.append(f"| {name} | {q.blank} | {q.unreadable} | {', '.join(map(str, q.unreadable_rows)) or '-'} |")
    return MetadataValue.md("\n".join(lines))


def quality_metadata(dpt: BaselineFile) -> dict[str, MetadataValue]:
    out: dict[str, MetadataValue] = {"mutu_per_kolom": quality_table(dpt)}
    for name, q in dpt.fields.items():
        out[f"kosong_{name}"] = MetadataValue.int(q.blank)
        out[f"tak_terbaca_{name}"] = MetadataValue.int(q.unreadable)
    return out


def build(regency_partitions: StaticPartitionsDefinition):
    key = AssetKey("dpt_baseline")

    @asset(
        key=key,
        check_specs=[AssetCheckSpec(CHECK, asset=key, description=CHECK_TEXT, blocking=True)],
        code_version=CODE_VERSION,
        partitions_def=regency_partitions,
        group_name="dpb",
        description="DPT: the last election's final list for one regency, the starting roll.",
        kinds={"sql", "csv"},
    )
    def dpt_baseline(
        context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone, feed_limits: FeedLimits
    ) -> MaterializeResult:
        regency = context.partition_key
        max_unreadable_share = feed_limits.max_dpt_unreadable_share
        regency_lock.step(context, warehouse, regency)
        path = landing.baseline_file(regency)
        digest = sha256(path) if path.is_file() else ""
        dpt = load_baseline_file(path, regency)
        over = dpt.over(max_unreadable_share)
        check = AssetCheckResult(
            asset_key=key, check_name=CHECK, passed=not over, severity=AssetCheckSeverity.ERROR,
            description=unreadable_message(dpt, over, max_unreadable_share) if over else CHECK_TEXT,
            metadata={"berkas": MetadataValue.path(str(path)), "batas": MetadataValue.float(max_unreadable_share),
                      "kolom_gagal": MetadataValue.text(", ".join(over) or "-"), **quality_metadata(dpt)},
        )
        if over:  # nothing is written: the next run reads the file again
            context.log.error(check.description)
            return MaterializeResult(metadata={"berkas": MetadataValue.path(str(path)), **quality_metadata(dpt)},
                                     check_results=[check])
        frame, table = dpt.by_id()

        def find_duplicates() -> pd.DataFrame:  # (while the roll is copied in)
            return deduplicate(frame, LinkConfig()) if len(frame) > 1 else pd.DataFrame(columns=DUPLICATE_COLUMNS)

        duplicates = warehouse.write_dpt_baseline(regency, frame, find_duplicates, str(path), digest,
                                                  context.run.run_id, table)
        # counted once per voter, then per desa (a few thousand) up to the kecamatan
        per_desa = frame["kode_desa"].value_counts()
        per_kecamatan = per_desa.groupby(per_desa.index.str.slice(0, 8)).sum().sort_index()
        sexes = frame["jenis_kelamin"].value_counts()
        return MaterializeResult(
            metadata={
                "pemilih": MetadataValue.int(len(frame)),
                "laki_laki": MetadataValue.int(int(sexes.get("L", 0))),
                "perempuan": MetadataValue.int(int(sexes.get("P", 0))),
                "kecamatan": MetadataValue.int(len(per_kecamatan)),
                "desa": MetadataValue.int(len(per_desa)),
                "per_kecamatan": count_table(per_kecamatan, "kecamatan"),
                "berkas": MetadataValue.path(str(path)),
                "sha256": MetadataValue.text(digest),
                "preview": masked_preview(frame),
                "pasangan_ganda": MetadataValue.int(len(duplicates)),
                "ganda_per_kelas": count_table(duplicates.groupby(["kelas", "decision"]).size(), "kelas")
                if len(duplicates) else MetadataValue.md("(none)"),
                **quality_metadata(dpt),
            },
            check_results=[check],
        )

    return dpt_baseline
