"""Partition mappings shared by the monthly assets."""

import warnings

from dagster import (
    BetaWarning,
    AssetDep,
    DimensionPartitionMapping,
    IdentityPartitionMapping,
    MultiPartitionMapping,
    MultiToSingleDimensionPartitionMapping,
    TimeWindowPartitionMapping,
)

# These mappings are marked beta in Dagster; they are what a month x regency graph needs.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", BetaWarning)
    # Month M of a regency depends on month M-1 of the same regency (the roll it starts from).
    PREVIOUS_MONTH = MultiPartitionMapping({
        "month": DimensionPartitionMapping(
            "month",
            TimeWindowPartitionMapping(start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True),
        ),
        "regency": DimensionPartitionMapping("regency", IdentityPartitionMapping()),
    })
    BY_REGENCY = MultiToSingleDimensionPartitionMapping("regency")


def baseline_dep(baseline_asset) -> AssetDep:
    """Every month of a regency depends on its baseline DPT (partitioned by regency only)."""
    return AssetDep(baseline_asset.key, partition_mapping=BY_REGENCY)
