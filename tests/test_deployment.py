"""A newcomer's `dagster dev` in the project root, with nothing set, and the settings' mapping
onto Dagster resources (EnvVar for what the environment sets)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pdpb_pipeline.definitions import RESOURCE_VARIABLES, LOAD_VARIABLES, from_environment, usable

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "var", "__pycache__", ".pytest_cache", "build", "dist"}
WORKSPACE_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { jobs { name } } } } } } } }"""


def copy_root(target: Path) -> Path:
    """The project as a fresh checkout has it (no var/, no venv), links kept as links."""
    def ignore(folder, names):
        return [n for n in names if n in SKIP or n.endswith(".egg-info") or n.startswith(".tmp_dagster_home_")]

    shutil.copytree(ROOT, target, symlinks=True, ignore=ignore)
    return target


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """No PDPB_*, DAGSTER_* or anything else of this shell: the venv's tools on PATH only."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


@pytest.mark.slow
def test_plain_dagster_dev_in_the_root_serves_the_project_with_no_environment(tmp_path):
    root = copy_root(tmp_path / "pdpb")
    port = _free_port()
    # PYTHONPATH: the copy's package, not the one the venv has installed in editable mode
    env = clean_environment(tmp_path, PYTHONPATH=str(root))
    log = (tmp_path / "dagster_dev.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
                              cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        entries = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and server.poll() is None:
            try:
                answer = _graphql(port, WORKSPACE_QUERY)
                entries = answer["data"]["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    break
            except (OSError, KeyError, TypeError, ValueError):
                pass
            time.sleep(1)
        output = (tmp_path / "dagster_dev.log").read_text()
        assert server.poll() is None, f"dagster dev stopped:\n{output[-3000:]}"
        assert entries, f"the webserver never answered on port {port}:\n{output[-3000:]}"
        [location] = entries
        assert location["loadStatus"] == "LOADED"
        assert location["locationOrLoadError"]["__typename"] == "RepositoryLocation", location
        jobs = {job["name"] for repo in location["locationOrLoadError"]["repositories"] for job in repo["jobs"]}
        assert {"pdpb_bulanan", "pdpb_dpt_awal"} <= jobs
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
        # the instance is the top-level dagster.yaml's: SQLite under var/dagster_home (not PostgreSQL)
        assert (root / "var" / "dagster_home" / "history" / "runs.db").is_file()
        assert "DAGSTER_PG" not in output and "Error" not in output, output[-3000:]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def test_every_variable_maps_to_a_resource_field_or_a_load_setting_and_the_readme_lists_it():
    readme = (ROOT / "README.md").read_text()
    for name in (*RESOURCE_VARIABLES, *LOAD_VARIABLES):
        assert f"| `{name}` |" in readme, name
    _, resources = from_environment({})
    for name, (key, field) in RESOURCE_VARIABLES.items():
        assert field in type(resources[key]).model_fields, name


def test_a_set_variable_is_an_env_var_in_the_definitions_and_its_value_is_never_in_them(monkeypatch):
    secret = "postgresql://pdpb:rahasia-sekali@db.example:5432/pdpb"
    monkeypatch.setenv("PDPB_WAREHOUSE_URL", secret)
    monkeypatch.setenv("PDPB_OUTPUT_DIR", "/srv/pdpb/terbit")
    monkeypatch.setenv("PDPB_MAX_QUARANTINE_SHARE", "0.3")
    _, resources = from_environment()
    config = {key: r._convert_to_config_dictionary() for key, r in resources.items()}
    # what Dagster stores and shows: the variable's name, read when a run starts
    assert config["warehouse"]["url"] == {"env": "PDPB_WAREHOUSE_URL"}
    assert config["publication"]["output_dir"] == {"env": "PDPB_OUTPUT_DIR"}
    assert "rahasia" not in json.dumps(config)
    assert config["feed_limits"]["max_quarantine_share"] == 0.3  # a decimal number: a value (no float EnvVar)
    # outside a run (the command line) the resource holds the environment's value
    assert usable(resources["warehouse"]).url == secret
    # nothing set: SQLite and folders under var/, no EnvVar
    _, defaults = from_environment({"PDPB_VAR_DIR": str(Path("/tmp/x/var"))})
    assert defaults["warehouse"].url == "sqlite:////tmp/x/var/warehouse.sqlite"
    assert defaults["publication"].output_dir == "/tmp/x/var/published"
    assert defaults["landing"].root == "/tmp/x/var/landing"
