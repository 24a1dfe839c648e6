"""The baseline DPT: the last final election list, the roll every regency's PDPB starts from.

Loading it also finds the duplicates (ganda) already in it, in SIDALIH's three classes, once:
the first month's update starts from them, and later months only look at the voters they add.
"""


import pandas as pd
import sqlalchemy as sa
from dagster import (
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    StaticPartitionsDefinition,
    asset,
)

from .. import __version__ as CODE_VERSION
from .. import schema
from ..metadata import count_table, masked_preview
from ..resources.landing import LandingZone, sha256
from ..linkage import LinkConfig, deduplicate
from ..resources.warehouse import Warehouse
from ..roll import store

DUPLICATE_COLUMNS = ["id_a", "id_b", "probability", "decision", "kelas"]


class BaselineError(Exception):
    pass


def load_baseline_file(path) -> pd.DataFrame:
    """Reads a DPT file in the canonical schema; refuses one that cannot be a roll."""
    if not path.is_file():
        raise BaselineError(f"{path}: baseline DPT file not found")
    header = pd.read_csv(path, nrows=0, dtype=str, encoding="utf-8-sig").columns
    missing = [c for c in schema.PERSON_COLUMNS if c not in header]
    if missing:
        raise BaselineError(f"{path}: missing column(s) {', '.join(missing)}")
    frame = schema.read_person_csv(path)
    duplicated = frame["id"].duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().nonzero()[0][0]) + 2
        raise BaselineError(f"{path}, row {row}, field id: voter id {frame['id'][row - 2]!r} repeats")
    return frame


def build(regency_partitions: StaticPartitionsDefinition):
    @asset(
        code_version=CODE_VERSION,
        partitions_def=regency_partitions,
        group_name="dpb",
        description="DPT: the last election's final list for one regency, the starting roll.",
        kinds={"sql", "csv"},
    )
    def dpt_baseline(
        context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone
    ) -> MaterializeResult:
        regency = context.partition_key
        path = landing.baseline_file(regency)
        digest = sha256(path) if path.is_file() else ""
        frame = load_baseline_file(path).sort_values("id", kind="stable").reset_index(drop=True)
        duplicates = deduplicate(frame, LinkConfig()) if len(frame) > 1 else pd.DataFrame(columns=DUPLICATE_COLUMNS)
        with warehouse.begin() as conn:
            token = store.load_baseline(conn, warehouse, regency, frame)
            warehouse.replace("roll_duplicate", {"regency": regency, "month": store.BASELINE},
                              duplicates[DUPLICATE_COLUMNS], conn)
            load = warehouse.table("baseline_load")
            conn.execute(sa.delete(load).where(load.c.regency == regency))
            conn.execute(
                sa.insert(load).values(
                    regency=regency, file_name=str(path), sha256=digest, rows=len(frame), run_id=context.run.run_id
                )
            )
        store.keep_copy(warehouse, regency, store.BASELINE, token, frame)
        desa = frame["kode_desa"]
        return MaterializeResult(
            metadata={
                "pemilih": MetadataValue.int(len(frame)),
                "laki_laki": MetadataValue.int(int((frame["jenis_kelamin"] == "L").sum())),
                "perempuan": MetadataValue.int(int((frame["jenis_kelamin"] == "P").sum())),
                "kecamatan": MetadataValue.int(desa.str.slice(0, 8).nunique()),
                "desa": MetadataValue.int(desa.nunique()),
                "per_kecamatan": count_table(desa.str.slice(0, 8).value_counts().sort_index(), "kecamatan"),
                "berkas": MetadataValue.path(str(path)),
                "sha256": MetadataValue.text(digest),
                "preview": masked_preview(frame),
                "pasangan_ganda": MetadataValue.int(len(duplicates)),
                "ganda_per_kelas": count_table(duplicates.groupby(["kelas", "decision"]).size(), "kelas")
                if len(duplicates) else MetadataValue.md("(none)"),
            },
        )

    return dpt_baseline
