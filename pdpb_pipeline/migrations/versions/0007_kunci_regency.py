"""Which run owns a regency right now (``resources.regency_lock``): one row per regency, written
while the regency's lock is held, so two runs of one regency never interleave their writes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kunci_regency",
        sa.Column("regency", sa.String(5), primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("jenis", sa.String(16), nullable=False),  # proses (pdpb run) | dagster (a step of a run)
        sa.Column("pid", sa.Integer, nullable=False),  # the run's worker process
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("mulai", sa.DateTime, nullable=False),  # UTC
    )


def downgrade() -> None:
    op.drop_table("kunci_regency")
