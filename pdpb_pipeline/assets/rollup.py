"""Roll-ups of the published months: a regency's quarter and half-year, and the recaps of a
province and of the nation for a month, a quarter and a half-year (KPU's current cadence: at
least quarterly for regencies, half-yearly for provinces and KPU RI).

Each roll-up is two assets built from one entry of ``ROLLUPS``: ``rekap_*`` (the recap by desa
and sex, ``roll.rollup``, stored in ``rekap_gabungan``) with two blocking checks, and
``publikasi_*`` (the Berita Acara workbook, ``output.publish.publish_rollup``). Partitions are
period x unit: the period is a time dimension (keys are the period's first day; ``2026-01-01`` is
2026-Q1), so Dagster itself maps a quarter onto its three months of ``rekap`` and ``publikasi``;
the unit is the regency, the province (``32``) or the nation (``ID``), each enabled regency
mapped onto its unit (``StaticPartitionMapping``).

A regency's period whose months are not all published is incomplete: nothing is stored or
published, the step records an observation saying which months are missing (``lengkap: false``)
and its checks and publication are skipped. A province or the nation sums only the regencies
whose months are all published and lists the others (metadata and the Kelengkapan sheet),
never counting them as 0; with none complete it is incomplete too.
"""

import warnings
from dataclasses import dataclass

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    BetaWarning,
    DimensionPartitionMapping,
    MaterializeResult,
    MetadataValue,
    MultiPartitionKey,
    MultiPartitionMapping,
    MultiPartitionsDefinition,
    RunRequest,
    ScheduleEvaluationContext,
    StaticPartitionMapping,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    asset,
    asset_check,
    schedule,
)

from .. import __version__ as CODE_VERSION
from ..domain import regions
from ..output.publish import RECAP_TITLE, REGENCY_LEVELS, publish_rollup
from ..output.publish import period as month_text
from ..partitions import GRAINS, Period, build_period, period_start, previous_month
from ..resources.bulan_awal import BulanAwal
from ..resources.settings import Publication
from ..resources.storage.dpb import recap_long
from ..resources.warehouse import Warehouse
from ..roll import rollup
from ..roll.recap import COLUMNS, PB_COLUMNS, TMS_COLUMNS
from .metadata import masked_md
from .roll import REKAP

PUBLIKASI = AssetKey("publikasi")
NATION = "ID"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Rollup:
    """One roll-up: its level (``kabupaten``, ``provinsi``, ``nasional``) and grain (``GRAINS``)."""

    tingkat: str
    grain: str
    #: when its schedule fires (cron, Asia/Jakarta): after the period's last month is due
    cron: str

    @property
    def unit_dimension(self) -> str:
        return {"kabupaten": "regency", "provinsi": "provinsi", "nasional": "negara"}[self.tingkat]

    def _key(self, kind: str) -> AssetKey:
        return AssetKey(f"{kind}_{self.grain}") if self.tingkat == "kabupaten" else AssetKey([f"{kind}_{self.tingkat}",
                                                                                             self.grain])

    @property
    def recap_key(self) -> AssetKey:
        return self._key("rekap")

    @property
    def publish_key(self) -> AssetKey:
        return self._key("publikasi")

    @property
    def job_name(self) -> str:
        return f"pdpb_{self.grain}" if self.tingkat == "kabupaten" else f"pdpb_{self.tingkat}_{self.grain}"

    def unit_of(self, regency: str) -> str:
        return {"kabupaten": regency, "provinsi": regency[:2], "nasional": NATION}[self.tingkat]

    def folder(self, publication: Publication, wilayah: str, period: Period):
        """Where it is published: ``<regency>/<2026-Q1>/``, ``provinsi/<32>/<period>/``, ``nasional/<period>/``."""
        base = publication.path
        if self.tingkat == "kabupaten":
            return base / wilayah / period.label
        if self.tingkat == "provinsi":
            return base / "provinsi" / wilayah / period.label
        return base / "nasional" / period.label

    def tag(self, wilayah: str, period: Period) -> str:
        return {"kabupaten": f"{wilayah}_{period.label}", "provinsi": f"provinsi_{wilayah}_{period.label}",
                "nasional": f"nasional_{period.label}"}[self.tingkat]

    @property
    def levels(self) -> dict[str, str]:
        """The recap's sheets above the desa (``output.publish.publish_rollup``)."""
        if self.tingkat == "kabupaten":
            return REGENCY_LEVELS
        if self.tingkat == "provinsi":
            return {"Provinsi": "seluruh", "Kabupaten": "per_kabupaten", "Kecamatan": "kecamatan"}
        return {"Nasional": "seluruh", "Provinsi": "per_provinsi", "Kabupaten": "per_kabupaten"}


