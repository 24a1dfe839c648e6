"""The month's roll (DPB): proposals, review queue, applied changes, the roll and its recap.

One step reads the previous roll once and records five assets in one transaction: the
proposed changes, the review queue (coktas), the roll of the month (versions), the change list
with provenance, and the recap by desa and sex. Blocking checks on the recap prove it
reconciles and that the roll has no duplicate NIK and nobody ineligible, before anything is
published.
"""

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    asset,
    multi_asset,
)

from .. import __version__ as CODE_VERSION
from .metadata import count_table
from ..partitions import Partition
from ..daftar.spec import SPECS
from ..output import audit
from ..output.publish import publish
from ..resources import regency_lock
from ..resources.bulan_awal import BulanAwal
from ..resources.warehouse import Warehouse
from ..roll import eligibility, mutu, proposal, recap, store
from ..roll.antrean import queue_frame, reason_codes
from ..roll import status as standing
from ..roll.apply import apply
from ..resources.settings import Publication
from .common import PREVIOUS_MONTH, baseline_dep
from .linkage import GANDA, KEPUTUSAN

USULAN = AssetKey("usulan_perubahan")
ANTREAN = AssetKey("antrean_coktas")
DPB = AssetKey("dpb")
PERUBAHAN = AssetKey("perubahan")
REKAP = AssetKey("rekap")

RECAP_CHECKS = {
    "rekap_seimbang": "Every desa and sex: previous + Pemilih Baru - TMS = current",
    "nik_tunggal": "No NIK twice on the roll (pairs waiting in the review queue excepted)",
    "semua_memenuhi_syarat": "Nobody on the roll is under 17 and unmarried on the reference day "
                             "(voters in the review queue excepted)",
}


def recap_checks(recap_desa: pd.DataFrame, roll: pd.DataFrame, queued_ids: set[str], reference) -> list[AssetCheckResult]:
    unbalanced = recap_desa[recap_desa["selisih"] != 0]
    # A placeholder (3333333333333333, serial 0000) or a malformed NIK names nobody: it is a data
    # fault, not a duplicate (the same rule as the roll's own ganda rules). Whether a NIK counts
    # depends on the NIK alone, so only those that stand twice are tested.
    twice = roll.loc[eligibility.stands_twice(roll["nik"]), ["id", "nik"]]
    repeated = twice[eligibility.usable_nik(twice["nik"])]
    waiting = repeated["id"].isin(queued_ids).groupby(repeated["nik"]).any()
    unexplained = int((~waiting).sum()) if len(waiting) else 0
    ineligible = roll[eligibility.under_age(roll, reference).to_numpy()]
    underage = ineligible[~ineligible["id"].isin(queued_ids)]

    def check(name, passed, **metadata):
        return AssetCheckResult(asset_key=REKAP, check_name=name, passed=bool(passed),
                                severity=AssetCheckSeverity.ERROR, description=RECAP_CHECKS[name], metadata=metadata)

    return [
        check("rekap_seimbang", unbalanced.empty, sel_tidak_seimbang=MetadataValue.int(len(unbalanced)),
              sel=MetadataValue.int(len(recap_desa))),
        check("nik_tunggal", unexplained == 0, nik_ganda_tanpa_antrean=MetadataValue.int(unexplained),
              nik_ganda_dalam_antrean=MetadataValue.int(int(waiting.sum()) if len(waiting) else 0)),
        check("semua_memenuhi_syarat", underage.empty, tidak_memenuhi_syarat=MetadataValue.int(len(underage)),
              dalam_antrean=MetadataValue.int(len(ineligible) - len(underage))),
    ]


class PemutakhiranConfig(Config):
    """Run config of ``pemutakhiran_dpb``."""

    #: Re-running a month withdraws every later published month (``pdpb run --rewind``); without
    #: it such a re-run is refused before anything changes.
    tarik_bulan_berikutnya: bool = False


