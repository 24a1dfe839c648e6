"""``pdpb status``: where each month of a regency stands, from its first month to the last
complete month. Counts and ids only, never personal data."""

from __future__ import annotations

import sqlalchemy as sa

from ..resources.warehouse import Warehouse
from ..roll import penarikan
from .runner import month_range


def month_lines(warehouse: Warehouse, regency: str, first: str, last: str) -> list[str]:
    """One line per month: published (voters, run id), withdrawn (when, act id) or pending."""
    ledger = warehouse.table("dpb_bulan")
    published = warehouse.read(
        sa.select(ledger.c.month, ledger.c.pemilih, ledger.c.run_id).where(ledger.c.regency == regency)
    ).set_index("month")
    withdrawn = penarikan.withdrawals(warehouse, regency).groupby("month").last()
    lines = []
    for month in month_range(first, last) if first <= last else []:
        if month in published.index:
            row = published.loc[month]
            line = f"{month}  published  pemilih={int(row['pemilih']):,}  run {row['run_id']}"
            if month in withdrawn.index:
                line += f"  (withdrawn once, act {withdrawn.loc[month, 'act_id']})"
        elif month in withdrawn.index:
            row = withdrawn.loc[month]
            line = (f"{month}  withdrawn  {row['withdrawn_at']}  act {row['act_id']}"
                    f"  (re-run of {row['triggered_by']}); run it again")
        else:
            line = f"{month}  pending"
        lines.append(line)
    return lines