#: Every roll-up. Regencies close a month on the 5th (``pdpb_bulanan_schedule``); their periods
#: are rolled up on the 6th, provinces on the 7th, the nation after them.
ROLLUPS = (
    Rollup("kabupaten", "triwulan", "0 2 6 1,4,7,10 *"),
    Rollup("kabupaten", "semester", "30 2 6 1,7 *"),
    Rollup("provinsi", "bulan", "0 2 7 * *"),
    Rollup("provinsi", "triwulan", "15 2 7 1,4,7,10 *"),
    Rollup("provinsi", "semester", "30 2 7 1,7 *"),
    Rollup("nasional", "bulan", "0 4 7 * *"),
    Rollup("nasional", "triwulan", "15 4 7 1,4,7,10 *"),
    Rollup("nasional", "semester", "30 4 7 1,7 *"),
)


def by_name(tingkat: str, grain: str) -> Rollup:
    return next(r for r in ROLLUPS if r.tingkat == tingkat and r.grain == grain)


def unit_text(tingkat: str, wilayah: str) -> str:
    """How a unit is named in a title: ``KPU KABUPATEN BOGOR (32.01)``, ``KPU PROVINSI JAWA BARAT (32)``."""
    if tingkat == "nasional":
        return "KPU REPUBLIK INDONESIA"
    name = regions.unit_name(wilayah).upper()
    return f"KPU {name} ({wilayah})" if tingkat == "kabupaten" else f"KPU PROVINSI {name} ({wilayah})"


def period_text(period: Period) -> str:
    """``PERIODE TRIWULAN I 2026 (JANUARI - MARET 2026)``, ``PERIODE JANUARI 2026``."""
    if period.grain == "bulan":
        return f"PERIODE {month_text(period.start)}"
    number = int(period.label[-1])
    return (f"PERIODE {GRAINS[period.grain][3]} {ROMAN[number]} {period.start[:4]} "
            f"({month_text(period.months[0]).split()[0]} - {month_text(period.months[-1])})")


def status(warehouse: Warehouse, bulan_awal: BulanAwal, regencies: list[str], period: Period) -> pd.DataFrame:
    """The regencies' standing for the period (``rollup.members``): the months each must have
    published are the period's from its first month on."""
    expected = {r: [m for m in period.months if m >= bulan_awal.of(r)] for r in regencies}
    return rollup.members(expected, warehouse.published_months(regencies, period.months))


def _missing_md(members: pd.DataFrame, limit: int = 50) -> MetadataValue:
    lacking = members[~members["lengkap"]]
    if lacking.empty:
        return MetadataValue.md("(none)")
    table = lacking.head(limit)[["regency", "bulan_kurang"]].to_markdown(index=False)
    more = f"\n\n... and {len(lacking) - limit} more" if len(lacking) > limit else ""
    return masked_md(table + more)


def _figures(values: dict[str, int]) -> dict[str, MetadataValue]:
    return {"sebelumnya": MetadataValue.int(values["sebelumnya"]),
            "pemilih_baru": MetadataValue.int(values["pemilih_baru"]),
            "tms": MetadataValue.int(values["tms"]), "sekarang": MetadataValue.int(values["sekarang"]),
            "rumus": MetadataValue.text(rollup.formula(values))}


def partitions_of(spec: Rollup, regencies: list[str], start_month: str) -> MultiPartitionsDefinition:
    """Period x unit: the grain's periods from the one holding ``start_month``, the units of the enabled regencies."""
    units = sorted({spec.unit_of(r) for r in regencies})
    return MultiPartitionsDefinition({"periode": build_period(spec.grain, start_month),
                                      spec.unit_dimension: StaticPartitionsDefinition(units)})


