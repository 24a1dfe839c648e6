"""Alembic environment: runs on the connection the warehouse hands over."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    render_as_batch=connection.dialect.name == "sqlite",
    # Our own name: Dagster keeps its own alembic_version when it shares a PostgreSQL database.
    version_table="pdpb_schema_version",
)
with context.begin_transaction():
    context.run_migrations()
