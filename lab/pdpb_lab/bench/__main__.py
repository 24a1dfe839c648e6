from . import app

app(prog_name="python -m pdpb_lab.bench")
