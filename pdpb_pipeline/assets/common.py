"""Partition mappings shared by the monthly assets."""

from dagster import (
    AssetDep,
    DimensionPartitionMapping,
    IdentityPartitionMapping,
    MultiPartitionMapping,
    MultiToSingleDimensionPartitionMapping,
    TimeWindowPartitionMapping,
)

# Month M of a regency depends on month M-1 of the same regency (the roll it starts from).
PREVIOUS_MONTH = MultiPartitionMapping({
    "month": DimensionPartitionMapping(
        "month", TimeWindowPartitionMapping(start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True)
    ),
    "regency": DimensionPartitionMapping("regency", IdentityPartitionMapping()),
})


def baseline_dep(baseline_asset) -> AssetDep:
    """Every month of a regency depends on its baseline DPT (partitioned by regency only)."""
    return AssetDep(baseline_asset.key, partition_mapping=MultiToSingleDimensionPartitionMapping("regency"))
