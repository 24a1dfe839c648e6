"""A migrant worker's standing abroad (``status_pemilih.jenis = 'luar_negeri'``, set by a
departure, lifted by a return) keeps the destination country the agency's row gives.

Rows written before this revision have none (empty).

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_pemilih") as batch:
        batch.add_column(sa.Column("negara", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("status_pemilih") as batch:
        batch.drop_column("negara")
