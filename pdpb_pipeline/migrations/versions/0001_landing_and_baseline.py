"""Landing-zone inventory and the baseline DPT.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _person_columns() -> list[sa.Column]:
    return [
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
    ]


def upgrade() -> None:
    op.create_table(
        "landing_file",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "file_name"),
    )
    op.create_table(
        "dpt_baseline",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        *_person_columns(),
        sa.PrimaryKeyConstraint("regency", "id"),
    )
    op.create_table(
        "baseline_load",
        sa.Column("regency", sa.String(5), primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("baseline_load")
    op.drop_table("dpt_baseline")
    op.drop_table("landing_file")
