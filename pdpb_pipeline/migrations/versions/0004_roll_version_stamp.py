"""A stamp per written roll (baseline or month), so a cached copy of that roll can be trusted.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dpb_versi",  # written in the same transaction as the roll's versions of that month
        sa.Column("regency", sa.String(5), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("pemilih", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("regency", "month"),
    )


def downgrade() -> None:
    op.drop_table("dpb_versi")
