"""Linkage as assets: every feed row of the month linked to the previous month's roll.

One step reads the feeds and the roll once, prepares them for comparison once, and records three
assets: the scored candidate links, the decision for each feed row (match / review / no link)
with its evidence, and the duplicates (ganda) inside the roll in SIDALIH's three classes: the
DPT's own, found when it was loaded (the first month), then those the voters added or changed
last month form with the whole roll (every pair, classed as at the DPT load).
"""

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    multi_asset,
)

from .. import __version__ as CODE_VERSION
from ..linkage import LinkConfig
from ..linkage.api import duplicates_of, link_records
from ..linkage.prepare import ROLL_PREPARATION, prepare, prepare_frame
from ..partitions import Partition
from ..resources import regency_lock
from ..resources.bulan_awal import BulanAwal
from ..resources.warehouse import Warehouse
from ..resources.storage.tautan import DUPLICATE_COLUMNS
from ..roll import store
from .common import baseline_dep

KANDIDAT = AssetKey(["tautan", "kandidat"])
KEPUTUSAN = AssetKey(["tautan", "keputusan"])
GANDA = AssetKey(["tautan", "ganda_dpb"])
MIN_CANDIDATE_PROBABILITY = 0.01
EVIDENCE_SKIP = ("feed_id", "roll_id", "probability", "decision")


def histogram(probabilities: pd.Series) -> MetadataValue:
    bins = [0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0000001]
    labels = ["<0.01", "0.01-0.1", "0.1-0.5", "0.5-0.9", "0.9-0.99", "0.99-0.999", ">=0.999"]
    counts = pd.cut(probabilities, bins=bins, labels=labels, right=False).value_counts().reindex(labels, fill_value=0)
    bar = (counts / max(counts.max(), 1) * 30).round().astype(int)
    table = pd.DataFrame({"probabilitas": labels, "pasangan": counts.values, "": ["#" * int(n) for n in bar]})
    return MetadataValue.md(table.to_markdown(index=False))


def build(monthly_def: MultiPartitionsDefinition, feed_assets, baseline_asset):
    # The roll of month M-1 is read from the warehouse: Dagster allows a month-to-month
    # dependency only from an asset to itself (``dpb``), so it is not drawn here.
    inputs = [*[AssetDep(a.key) for a in feed_assets], baseline_dep(baseline_asset)]

    @multi_asset(
        name="tautan_dpb",
        partitions_def=monthly_def,
        specs=[
            AssetSpec(KANDIDAT, code_version=CODE_VERSION, group_name="tautan", kinds={"sql"},
                      description="Scored candidate pairs (feed row x roll record) with probability >= 0.01",
                      deps=inputs),
            AssetSpec(KEPUTUSAN, code_version=CODE_VERSION, group_name="tautan", kinds={"sql"},
                      description="Per feed row: match / review / no link, with per-field evidence",
                      deps=[KANDIDAT]),
            AssetSpec(GANDA, code_version=CODE_VERSION, group_name="tautan", kinds={"sql"},
                      description="Duplicates inside the previous roll (ganda), SIDALIH classes: the DPT's own "
                                  "(first month), then those of the voters added or changed last month",
                      deps=[baseline_dep(baseline_asset)]),
        ],
    )
    def tautan_dpb(context: AssetExecutionContext, warehouse: Warehouse, bulan_awal: BulanAwal):
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
        start = warehouse.previous_roll_month(part.regency, part.month, bulan_awal.of(part.regency))
        month = link_month(warehouse, part, start)
        links, all_candidates = month.links, month.all_candidates
        candidates, decisions, duplicates = month.candidates, month.decisions, month.duplicates
        warehouse.write_tautan(part, candidates, decisions, duplicates)

        counts = decisions["decision"].value_counts()
        rate = decisions.assign(match=decisions["decision"] == "match").groupby("agency")["match"].mean()
        yield MaterializeResult(asset_key=KANDIDAT, metadata={
            "pasangan": MetadataValue.int(len(candidates)),
            "sebaran_probabilitas": histogram(all_candidates["probability"].astype(float)),
        })
        yield MaterializeResult(asset_key=KEPUTUSAN, metadata={
            "baris_feed": MetadataValue.int(len(decisions)),
            "match": MetadataValue.int(int(counts.get("match", 0))),
            "review": MetadataValue.int(int(counts.get("review", 0))),
            "tidak_cocok": MetadataValue.int(int(counts.get("tidak_cocok", 0))),
            "dpb_pembanding": MetadataValue.text(f"DPB {start}" if start != store.BASELINE else "DPT awal"),
            "tingkat_cocok_per_instansi": MetadataValue.md(
                rate.rename("porsi_match").round(4).reset_index().to_markdown(index=False) if len(rate) else "(none)"),
            "sebaran_probabilitas": histogram(links["probability"].astype(float)) if len(links) else MetadataValue.md("(none)"),
        })
        yield MaterializeResult(asset_key=GANDA, metadata={
            "pasangan_ganda": MetadataValue.int(len(duplicates)),
            "per_kelas": MetadataValue.md(
                duplicates.groupby(["kelas", "decision"]).size().rename("pasangan").reset_index().to_markdown(index=False)
                if len(duplicates) else "(none)"),
        })

    return tautan_dpb



