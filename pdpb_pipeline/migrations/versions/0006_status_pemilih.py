"""A person's standing as a voter that outlives the month it was reported in: an active TNI/Polri
member (until a retirement or discharge is reported), a court's removal of the right to vote
(until its end date, when the decision gives one).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_pemilih",  # rewritten by the month's roll step, in the roll's transaction
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("jenis", sa.String(16), nullable=False),  # tni_polri | hak_pilih
        sa.Column("aktif", sa.Boolean, nullable=False),  # True: not a voter while it lasts
        sa.Column("berlaku_sampai", sa.Date, nullable=True),
        sa.Column("tanggal_peristiwa", sa.Date, nullable=True),
        sa.Column("peristiwa", sa.String(32), nullable=False),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
    )
    op.create_index("ix_status_pemilih_regency_month", "status_pemilih", ["regency", "month"])
    op.create_index("ix_status_pemilih_regency_nik", "status_pemilih", ["regency", "nik"])


def downgrade() -> None:
    op.drop_table("status_pemilih")