def build(monthly_def: MultiPartitionsDefinition, feed_assets, baseline_asset, daftar_assets=()):
    coktas_feed = next(a for a in feed_assets if a.key == AssetKey(["feed", "coktas"]))

    @multi_asset(
        name="pemutakhiran_dpb",
        partitions_def=monthly_def,
        specs=[
            AssetSpec(USULAN, code_version=CODE_VERSION, group_name="dpb", kinds={"sql"},
                      description="Every change the month's evidence suggests: applied, queued or no change",
                      deps=[AssetDep(KEPUTUSAN), AssetDep(GANDA), AssetDep(coktas_feed.key),
                            baseline_dep(baseline_asset)]),
            AssetSpec(ANTREAN, code_version=CODE_VERSION, group_name="dpb", kinds={"sql"}, deps=[USULAN],
                      description="Review queue for the door-to-door check (coktas): this month's and still open"),
            AssetSpec(PERUBAHAN, code_version=CODE_VERSION, group_name="dpb", kinds={"sql"}, deps=[USULAN],
                      description="One row per applied change, with agency, file, row, rule and score"),
            AssetSpec(DPB, code_version=CODE_VERSION, group_name="dpb", kinds={"sql"},
                      deps=[AssetDep(PERUBAHAN), AssetDep(DPB, partition_mapping=PREVIOUS_MONTH)],
                      description="The roll (DPB) of the month: the previous roll plus applied changes"),
            AssetSpec(REKAP, code_version=CODE_VERSION, group_name="dpb", kinds={"sql"}, deps=[DPB, PERUBAHAN],
                      description="Recap by desa and sex with the month's movements (Pemilih Baru, TMS, Ubah data)"),
        ],
        check_specs=[AssetCheckSpec(name, asset=REKAP, description=text, blocking=True)
                     for name, text in RECAP_CHECKS.items()],
    )
    def pemutakhiran_dpb(context: AssetExecutionContext, config: PemutakhiranConfig, warehouse: Warehouse,
                         bulan_awal: BulanAwal, publication: Publication):
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
        start = warehouse.previous_roll_month(part.regency, part.month, bulan_awal.of(part.regency))
        warehouse.refuse_rewind_unless_asked(part, config.tarik_bulan_berikutnya)
        reference = eligibility.reference_date(part.month, publication.day)
        previous = warehouse.previous_roll(part, start)
        feed = warehouse.feed_rows(part)
        links = warehouse.link_decisions(part)
        duplicates = warehouse.roll_duplicates(part.regency, part.month)
        earlier = warehouse.open_queue(part, start)
        evidence = warehouse.ganda_evidence(part, duplicates)
        marks = standing.month_rows(feed, standing.linked_niks(feed, links, previous))
        now = standing.standing(warehouse.standing_before(part), marks, part.month)
        proposals = proposal.propose(part.regency, part.month, reference, feed, links, previous, duplicates, earlier,
                                  evidence, now)
        applied = apply(part.regency, part.month, previous, proposals)
        recap_desa = recap.recap_by_desa(part.regency, previous, applied.roll, applied.changes)
        answered = set(proposals.loc[proposals["id_antrean"] != "", "id_antrean"])
        queue = queue_frame(proposals, earlier, part.month, answered)

        warehouse.write_pemutakhiran(part, context.run.run_id, publication.path, applied, proposals, queue,
                                     recap_desa, marks)

        status = proposals["status"].value_counts()
        totals = recap_desa[recap.COLUMNS].sum()
        yield MaterializeResult(asset_key=USULAN, metadata={
            "usulan": MetadataValue.int(len(proposals)),
            "diterapkan": MetadataValue.int(int(status.get(proposal.APPLIED, 0))),
            "antrean": MetadataValue.int(int(status.get(proposal.QUEUED, 0))),
            "tanpa_perubahan": MetadataValue.int(int(status.get(proposal.NO_CHANGE, 0))),
            "per_aturan": count_table(proposals.groupby(["rule", "status"]).size(), "aturan")
            if len(proposals) else MetadataValue.md("(none)"),
        })
        yield MaterializeResult(asset_key=ANTREAN, metadata={
            "antrean": MetadataValue.int(len(queue)),
            "dari_bulan_ini": MetadataValue.int(int((queue["bulan_usulan"] == part.month).sum())),
            "per_alasan": count_table(reason_codes(queue["alasan"]).value_counts(), "alasan")
            if len(queue) else MetadataValue.md("(none)"),
        })
        yield MaterializeResult(asset_key=PERUBAHAN, metadata={
            "perubahan": MetadataValue.int(len(applied.changes)),
            "per_kategori": count_table(applied.changes.groupby(["kategori", "sub_kategori"]).size(), "kategori")
            if len(applied.changes) else MetadataValue.md("(none)"),
            "per_instansi": count_table(applied.changes["agency"].value_counts(), "instansi")
            if len(applied.changes) else MetadataValue.md("(none)"),
        })
        sexes = applied.roll["jenis_kelamin"].value_counts()  # (one pass over the roll)
        yield MaterializeResult(asset_key=DPB, metadata={
            "pemilih": MetadataValue.int(len(applied.roll)),
            "laki_laki": MetadataValue.int(int(sexes.get("L", 0))),
            "perempuan": MetadataValue.int(int(sexes.get("P", 0))),
            "dpb_sebelumnya": MetadataValue.text(start if start != store.BASELINE else "DPT awal"),
            "versi_baru": MetadataValue.int(len(applied.versions)),
            "versi_ditutup": MetadataValue.int(len(applied.removed)),
        })
        queued_ids = set(queue["voter_id"])
        yield MaterializeResult(
            asset_key=REKAP,
            metadata={
                "sebelumnya": MetadataValue.int(int(totals["sebelumnya"])),
                "pemilih_baru": MetadataValue.int(int(totals["pemilih_baru"])),
                "tms": MetadataValue.int(int(totals["tms"])),
                "sekarang": MetadataValue.int(int(totals["sekarang"])),
                "rumus": MetadataValue.text(
                    f"{int(totals['sebelumnya']):,} + {int(totals['pemilih_baru']):,} - {int(totals['tms']):,} "
                    f"= {int(totals['sekarang']):,}"),
            },
            check_results=recap_checks(recap_desa, applied.roll, queued_ids, reference),
        )

    @asset(
        code_version=CODE_VERSION,
        name="publikasi",
        partitions_def=monthly_def,
        group_name="dpb",
        deps=[AssetDep(REKAP), AssetDep(DPB), AssetDep(PERUBAHAN), AssetDep(ANTREAN),
              *(AssetDep(a.key) for a in daftar_assets)],
        kinds={"xlsx", "csv", "html"},
        description="Published files: recap (Berita Acara attachment), roll per kecamatan, changes, review queue, "
                    "the agency lists (daftar), the audit page (audit/index.html); quality figures (mutu) in the "
                    "manifest and as metadata",
    )
    def publikasi(context: AssetExecutionContext, warehouse: Warehouse, publication: Publication) -> MaterializeResult:
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
        roll = warehouse.roll_of(part.regency, part.month)
        recap_desa = warehouse.rekap(part)
        changes = warehouse.perubahan(part)
        queue = warehouse.antrean_coktas(part)
        lists = [(spec, warehouse.daftar(part, spec)) for spec in SPECS]
        folder = publication.path / part.regency / part.month
        reference = eligibility.reference_date(part.month, publication.day)
        figures = quality_figures(warehouse, publication, part, roll, queue)
        # The files are in place, whole, when publish returns: only then is the publication recorded.
        sources = audit.Sources(warehouse.link_evidence(part), warehouse.closed_niks(part))
        manifest = publish(folder, part.regency, part.month, reference, roll, recap_desa, changes, queue, lists,
                           figures, sources)
        rows = pd.DataFrame([{"file_name": name, "sha256": v["sha256"], "rows": v["baris"]} for name, v in manifest.items()])
        warehouse.record_publication(part, rows, len(roll), context.run.run_id)
        warehouse.wait_for_copies()  # the roll's columnar copy, written meanwhile, is on disk
        totals = recap_desa[recap.COLUMNS].sum()
        return MaterializeResult(metadata={
            "folder": MetadataValue.path(str(folder)),
            "rekap": MetadataValue.path(str(folder / f"rekap_{part.regency}_{part.month}.xlsx")),
            "audit": MetadataValue.path(str(folder / audit.PAGE)),
            "berkas": MetadataValue.int(len(manifest)),
            "pemilih": MetadataValue.int(len(roll)),
            "rumus": MetadataValue.text(
                f"{int(totals['sebelumnya']):,} + {int(totals['pemilih_baru']):,} - {int(totals['tms']):,} "
                f"= {int(totals['sekarang']):,}"),
            "manifest": MetadataValue.md(rows.to_markdown(index=False)),
            **quality_metadata(figures),
        })

    return [pemutakhiran_dpb, publikasi]


def quality_figures(warehouse: Warehouse, publication: Publication, part: Partition, roll: pd.DataFrame,
                    queue: pd.DataFrame) -> dict:
    """The month's quality figures (``roll.mutu``) from the roll and queue publication read and
    what the upstream steps stored: the month's duplicate pairs, linkage decisions and deaths;
    coverage only when ``PDPB_POPULATION_PROJECTION`` names a file."""
    eligible = (mutu.projection(publication.population_projection.strip(), part.regency, int(part.month[:4]))
                if publication.population_projection.strip() else None)
    return mutu.figures(part.month, roll["nik"], warehouse.roll_duplicates(part.regency, part.month), queue,
                        warehouse.death_dates(part), warehouse.link_counts(part), eligible)


def quality_metadata(figures: dict) -> dict[str, MetadataValue]:
    """The figures as Dagster metadata under their own keys (numbers Dagster plots over the
    partitions): whole counts as ints, shares, ages and lags as floats."""
    return {key: MetadataValue.int(value) if isinstance(value, int) else MetadataValue.float(float(value))
            for key, value in figures.items()}

