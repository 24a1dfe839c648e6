"""The agency lists as data: one ``DaftarSpec`` per list, one asset factory for all.

Adding a list is an entry in ``SPECS`` (its parts, ``Bagian``, and the function building them
from a ``DaftarInput``) and, where it needs one, a module beside this one (``penghuni.py``,
``desa.py``, ``pmi.py``, ``lapas.py``): no new asset code, no new storage table, no new publication code.

Every feed row of a list's feed(s) that was accepted lands in exactly one of its parts marked
``dari_feed`` (the rest of the file's rows are in the quarantine): the asset's blocking check
``rekonsiliasi_feed`` proves it (``reconcile``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..partitions import Partition


@dataclass(frozen=True)
class Bagian:
    """One part of a list: a sheet of its workbook, a value of its CSV's ``bagian`` column."""

    name: str
    """Value of the ``bagian`` column, and the key of the frame the builder returns."""
    title: str
    """Sheet name (at most 31 characters) and the heading of the sheet."""
    columns: tuple[str, ...]
    """The part's columns, in published order. ``nik`` and ``nkk`` are masked when published."""
    dari_feed: bool = True
    """Its rows are feed rows (one each, column ``feed_id``), counted by the reconciliation; a
    part of other rows (roll voters, a summary) is False."""
    kept: tuple[str, ...] = ()
    """Columns stored with the part for the list's next month (what identifies a person kept as
    state, a birth date) and never published."""
    restricted_stem: str = ""
    """Published on its own, as CSV under ``terbatas/`` as ``<stem>_<regency>_<month>.csv``,
    with no NIK or NKK column at all, instead of in the list's public files (a referral list
    for the registry)."""


@dataclass
class DaftarInput:
    """What a list is built from: the month's stored upstream rows, restricted to its feeds."""

    part: Partition
    reference: dt.date
    """The roll's reference day of the month (ages)."""
    feed: pd.DataFrame
    """The accepted feed rows of the list's feeds (``warehouse.feed_rows``; extra fields as columns)."""
    links: pd.DataFrame
    """Their link decisions to the roll (``feed_id``, ``roll_id``, ``probability``, ``decision``: match or review)."""
    proposals: pd.DataFrame
    """The month's change proposals that these rows made (``change_proposal``, by ``feed_id``)."""
    roll: pd.DataFrame | None = None
    """The month's roll (``dpb``) when the spec ``needs_roll`` and the feeds have rows; else None."""
    previous: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    """The same list of the month before (its stored parts), when the spec ``needs_previous``."""
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    """What the spec's ``extra_inputs`` read besides (state tables, the month's other rows)."""
    max_pemilih_tps: int = 300
    """The most voters one polling station takes (``PDPB_MAX_PEMILIH_TPS``): TPS khusus needed."""


Builder = Callable[[DaftarInput], Mapping[str, pd.DataFrame]]


@dataclass(frozen=True)
class DaftarSpec:
    name: str
    """Asset key ``daftar/<name>`` and the stored list's name."""
    feeds: tuple[str, ...]
    """Agency keys (``feeds.spec``) whose rows the list reads and reconciles with."""
    stem: str
    """Published files ``<stem>_<regency>_<month>.xlsx|csv``."""
    title: str
    """Heading of the published workbook."""
    description: str
    """What the list is and who it is for (the asset's description)."""
    group_by: tuple[str, ...]
    """Columns of every part the counts are per (estate, desa, rutan...)."""
    parts: tuple[Bagian, ...]
    build: Builder
    needs_roll: bool = False
    needs_previous: bool = False
    publish_empty: bool = False
    """Publish the files in a month when every part is empty (a list kept as state)."""
    extra_inputs: Callable[[object, Partition], Mapping[str, pd.DataFrame]] | None = None
    """``(warehouse, part) -> frames`` the builder reads besides ``DaftarInput``'s (``inp.extra``)."""
    figures: Callable[[Mapping[str, pd.DataFrame]], Mapping[str, int]] | None = None
    """``parts -> {name: count}``: the list's own figures for the asset's metadata, beside the
    rows per part (the TPS khusus needed...)."""

    @property
    def key(self) -> list[str]:
        return ["daftar", self.name]

    def part(self, name: str) -> Bagian:
        return next(b for b in self.parts if b.name == name)


def empty_parts(spec: DaftarSpec) -> dict[str, pd.DataFrame]:
    """Every part of ``spec`` with no rows."""
    return {b.name: pd.DataFrame({c: pd.Series(dtype=object) for c in b.columns}) for b in spec.parts}


