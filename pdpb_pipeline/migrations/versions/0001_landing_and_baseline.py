"""Landing-zone inventory and the roll (DPB), which starts as the baseline DPT.

The roll keeps every version of a voter record: ``valid_from`` is the month a version took
effect (``0000-00`` for the baseline DPT), ``valid_to`` the month it stopped (NULL: current).
The roll as of month M is every row with valid_from <= M and (valid_to is NULL or > M).

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
        "dpb",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("valid_from", sa.String(7), nullable=False),
        sa.Column("valid_to", sa.String(7), nullable=True),
        *_person_columns(),
        sa.PrimaryKeyConstraint("regency", "id", "valid_from"),
    )
    op.create_index("ix_dpb_valid_to", "dpb", ["regency", "valid_to"])
    op.create_table(
        "dpb_bulan",  # the months closed (published) for each regency
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("pemilih", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("regency", "month"),
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
    op.drop_table("dpb_bulan")
    op.drop_index("ix_dpb_valid_to", "dpb")
    op.drop_table("dpb")
    op.drop_table("landing_file")