@dataclass
class LinkedMonth:
    links: pd.DataFrame           # the chosen link of every linked feed row, with its evidence
    all_candidates: pd.DataFrame  # every scored pair
    candidates: pd.DataFrame      # those stored (probability >= MIN_CANDIDATE_PROBABILITY)
    decisions: pd.DataFrame       # per feed row
    duplicates: pd.DataFrame      # ganda of the month


def link_month(warehouse: Warehouse, part: Partition, start: str) -> LinkedMonth:
    """The linkage step's work for ``part``, whose roll starts from ``start``'s: the month's feed
    rows linked to that roll, and the roll's duplicates of the month."""
    # Two threads where the work waits on I/O or runs in numpy / pyarrow (which release the GIL):
    # the roll is read and its own part of the preparation done (``prepare_frame``; in a steady
    # month both were done ahead while the feed steps ran, see ``Warehouse.setup_for_execution``)
    # while the feed rows and last month's fresh versions come from the database; the roll's
    # duplicates are searched while the feed rows are linked. Each task reads only what it is given (``rec`` is not changed by either), so the
    # results are those of doing them one after the other.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="tautan") as pool:
        roll_read = pool.submit(warehouse.previous_roll_derived, part, start, ROLL_PREPARATION, prepare_frame)
        feed = warehouse.feed_rows(part)
        fresh_ids = warehouse.fresh_versions(part.regency, start) if start != store.BASELINE else set()
        roll, roll_prepared = roll_read.result()
        persons = feed[feed["jenis_peristiwa"] != "hasil_coktas"].reset_index(drop=True)
        config = LinkConfig()
        nf, nr = len(persons), len(roll)
        rec = prepare([persons, roll_prepared], tf_rows=slice(nf, None)) if nr else None
        roll_rows = np.arange(nf, nf + nr)
        search = None
        if start != store.BASELINE:  # the versions valid from last month (voters added or changed)
            fresh = roll_rows[roll["id"].isin(fresh_ids).to_numpy()]
            if len(fresh):
                search = pool.submit(duplicates_of, rec, fresh, roll_rows, config)
        if nf and nr:
            result = link_records(rec, np.arange(nf), roll_rows, config)
            links, all_candidates = result.links, result.candidates
        else:  # nothing to link this month
            links = pd.DataFrame(columns=["feed_id", "roll_id", "probability", "decision"])
            all_candidates = pd.DataFrame(columns=["feed_id", "roll_id", "probability", "match_weight"])
        if start == store.BASELINE:  # the DPT's own duplicates, found when it was loaded
            duplicates = warehouse.roll_duplicates(part.regency, store.BASELINE)
        else:  # ... against the whole roll
            duplicates = search.result() if search is not None else pd.DataFrame(columns=DUPLICATE_COLUMNS)
    candidates = all_candidates[all_candidates["probability"] >= MIN_CANDIDATE_PROBABILITY]

    decisions = pd.DataFrame({"feed_id": persons["id"], "agency": persons["agency"]}).merge(
        links[["feed_id", "roll_id", "probability", "decision"]], on="feed_id", how="left"
    )
    decisions["decision"] = decisions["decision"].fillna("tidak_cocok")
    decisions["roll_id"] = decisions["roll_id"].fillna("")
    evidence_columns = [c for c in links.columns if c not in EVIDENCE_SKIP]
    evidence = {f: json.dumps(_plain(e), ensure_ascii=False, sort_keys=True) for f, e in zip(
        links["feed_id"], links[evidence_columns].to_dict("records"))}
    decisions["evidence"] = decisions["feed_id"].map(evidence).fillna("{}")
    return LinkedMonth(links, all_candidates, candidates, decisions, duplicates)


def _plain(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, (np.floating, float)):
            out[key] = None if np.isnan(value) else round(float(value), 4)
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out