def _month_mapping(spec: Rollup, regencies: list[str]) -> MultiPartitionMapping:
    """A unit's period depends on the months of the period of each of its regencies."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        return MultiPartitionMapping({
            "month": DimensionPartitionMapping("periode", TimeWindowPartitionMapping()),
            "regency": DimensionPartitionMapping(spec.unit_dimension,
                                                 StaticPartitionMapping({r: spec.unit_of(r) for r in regencies})),
        })


def build_all(regencies: list[str], start_month: str) -> tuple[list, list, dict[Rollup, MultiPartitionsDefinition]]:
    """Every roll-up's assets and checks (over the enabled ``regencies``), and each one's partitions."""
    assets, checks, parts = [], [], {}
    for spec in ROLLUPS:
        parts[spec] = partitions_of(spec, regencies, start_month)
        made = _build(spec, regencies, parts[spec])
        assets += made[:2]
        checks += made[2:]
    return assets, checks, parts


def _build(spec: Rollup, regencies: list[str], partitions_def: MultiPartitionsDefinition) -> list:
    members_of: dict[str, list[str]] = {}
    for regency in regencies:
        members_of.setdefault(spec.unit_of(regency), []).append(regency)
    mapping = _month_mapping(spec, regencies)
    what = {"kabupaten": "the regency", "provinsi": "the province's regencies", "nasional": "every enabled regency"}

    def where(context) -> tuple[str, Period]:
        dims = context.partition_key.keys_by_dimension
        return dims[spec.unit_dimension], Period.from_key(spec.grain, dims["periode"])

    @asset(
        key=spec.recap_key, code_version=CODE_VERSION, partitions_def=partitions_def, group_name="rekap_gabungan",
        deps=[AssetDep(REKAP, partition_mapping=mapping), AssetDep(PUBLIKASI, partition_mapping=mapping)],
        kinds={"sql"}, output_required=False,
        description=f"{GRAINS[spec.grain][3].title()} recap of {what[spec.tingkat]} by desa and sex, from the "
                    "published monthly recaps; incomplete (not stored) while a month is missing",
    )
    def recap_asset(context: AssetExecutionContext, warehouse: Warehouse, bulan_awal: BulanAwal):
        wilayah, period = where(context)
        members = status(warehouse, bulan_awal, members_of[wilayah], period)
        complete = members.loc[members["lengkap"], "regency"].tolist()
        if not complete or (spec.tingkat == "kabupaten" and not members["lengkap"].all()):
            lacking = members.loc[~members["lengkap"]]
            context.log.warning(f"{wilayah} {period.label} is incomplete, not published: "
                                + "; ".join(f"{r.regency}: {r.bulan_kurang or 'no month'}" for r in lacking.head(5).itertuples()))
            yield AssetObservation(asset_key=spec.recap_key, partition=context.partition_key, metadata={
                "periode": MetadataValue.text(period.label), "lengkap": MetadataValue.bool(False),
                "kabupaten_belum_lengkap": MetadataValue.int(len(lacking)), "belum_lengkap": _missing_md(members)})
            return
        months = {r: [m for m in period.months if m >= bulan_awal.of(r)] for r in complete}
        recap_desa = pd.concat([rollup.period_recap(r, warehouse.monthly_recaps(r, months[r])) for r in complete],
                               ignore_index=True)
        warehouse.write_rekap_gabungan(spec.tingkat, wilayah, period.label, recap_long(recap_desa), members,
                                       context.run.run_id)
        yield MaterializeResult(asset_key=spec.recap_key, metadata={
            "periode": MetadataValue.text(period.label), "lengkap": MetadataValue.bool(bool(members["lengkap"].all())),
            "kabupaten_dijumlahkan": MetadataValue.int(len(complete)),
            "kabupaten_belum_lengkap": MetadataValue.int(int((~members["lengkap"]).sum())),
            "belum_lengkap": _missing_md(members), **_figures(rollup.totals(recap_desa))})

    @asset_check(asset=recap_asset, name="rekap_seimbang", blocking=True,
                 description="Every desa and sex: sebelumnya (first month) + Pemilih Baru - TMS = sekarang (last month)")
    def seimbang(context, warehouse: Warehouse) -> AssetCheckResult:
        wilayah, period = where(context)
        stored = warehouse.rekap_gabungan(spec.tingkat, wilayah, period.label)
        off = ((stored["sebelumnya"] + stored["pemilih_baru"] - stored["tms"] != stored["sekarang"])
               | (stored[PB_COLUMNS].sum(axis=1) != stored["pemilih_baru"])
               | (stored[TMS_COLUMNS].sum(axis=1) != stored["tms"]))
        return AssetCheckResult(passed=bool(len(stored)) and not off.any(), severity=AssetCheckSeverity.ERROR,
                                metadata={"sel": len(stored), "sel_tidak_seimbang": int(off.sum())})

    @asset_check(asset=recap_asset, name="sesuai_rekap_bulanan", blocking=True,
                 description="Each regency summed equals its own monthly recaps (first month's sebelumnya, the "
                             "months' movements, last month's sekarang); a regency not complete is not in it")
    def sesuai(context, warehouse: Warehouse, bulan_awal: BulanAwal) -> AssetCheckResult:
        wilayah, period = where(context)
        stored = warehouse.rekap_gabungan(spec.tingkat, wilayah, period.label)
        members = warehouse.rekap_gabungan_anggota(spec.tingkat, wilayah, period.label)
        by_regency = stored.groupby(stored["kode_desa"].str.slice(0, 5))[COLUMNS].sum()
        complete = members.loc[members["lengkap"], "regency"].tolist()
        summed_anyway = sorted(set(by_regency.index) - set(complete))
        wrong = []
        for regency in complete:
            months = [m for m in period.months if m >= bulan_awal.of(regency)]
            expected = rollup.expected_totals(warehouse.monthly_totals(regency, months), months)
            got = by_regency.loc[regency] if regency in by_regency.index else pd.Series(0, index=COLUMNS)
            if not got.reindex(COLUMNS, fill_value=0).astype("int64").equals(expected.reindex(COLUMNS)):
                wrong.append(regency)
        return AssetCheckResult(
            passed=not wrong and not summed_anyway, severity=AssetCheckSeverity.ERROR,
            description=None if not wrong and not summed_anyway else
            f"differs from the monthly recaps: {', '.join(wrong) or '-'}; summed though incomplete: "
            f"{', '.join(summed_anyway) or '-'}",
            metadata={"kabupaten_dijumlahkan": len(complete), "tidak_sesuai": len(wrong),
                      "dijumlahkan_padahal_belum_lengkap": len(summed_anyway)})

    @asset(
        key=spec.publish_key, code_version=CODE_VERSION, partitions_def=partitions_def, group_name="rekap_gabungan",
        deps=[recap_asset], kinds={"xlsx", "csv"},
        description="Published recap (Berita Acara attachment, the monthly recap's layout)"
                    + ("" if spec.tingkat == "kabupaten" else ", with the regencies summed and those missing"),
    )
    def publish_asset(context: AssetExecutionContext, warehouse: Warehouse, publication: Publication
                      ) -> MaterializeResult:
        wilayah, period = where(context)
        recap_desa = warehouse.rekap_gabungan(spec.tingkat, wilayah, period.label)
        members = warehouse.rekap_gabungan_anggota(spec.tingkat, wilayah, period.label)
        lacking = members[~members["lengkap"]]
        title = [RECAP_TITLE, unit_text(spec.tingkat, wilayah), period_text(period)]
        if len(lacking):
            title.append(f"BELUM LENGKAP: {len(lacking)} KABUPATEN/KOTA TIDAK DIJUMLAHKAN (LEMBAR KELENGKAPAN)")
        folder = spec.folder(publication, wilayah, period)
        manifest = publish_rollup(folder, spec.tag(wilayah, period), title, recap_desa, spec.levels,
                                  None if spec.tingkat == "kabupaten" else members)
        files = pd.DataFrame([{"file_name": n, "sha256": v["sha256"], "rows": v["baris"]} for n, v in manifest.items()])
        warehouse.record_publikasi_gabungan(spec.tingkat, wilayah, period.label, files, context.run.run_id)
        return MaterializeResult(metadata={
            "periode": MetadataValue.text(period.label), "folder": MetadataValue.path(str(folder)),
            "rekap": MetadataValue.path(str(folder / f"rekap_{spec.tag(wilayah, period)}.xlsx")),
            "berkas": MetadataValue.int(len(manifest)), "kabupaten_belum_lengkap": MetadataValue.int(len(lacking)),
            "rumus": MetadataValue.text(rollup.formula(rollup.totals(recap_desa)))})

    return [recap_asset, publish_asset, seimbang, sesuai]


def build_schedule(spec: Rollup, job, units: list[str]):
    """One run per unit for the period that ended before the schedule fires."""

    @schedule(name=f"{spec.job_name}_schedule", cron_schedule=spec.cron, job=job, execution_timezone="Asia/Jakarta",
              description=f"The {spec.grain} just ended, one run per {spec.unit_dimension}, after its months are due")
    def _schedule(context: ScheduleEvaluationContext):
        ended = previous_month(context.scheduled_execution_time.strftime("%Y-%m"))
        key = Period(spec.grain, period_start(spec.grain, ended)).key
        for unit in units:
            yield RunRequest(run_key=f"{key}|{unit}",
                             partition_key=MultiPartitionKey({"periode": key, spec.unit_dimension: unit}))

    return _schedule
