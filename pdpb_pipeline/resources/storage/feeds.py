"""Reads of the feed assets' rows (``feed/<agency>`` -> ``feed_row``) by the monthly steps."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from ...domain import schema
from ...partitions import Partition


class FeedTables:
    def feed_rows(self, part: Partition) -> pd.DataFrame:
        """Every accepted feed row of the partition, in (agency, file, row) order, canonical."""
        table = self.table("feed_row")
        frame = self.read(
            sa.select(table).where(table.c.regency == part.regency, table.c.month == part.month)
            .order_by(table.c.agency, table.c.file_name, table.c.row_number)
        )
        if frame.empty:
            frame = schema.empty_frame(schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
            for name in ("agency", "file_name", "row_number", "nik_status", "peringatan", "extra"):
                frame[name] = pd.Series(dtype=object)
            return frame
        frame = schema.to_canonical(frame, schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
        extra = frame["extra"].map(lambda v: json.loads(v) if v else {})
        for name in ("id_antrean", "hasil"):
            frame[name] = extra.map(lambda d, n=name: d.get(n, ""))
        return frame
