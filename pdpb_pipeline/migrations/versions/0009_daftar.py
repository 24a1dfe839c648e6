"""The monthly agency lists (``daftar/<name>`` assets): one table for every list, a row per
list row, its columns as JSON (each list has its own columns, declared in ``daftar.spec``; a
new list needs no new table).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daftar_baris",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("daftar", sa.String(40), nullable=False),  # the list (``DaftarSpec.name``)
        sa.Column("bagian", sa.String(40), nullable=False),  # its part (``Bagian.name``)
        sa.Column("urutan", sa.Integer, nullable=False),  # the row's place in the part
        sa.Column("feed_id", sa.String(200), nullable=False),  # the feed row it comes from ('' for none)
        sa.Column("isi", sa.Text, nullable=False),  # the row's columns, JSON
        sa.PrimaryKeyConstraint("regency", "month", "daftar", "bagian", "urutan"),
    )


def downgrade() -> None:
    op.drop_table("daftar_baris")
