"""The landing-zone inventory: which agency files arrived for a regency's month.

Registering every file with its checksum is the first link of the audit trail: a published
number leads to a change, the change to an agency row, the row to a file whose bytes are known.
Files that no feed will read (a name that matches no agency, a ``.pdf`` or ``.zip``, a
sub-folder) are listed too, and warned about by the ``berkas_dikenali`` check: nobody is left
thinking a file was read when it was not.
"""


import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    asset,
)

from .. import __version__ as CODE_VERSION
from ..domain.nik import mask_text
from ..partitions import Partition
from ..resources import regency_lock
from ..resources.landing import LandingZone, sha256
from ..resources.warehouse import Warehouse
from ..roll import penarikan


def build(monthly: MultiPartitionsDefinition):
    @asset(
        code_version=CODE_VERSION,
        partitions_def=monthly,
        group_name="landing",
        description="Agency files received for the regency's month, with size and SHA-256.",
        kinds={"sql"},
        check_specs=[AssetCheckSpec(
            "berkas_dikenali", asset="berkas_masuk", blocking=False,
            description="Every file in the month folder is read by some agency feed (its name matches an "
                        "agency and it is CSV/XLSX)")],
    )
    def berkas_masuk(context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone) -> MaterializeResult:
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
        # A re-run of a month with later months published stops here, before it rewrites M's input.
        penarikan.refuse_unless_asked(warehouse, part.regency, part.month, penarikan.asked_in(context.run.run_config))
        files = landing.files(part.regency, part.month)
        inventory = pd.DataFrame(
            {
                "agency": [p.stem.lower() for p in files],
                "file_name": [str(p) for p in files],
                "sha256": [sha256(p) for p in files],
                "size_bytes": [p.stat().st_size for p in files],
                "run_id": context.run.run_id,
            }
        )
        warehouse.replace("landing_file", {"regency": part.regency, "month": part.month}, inventory)
        if not files:
            context.log.warning(f"no agency files for {part.regency} {part.month} in {landing.month_dir(part.regency, part.month)}")
        unknown = landing.unknown_files(part.regency, part.month)
        unknown_text = mask_text("; ".join(map(str, unknown)))  # a scanned KTP may be named by its NIK
        if unknown:
            context.log.warning(f"{part.regency} {part.month}: {len(unknown)} berkas tidak dikenali, tidak dibaca: {unknown_text}")
        table = inventory.assign(file_name=[p.name for p in files])[["agency", "file_name", "size_bytes", "sha256"]]
        return MaterializeResult(
            metadata={
                "berkas": MetadataValue.int(len(files)),
                "instansi": MetadataValue.text(", ".join(inventory["agency"]) or "-"),
                "daftar_berkas": MetadataValue.md(table.to_markdown(index=False) if files else "(none)"),
                "tidak_dikenali": MetadataValue.int(len(unknown)),
                "daftar_tidak_dikenali": MetadataValue.json([{"berkas": mask_text(u.name), "alasan": u.why} for u in unknown]),
                "folder": MetadataValue.path(str(landing.month_dir(part.regency, part.month))),
            },
            check_results=[AssetCheckResult(
                check_name="berkas_dikenali", passed=not unknown, severity=AssetCheckSeverity.WARN,
                description=(f"{len(unknown)} berkas tidak dibaca oleh feed mana pun: {unknown_text}" if unknown
                             else "every file in the month folder is read by an agency feed"),
                metadata={"tidak_dikenali": MetadataValue.int(len(unknown))},
            )],
        )

    return berkas_masuk
