"""Agency feed rows in the canonical schema, and the quarantine of rows that cannot be used.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_row",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("nik", sa.String(32), nullable=False),
        sa.Column("nkk", sa.String(32), nullable=False),
        sa.Column("nama", sa.Text, nullable=False),
        sa.Column("tempat_lahir", sa.Text, nullable=False),
        sa.Column("tanggal_lahir", sa.Date, nullable=True),
        sa.Column("jenis_kelamin", sa.String(1), nullable=False),
        sa.Column("status_kawin", sa.String(1), nullable=False),
        sa.Column("alamat", sa.Text, nullable=False),
        sa.Column("rt", sa.String(8), nullable=False),
        sa.Column("rw", sa.String(8), nullable=False),
        sa.Column("kode_desa", sa.String(16), nullable=False),
        sa.Column("jenis_peristiwa", sa.String(40), nullable=False),
        sa.Column("tanggal_peristiwa", sa.Date, nullable=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("nik_status", sa.String(40), nullable=False),
        sa.Column("peringatan", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "agency", "id"),
    )
    op.create_table(
        "quarantine",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("isi_baris", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "agency", "file_name", "row_number"),
    )
    op.create_index("ix_quarantine_partition", "quarantine", ["regency", "month"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_partition", "quarantine")
    op.drop_table("quarantine")
    op.drop_table("feed_row")
