"""The landing-zone inventory: which agency files arrived for a regency's month.

Registering every file with its checksum is the first link of the audit trail: a published
number leads to a change, the change to an agency row, the row to a file whose bytes are known.
"""


import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, MultiPartitionsDefinition, asset

from .. import __version__ as CODE_VERSION
from ..partitions import Partition
from ..resources import regency_lock
from ..resources.landing import LandingZone, sha256
from ..resources.warehouse import Warehouse


def build(monthly: MultiPartitionsDefinition):
    @asset(
        code_version=CODE_VERSION,
        partitions_def=monthly,
        group_name="landing",
        description="Agency files received for the regency's month, with size and SHA-256.",
        kinds={"sql"},
    )
    def berkas_masuk(context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone) -> MaterializeResult:
        part = Partition.from_key(context.partition_key)
        regency_lock.step(context, warehouse, part.regency)
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
        table = inventory.assign(file_name=[p.name for p in files])[["agency", "file_name", "size_bytes", "sha256"]]
        return MaterializeResult(
            metadata={
                "berkas": MetadataValue.int(len(files)),
                "instansi": MetadataValue.text(", ".join(inventory["agency"]) or "-"),
                "daftar_berkas": MetadataValue.md(table.to_markdown(index=False) if files else "(none)"),
                "folder": MetadataValue.path(str(landing.month_dir(part.regency, part.month))),
            }
        )

    return berkas_masuk
