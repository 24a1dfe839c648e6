"""Each regency's first month (bulan awal): the month whose roll starts from the baseline DPT.

A Dagster resource so that the monthly steps and ``pdpb run`` read the same answer from the
definitions (``PDPB_START_MONTH``, overridden per regency by ``PDPB_REGENCY_START_MONTHS``).
"""

from __future__ import annotations

from dagster import ConfigurableResource


class BulanAwal(ConfigurableResource):
    #: ``PDPB_START_MONTH``: the first month of every regency not named in ``per_regency``.
    default: str
    #: ``PDPB_REGENCY_START_MONTHS``: regency -> its own first month.
    per_regency: dict[str, str] = {}

    def of(self, regency: str) -> str:
        return self.per_regency.get(regency, self.default)
