"""The agency lists (group ``daftar``): one asset per ``daftar.spec.SPECS`` entry, on the
month x regency partitions.

Each asset reads what upstream assets stored for its feeds (feed rows, link decisions, the
month's proposals, the month's roll when the list needs it and the feeds have rows), builds its
parts with the spec's function, stores them (``warehouse.write_daftar``) and reports counts per
part and per group. Its blocking check ``rekonsiliasi_feed`` proves every accepted feed row of
its feeds is in exactly one part (the file's other rows are in the quarantine): a failing list
stops publication.
"""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    asset,
)

from .. import __version__ as CODE_VERSION
from ..daftar.spec import SPECS, DaftarInput, DaftarSpec, counts_per_group, reconcile, shaped
from ..partitions import Partition
from ..resources import regency_lock
from ..resources.settings import Publication
from ..resources.warehouse import Warehouse
from ..roll import eligibility
from .common import PREVIOUS_MONTH
from .linkage import KEPUTUSAN
from .metadata import masked_md

CHECK = "rekonsiliasi_feed"
USULAN = AssetKey("usulan_perubahan")
DPB = AssetKey("dpb")


def inputs(warehouse: Warehouse, spec: DaftarSpec, part: Partition, reference, max_pemilih_tps: int = 300
           ) -> DaftarInput:
    """What ``spec``'s builder reads, from the warehouse: the roll only when needed and the
    feeds have rows this month."""
    feed = warehouse.feed_rows(part, spec.feeds)
    links = warehouse.link_decisions(part)
    links = links[links["feed_id"].isin(feed["id"])]
    proposals = warehouse.change_proposals(part, spec.feeds)
    roll = warehouse.roll_of(part.regency, part.month) if spec.needs_roll and len(feed) else None
    previous = warehouse.daftar(Partition(regency=part.regency, month=part.previous_month), spec) if spec.needs_previous else {}
    extra = spec.extra_inputs(warehouse, part) if spec.extra_inputs is not None else {}
    return DaftarInput(part, reference, feed, links, proposals, roll, previous, extra, max_pemilih_tps)


def build_list(spec: DaftarSpec, inp: DaftarInput) -> dict:
    """The list's parts, shaped to the spec (no rows at all when the feeds have none, unless
    the list keeps state: ``needs_previous``)."""
    if inp.feed.empty and not spec.needs_previous:
        return shaped(spec, {})
    return shaped(spec, spec.build(inp))


def _asset(spec: DaftarSpec, monthly_def: MultiPartitionsDefinition):
    key = AssetKey(spec.key)
    deps = [AssetDep(AssetKey(["feed", agency])) for agency in spec.feeds] + [
        AssetDep(KEPUTUSAN), AssetDep(USULAN), AssetDep(DPB)]
    if spec.needs_previous:  # a list kept as state starts from its own month before
        deps.append(AssetDep(key, partition_mapping=PREVIOUS_MONTH))

    @asset(
        key=key,
        code_version=CODE_VERSION,
        partitions_def=monthly_def,
        group_name="daftar",
        kinds={"sql"},
        deps=deps,
        description=spec.description,
        check_specs=[AssetCheckSpec(CHECK, asset=key, blocking=True,
                                    description="Every accepted row of the feed is in exactly one part of the "
                                                "list (the rest of the file is in the quarantine)")],
    )
    def daftar_asset(context: AssetExecutionContext, warehouse: Warehouse,
                     publication: Publication) -> MaterializeResult:
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
        inp = inputs(warehouse, spec, part, eligibility.reference_date(part.month, publication.day),
                     publication.max_pemilih_tps)
        frames = build_list(spec, inp)
        result = reconcile(spec, inp.feed, frames)
        warehouse.write_daftar(part, spec.name, frames)
        per_group = counts_per_group(spec, frames)
        metadata = {name: MetadataValue.int(len(frame)) for name, frame in frames.items()}
        if spec.figures is not None:
            metadata |= {name: MetadataValue.int(int(value)) for name, value in spec.figures(frames).items()}
        metadata |= {
            "baris_feed": MetadataValue.int(len(inp.feed)),
            "dikarantina": MetadataValue.int(warehouse.quarantined(part, spec.feeds)),
            "per_kelompok": masked_md(per_group.to_markdown(index=False)) if len(per_group)
            else MetadataValue.md("(none)"),
        }
        return MaterializeResult(metadata=metadata, check_results=[AssetCheckResult(
            check_name=CHECK, passed=result.passed, severity=AssetCheckSeverity.ERROR,
            description=result.description(spec),
            metadata={"baris_feed": MetadataValue.int(result.feed_rows), "di_daftar": MetadataValue.int(result.listed),
                      "tidak_di_daftar": MetadataValue.int(len(result.missing)),
                      "lebih_dari_sekali": MetadataValue.int(len(result.twice)),
                      "tanpa_baris_feed": MetadataValue.int(result.unknown)})])

    return daftar_asset


def build(monthly_def: MultiPartitionsDefinition) -> list:
    """One asset per list of ``SPECS``."""
    return [_asset(spec, monthly_def) for spec in SPECS]
