"""Reads of the feed assets' rows (``feed/<agency>`` -> ``feed_row``) by the monthly steps."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from ...domain import schema
from ...partitions import Partition


class FeedTables:
    def feed_rows(self, part: Partition, agencies: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Every accepted feed row of the partition (of ``agencies`` only, when given), in
        (agency, file, row) order, canonical; with ``agencies``, their extra fields
        (``extra_fields``) as columns."""
        table = self.table("feed_row")
        query = sa.select(table).where(table.c.regency == part.regency, table.c.month == part.month)
        if agencies is not None:
            query = query.where(table.c.agency.in_(agencies))
        frame = self.read(query.order_by(table.c.agency, table.c.file_name, table.c.row_number))
        if frame.empty:
            frame = schema.empty_frame(schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
            for name in ("agency", "file_name", "row_number", "nik_status", "peringatan", "extra"):
                frame[name] = pd.Series(dtype=object)
            return frame
        frame = schema.to_canonical(frame, schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
        extra = frame["extra"].map(lambda v: json.loads(v) if v else {})
        # (a list's reads, ``agencies`` given, take every extra field; the monthly steps two)
        names = dict.fromkeys(["id_antrean", "hasil", *(k for d in extra for k in d if agencies is not None)])
        for name in names:
            frame[name] = extra.map(lambda d, n=name: d.get(n, ""))
        return frame
