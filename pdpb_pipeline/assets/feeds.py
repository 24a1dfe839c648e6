"""One software-defined asset per agency feed, all built from the spec table.

Each asset reads its agency's files of the partition, writes the usable rows (canonical
schema) and the quarantine to the warehouse in one transaction, and reports two kinds of
checks: structural ones computed by the ingest (blocking: an unreadable file, a missing
required column, too many unusable rows, or rows not accounted for stop the partition before
the roll changes), and the feed's GX expectation suite from ``expectations/``.
"""

import json

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    asset,
)

from .. import __version__ as CODE_VERSION
from ..feeds import expectations
from ..feeds.ingest import HARMLESS, REASONS, FeedResult, ingest, month_end
from ..feeds.spec import AGENCIES, AgencySpec, agency_of
from .metadata import count_table, masked_preview
from ..domain.nik import mask_text
from ..partitions import Partition
from ..resources import regency_lock
from ..resources.landing import LandingZone
from ..resources.settings import FeedLimits
from ..resources.warehouse import Warehouse

STRUCTURAL = {
    "berkas_terbaca": "Every file of the agency for this month can be read as CSV or XLSX",
    "kolom_wajib_ada": "Every file has the columns this feed requires",
    "porsi_karantina": "The share of unusable rows is within PDPB_MAX_QUARANTINE_SHARE",
    "baris_lengkap": "Rows in = rows accepted + rows quarantined (nothing lost)",
    "berkas_tidak_kosong": "No file of the agency is empty (berkas kosong: zero bytes or only blanks); "
                           "no file at all this month is not an empty file",
}
#: Structural checks that warn and do not stop the partition.
WARN_ONLY = ("berkas_tidak_kosong",)


def feed_key(spec: AgencySpec) -> AssetKey:
    return AssetKey(["feed", spec.key])


def structural_checks(spec: AgencySpec, result: FeedResult, max_share: float) -> list[AssetCheckResult]:
    key = feed_key(spec)
    unreadable = [f for f in result.files if f.unreadable]
    missing = [f for f in result.files if f.missing_columns]
    empty = [f for f in result.files if f.empty]
    accounted = result.accepted + result.quarantined_rows
    # file names and messages pass through mask_text: a scanned KTP may be named by its NIK
    unreadable_text = mask_text("; ".join(f"{f.file_name}: {f.unreadable}" for f in unreadable))
    missing_text = mask_text("; ".join(
        f"{f.file_name}: kolom tidak ada: {', '.join(f.missing_columns)}" for f in missing))
    empty_text = mask_text("; ".join(f"{f.file_name}: berkas kosong ({f.size_bytes:,} byte)" for f in empty))

    def check(name, passed, failure="", **metadata):
        return AssetCheckResult(
            asset_key=key, check_name=name, passed=bool(passed),
            severity=AssetCheckSeverity.WARN if name in WARN_ONLY else AssetCheckSeverity.ERROR,
            description=STRUCTURAL[name] if passed or not failure else failure, metadata=metadata,
        )

    share = round(result.unusable_share, 4)
    q = result.quarantine
    unusable = q[(q["row_number"] > 0) & ~q["reason"].isin(HARMLESS)]["file_name"].value_counts() if len(q) else {}
    share_text = mask_text("; ".join(
        f"{f.file_name}: {int(unusable.get(f.file_name, 0))} dari {f.rows_in} baris tidak dapat dipakai"
        for f in result.files if f.rows_in)) + (
        f" ({share:.1%} dari semua baris, batas {max_share:.0%}, PDPB_MAX_QUARANTINE_SHARE)")
    return [
        check("berkas_terbaca", not unreadable, unreadable_text, berkas_gagal=MetadataValue.text(unreadable_text or "-")),
        check("kolom_wajib_ada", not missing, missing_text, kolom_hilang=MetadataValue.text(missing_text or "-")),
        check("porsi_karantina", result.unusable_share <= max_share,
              share_text,
              porsi=MetadataValue.float(share), batas=MetadataValue.float(max_share)),
        check("baris_lengkap", accounted == result.rows_in,
              f"baris masuk {result.rows_in} != diterima {result.accepted} + dikarantina {result.quarantined_rows}",
              baris_masuk=MetadataValue.int(result.rows_in), diterima=MetadataValue.int(result.accepted),
              dikarantina=MetadataValue.int(result.quarantined_rows)),
        check("berkas_tidak_kosong", not empty, empty_text,
              berkas_kosong=MetadataValue.text(empty_text or "-"),
              berkas=MetadataValue.int(len(result.files))),
    ]