def shaped(spec: DaftarSpec, frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``frames`` with exactly ``spec``'s parts, each with its columns in order (then its
    ``kept`` columns, and ``feed_id`` for parts of feed rows); a part the builder did not return is empty.
    Raises KeyError naming a part the spec does not have."""
    unknown = set(frames) - {b.name for b in spec.parts}
    if unknown:
        raise KeyError(f"daftar {spec.name}: bagian tidak dikenal {sorted(unknown)}")
    out = {}
    for b in spec.parts:
        frame = frames.get(b.name)
        columns = list(b.columns) + [c for c in b.kept if c not in b.columns] + (
            ["feed_id"] if b.dari_feed and "feed_id" not in b.columns else [])
        if frame is None:
            frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        out[b.name] = frame.reindex(columns=columns).reset_index(drop=True)
    return out


@dataclass(frozen=True)
class Rekonsiliasi:
    """How the accepted feed rows of a list's feeds land in its parts."""

    feed_rows: int
    listed: int
    missing: pd.DataFrame
    """Feed rows in no part (``file_name``, ``row_number``)."""
    twice: pd.DataFrame
    """Feed rows in more than one part, or twice in one."""
    unknown: int
    """Rows of parts ``dari_feed`` naming no feed row of the list's feeds."""

    @property
    def passed(self) -> bool:
        return self.missing.empty and self.twice.empty and self.unknown == 0

    def description(self, spec: DaftarSpec) -> str:
        if self.passed:
            return (f"{self.feed_rows} baris {'/'.join(spec.feeds)} diterima, masing-masing tepat di satu "
                    "bagian daftar (sisanya di karantina)")
        problems = []
        for what, frame in (("tidak di bagian mana pun", self.missing), ("di lebih dari satu bagian", self.twice)):
            if len(frame):
                where = ", ".join(f"{f} baris {r}" for f, r in frame[["file_name", "row_number"]].head(5)
                                  .itertuples(index=False))
                problems.append(f"{len(frame)} baris {what} ({where})")
        if self.unknown:
            problems.append(f"{self.unknown} baris daftar tanpa baris feed")
        return f"daftar {spec.name}: " + "; ".join(problems)


def reconcile(spec: DaftarSpec, feed: pd.DataFrame, frames: Mapping[str, pd.DataFrame]) -> Rekonsiliasi:
    """Whether every accepted row of ``feed`` (the list's feeds) is in exactly one part
    ``dari_feed`` of ``frames``, and those parts hold nothing else."""
    listed = pd.concat([frames[b.name]["feed_id"] for b in spec.parts if b.dari_feed and b.name in frames]
                       + [pd.Series(dtype=object)], ignore_index=True)
    counts = listed.value_counts()
    ids = feed["id"]
    where = feed[["file_name", "row_number"]]
    missing = where[~ids.isin(counts.index).to_numpy()]
    twice = where[ids.map(counts).fillna(0).to_numpy() > 1]
    unknown = int((~listed.isin(ids)).sum())
    return Rekonsiliasi(len(feed), len(listed), missing, twice, unknown)


def counts_per_group(spec: DaftarSpec, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per group (``group_by``) and part, one column per part: the list's summary."""
    stacked = [frames[b.name][list(spec.group_by)].assign(bagian=b.name) for b in spec.parts
               if b.name in frames and all(c in frames[b.name].columns for c in spec.group_by)]
    columns = [b.name for b in spec.parts]
    if not stacked or not sum(len(s) for s in stacked):
        return pd.DataFrame(columns=[*spec.group_by, *columns, "jumlah"])
    long = pd.concat(stacked, ignore_index=True).fillna("")
    wide = long.groupby([*spec.group_by, "bagian"]).size().unstack("bagian", fill_value=0)
    wide = wide.reindex(columns=columns, fill_value=0).astype("int64")
    wide["jumlah"] = wide.sum(axis=1)
    return wide.reset_index()


def _specs() -> tuple[DaftarSpec, ...]:
    from . import desa, lapas, penghuni, pmi
    return (penghuni.SPEC, desa.SPEC, pmi.SPEC, lapas.SPEC)


#: Every list, in publication order.
SPECS: tuple[DaftarSpec, ...] = _specs()
BY_NAME: dict[str, DaftarSpec] = {s.name: s for s in SPECS}
