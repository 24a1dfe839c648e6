"""Withdrawals (penarikan): published months undone by re-running an earlier month, one act each.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "penarikan",  # one act: the re-run of ``triggered_by`` withdrew every later published month
        sa.Column("act_id", sa.String(32), primary_key=True),
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("triggered_by", sa.String(7), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("withdrawn_at", sa.String(32), nullable=False),  # ISO 8601, UTC
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "penarikan_bulan",  # the months an act withdrew, with the publication they undid
        sa.Column("act_id", sa.String(32), sa.ForeignKey("penarikan.act_id"), nullable=False),
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("pemilih", sa.BigInteger, nullable=False),
        sa.Column("published_run_id", sa.String(64), nullable=False),
        sa.Column("folder", sa.Text, nullable=False),  # where its published files went ('' if none)
        sa.PrimaryKeyConstraint("act_id", "month"),
    )
    op.create_index("ix_penarikan_bulan_regency", "penarikan_bulan", ["regency", "month"])


def downgrade() -> None:
    op.drop_table("penarikan_bulan")
    op.drop_table("penarikan")