def validation_frame(rows: pd.DataFrame, month: str) -> pd.DataFrame:
    """The accepted rows as the GX suites see them: plus ``umur`` (age at the month's end)."""
    end = pd.Timestamp(month_end(month))
    frame = rows.copy()
    frame["umur"] = (end - pd.to_datetime(frame["tanggal_lahir"])).dt.days / 365.25
    return frame


def warehouse_rows(spec: AgencySpec, rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.drop(columns=list(spec.extra_fields))
    if spec.extra_fields:
        out["extra"] = [json.dumps(dict(zip(spec.extra_fields, v)), ensure_ascii=False)
                        for v in rows[list(spec.extra_fields)].itertuples(index=False)]
    else:
        out["extra"] = "{}"
    return out


def build_feed(spec: AgencySpec, monthly: MultiPartitionsDefinition, landing_asset,
               suites_dir: str = "") -> AssetsDefinition:
    """The feed asset of ``spec``; its checks are the structural ones and one per expectation of
    its suite in ``suites_dir`` (empty: the suites shipped in the package)."""
    key = feed_key(spec)
    suite = expectations.load_suite(spec.key, suites_dir or None)
    checks = [AssetCheckSpec(name, asset=key, description=text, blocking=name not in WARN_ONLY)
              for name, text in STRUCTURAL.items()]
    checks += expectations.check_specs(key, suite)

    @asset(
        code_version=CODE_VERSION,
        key=key,
        partitions_def=monthly,
        group_name=spec.group,
        deps=[landing_asset],
        check_specs=checks,
        description=f"{spec.name}: the month's rows in the canonical schema; unusable rows quarantined with reasons.",
        kinds={"pandas", "sql"},
        metadata={"instansi": spec.name, "peristiwa": ", ".join(spec.event_types)},
    )
    def _feed(context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone,
              feed_limits: FeedLimits) -> MaterializeResult:
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
        files = [p for p in landing.files(part.regency, part.month) if agency_of(p.stem) is spec]
        result = ingest(spec, files, part.regency, part.month, feed_limits.read_limits())
        where = {"regency": part.regency, "month": part.month, "agency": spec.key}
        with warehouse.begin() as conn:
            warehouse.replace("feed_row", where, warehouse_rows(spec, result.rows), conn)
            warehouse.replace("quarantine", where, result.quarantine, conn)
        results = structural_checks(spec, result, feed_limits.max_quarantine_share)
        results += expectations.validate(key, suite, validation_frame(result.rows, part.month))
        for failed in (r for r in results if not r.passed):
            context.log.warning(f"{spec.key} {part.regency} {part.month}: check {failed.check_name} failed: "
                                f"{failed.description}")
        return MaterializeResult(metadata=_metadata(result, files), check_results=results)

    return _feed


def _metadata(result: FeedResult, files) -> dict:
    rows = result.rows
    reasons = result.quarantine["reason"].value_counts()
    warnings = rows["peringatan"].str.split(";").explode()
    warnings = warnings[warnings.fillna("") != ""].value_counts()
    valid = float((rows["nik_status"] == "valid").mean()) if len(rows) else 0.0
    return {
        "berkas": MetadataValue.int(len(files)),
        "baris_masuk": MetadataValue.int(result.rows_in),
        "diterima": MetadataValue.int(result.accepted),
        "dikarantina": MetadataValue.int(result.quarantined_rows),
        "porsi_nik_sah": MetadataValue.float(round(valid, 4)),
        "karantina_per_alasan": count_table(
            reasons.rename(index=lambda r: f"{r} ({REASONS.get(r, '')})"), "alasan"
        ) if len(reasons) else MetadataValue.md("(none)"),
        "peristiwa": count_table(rows["jenis_peristiwa"].value_counts(), "jenis_peristiwa")
        if len(rows) else MetadataValue.md("(none)"),
        "peringatan": count_table(warnings, "peringatan") if len(warnings) else MetadataValue.md("(none)"),
        "daftar_berkas": MetadataValue.md(mask_text(  # a header row that is data, a file named by a NIK
            pd.DataFrame([vars(f) for f in result.files]).drop(columns=["agency"]).to_markdown(index=False)
            if result.files else "(no file this month)"
        )),
        "preview": masked_preview(rows),
    }


def build_all(monthly: MultiPartitionsDefinition, landing_asset, suites_dir: str = "") -> list[AssetsDefinition]:
    return [build_feed(spec, monthly, landing_asset, suites_dir) for spec in AGENCIES]
