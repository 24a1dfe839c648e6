"""``python -m pdpb_pipeline.cli``: the same as the ``pdpb`` command."""

from .app import app

app()
