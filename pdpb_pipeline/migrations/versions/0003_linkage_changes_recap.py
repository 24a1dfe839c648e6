"""Linkage decisions, roll duplicates, proposed and applied changes, recap, publications.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PERSON = [
    ("nik", sa.String(32)), ("nkk", sa.String(32)), ("nama", sa.Text), ("tempat_lahir", sa.Text),
    ("tanggal_lahir", sa.Date), ("jenis_kelamin", sa.String(1)), ("status_kawin", sa.String(1)),
    ("alamat", sa.Text), ("rt", sa.String(8)), ("rw", sa.String(8)), ("kode_desa", sa.String(16)),
]
def _source() -> list[sa.Column]:
    return [
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("feed_id", sa.String(200), nullable=False),
        sa.Column("rule", sa.String(80), nullable=False),
        sa.Column("probability", sa.Float, nullable=True),
    ]


def _partition() -> list[sa.Column]:
    return [sa.Column("regency", sa.String(5), nullable=False), sa.Column("month", sa.String(7), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "link_decision",
        *_partition(),
        sa.Column("feed_id", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("roll_id", sa.String(40), nullable=False),
        sa.Column("probability", sa.Float, nullable=True),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "feed_id"),
    )
    op.create_table(
        "link_candidate",
        *_partition(),
        sa.Column("feed_id", sa.String(200), nullable=False),
        sa.Column("roll_id", sa.String(40), nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("match_weight", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "feed_id", "roll_id"),
    )
    op.create_table(
        "roll_duplicate",
        *_partition(),
        sa.Column("id_a", sa.String(40), nullable=False),
        sa.Column("id_b", sa.String(40), nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("kelas", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "id_a", "id_b"),
    )
    op.create_table(
        "change_proposal",
        *_partition(),
        sa.Column("proposal_id", sa.String(40), nullable=False),
        sa.Column("voter_id", sa.String(40), nullable=False),
        sa.Column("kategori", sa.String(20), nullable=False),
        sa.Column("sub_kategori", sa.String(40), nullable=False),
        *_source(),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("alasan", sa.Text, nullable=False),
        sa.Column("id_antrean", sa.String(40), nullable=False),
        *[sa.Column(name, kind, nullable=name == "tanggal_lahir") for name, kind in PERSON],
        sa.PrimaryKeyConstraint("regency", "month", "proposal_id"),
    )
    op.create_index("ix_change_proposal_status", "change_proposal", ["regency", "status"])
    op.create_table(
        "perubahan",
        *_partition(),
        sa.Column("change_id", sa.String(40), nullable=False),
        sa.Column("voter_id", sa.String(40), nullable=False),
        sa.Column("kategori", sa.String(20), nullable=False),
        sa.Column("sub_kategori", sa.String(40), nullable=False),
        *_source(),
        sa.Column("proposal_id", sa.String(40), nullable=False),
        sa.Column("id_antrean", sa.String(40), nullable=False),
        sa.Column("kode_desa_lama", sa.String(16), nullable=False),
        sa.Column("kode_desa_baru", sa.String(16), nullable=False),
        sa.Column("jenis_kelamin_lama", sa.String(1), nullable=False),
        sa.Column("jenis_kelamin_baru", sa.String(1), nullable=False),
        sa.Column("kolom_berubah", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "change_id"),
    )
    op.create_index("ix_perubahan_voter", "perubahan", ["regency", "voter_id"])
    op.create_table(
        "rekap",
        *_partition(),
        sa.Column("kode_desa", sa.String(16), nullable=False),
        sa.Column("jenis_kelamin", sa.String(3), nullable=False),
        sa.Column("kolom", sa.String(40), nullable=False),
        sa.Column("jumlah", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "kode_desa", "jenis_kelamin", "kolom"),
    )
    op.create_table(
        "publikasi",
        *_partition(),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "file_name"),
    )


def downgrade() -> None:
    op.drop_table("publikasi")
    op.drop_table("rekap")
    op.drop_index("ix_perubahan_voter", "perubahan")
    op.drop_table("perubahan")
    op.drop_index("ix_change_proposal_status", "change_proposal")
    op.drop_table("change_proposal")
    op.drop_table("roll_duplicate")
    op.drop_table("link_candidate")
    op.drop_table("link_decision")
