"""The review queue (antrean coktas) of each month as its own table, written by the roll step
in the same transaction as the month's proposals, read by publication and by the next month.

Months updated before this revision get their queue from the proposals as the roll step built
it: the month's queued proposals and the earlier months' queued ones not answered by a coktas
row up to that month (``roll.antrean.queue_frame``).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PERSON = [
    ("nik", sa.String(32)), ("nkk", sa.String(32)), ("nama", sa.Text), ("tempat_lahir", sa.Text),
    ("tanggal_lahir", sa.Date), ("jenis_kelamin", sa.String(1)), ("status_kawin", sa.String(1)),
    ("alamat", sa.Text), ("rt", sa.String(8)), ("rw", sa.String(8)), ("kode_desa", sa.String(16)),
]
COPIED = ["voter_id", "kategori", "sub_kategori", "alasan", "agency", "file_name", "row_number", "probability",
          *[name for name, _ in PERSON], "rule", "feed_id"]


def upgrade() -> None:
    op.create_table(
        "antrean_coktas",
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),  # the month whose queue this is
        sa.Column("id_antrean", sa.String(40), nullable=False),  # the queued proposal's id
        sa.Column("bulan_usulan", sa.String(7), nullable=False),  # the month it was proposed in
        sa.Column("voter_id", sa.String(40), nullable=False),
        sa.Column("kategori", sa.String(20), nullable=False),
        sa.Column("sub_kategori", sa.String(40), nullable=False),
        sa.Column("alasan", sa.Text, nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("probability", sa.Float, nullable=True),
        *[sa.Column(name, kind, nullable=name == "tanggal_lahir") for name, kind in PERSON],
        sa.Column("rule", sa.String(80), nullable=False),
        sa.Column("feed_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("regency", "month", "id_antrean"),
    )
    columns = ", ".join(COPIED)
    # An item leaves the queue in the first month a proposal answers it (``id_antrean``).
    op.execute(
        f"INSERT INTO antrean_coktas (regency, month, id_antrean, bulan_usulan, {columns}) "
        f"SELECT v.regency, v.month, p.proposal_id, p.month, {', '.join('p.' + c for c in COPIED)} "
        "FROM dpb_versi v JOIN change_proposal p ON p.regency = v.regency AND p.month <= v.month "
        "LEFT JOIN (SELECT regency, id_antrean, MIN(month) AS answered FROM change_proposal "
        "WHERE id_antrean <> '' GROUP BY regency, id_antrean) a "
        "ON a.regency = p.regency AND a.id_antrean = p.proposal_id "
        "WHERE v.month <> '0000-00' AND p.status = 'antrean' AND (a.answered IS NULL OR a.answered > v.month)"
    )


def downgrade() -> None:
    op.drop_table("antrean_coktas")
