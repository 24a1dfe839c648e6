"""Roll-ups of the monthly recaps (a regency's quarter or half-year, a province, the nation):
their cells, the regencies each covers (complete or missing) and their published files.

``tingkat`` is the level (``kabupaten``, ``provinsi``, ``nasional``), ``wilayah`` the unit
(``32.01``, ``32``, ``ID``), ``periode`` the label (``2026-01``, ``2026-Q1``, ``2026-H1``).

Revision ID: 0012
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _unit() -> list[sa.Column]:
    return [sa.Column("tingkat", sa.String(10), nullable=False), sa.Column("wilayah", sa.String(5), nullable=False),
            sa.Column("periode", sa.String(7), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "rekap_gabungan",  # non-zero cells, long, like ``rekap``
        *_unit(),
        sa.Column("kode_desa", sa.String(16), nullable=False),
        sa.Column("jenis_kelamin", sa.String(1), nullable=False),
        sa.Column("kolom", sa.String(40), nullable=False),
        sa.Column("jumlah", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tingkat", "wilayah", "periode", "kode_desa", "jenis_kelamin", "kolom"),
    )
    op.create_table(
        "rekap_gabungan_anggota",
        *_unit(),
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("lengkap", sa.Boolean, nullable=False),
        sa.Column("bulan_kurang", sa.Text, nullable=False),  # months not published, comma-separated
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tingkat", "wilayah", "periode", "regency"),
    )
    op.create_table(
        "publikasi_gabungan",
        *_unit(),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tingkat", "wilayah", "periode", "file_name"),
    )


def downgrade() -> None:
    op.drop_table("publikasi_gabungan")
    op.drop_table("rekap_gabungan_anggota")
    op.drop_table("rekap_gabungan")
