"""The command line (``pdpb``): the Typer app, running partitions through Dagster, status and explain."""
