"""The user-code image (Dockerfile, .dockerignore) checked without Docker: no daemon nor base image
can be had offline, so the file is parsed and what matters is asserted (the wheel installed with
the k8s extra, the module the workspace names, no ENTRYPOINT in the way of the run launcher's
command, not root), the build context is computed from .dockerignore, and the wheel stage is
replayed with pip on exactly the files the Dockerfile copies."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests import helm_chart

ROOT = Path(__file__).resolve().parent.parent


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order: comments dropped, continued lines joined."""
    out, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole.lstrip().startswith("#"):
            continue
        word, _, rest = whole.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages(parsed: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for item in parsed:
        if item[0] == "FROM":
            out.append([])
        if out:
            out[-1].append(item)
    return out


DOCKERFILE = instructions((ROOT / "Dockerfile").read_text())
FINAL = stages(DOCKERFILE)[-1]


def _all(stage, word):
    return [args for name, args in stage if name == word]


def test_the_image_runs_as_a_numeric_non_root_user():
    [user] = _all(FINAL, "USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, user  # numeric: Kubernetes' runAsNonRoot can check it
    [deployment] = helm_chart.values()["dagster-user-deployments"]["deployments"]
    assert deployment["podSecurityContext"]["runAsUser"] == int(uid)
    assert deployment["podSecurityContext"]["runAsNonRoot"] is True


def test_no_entrypoint_stands_before_the_commands_the_chart_gives():
    """The chart's code server and the K8sRunLauncher's run pods pass their whole command; an
    ENTRYPOINT would be prepended to it."""
    assert not any(name == "ENTRYPOINT" for name, _ in DOCKERFILE)


def test_the_default_command_serves_the_module_the_workspace_names():
    [cmd] = _all(FINAL, "CMD")
    command = json.loads(cmd)  # exec form
    assert command[:3] == ["dagster", "code-server", "start"]
    [location] = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    assert command[command.index("-m") + 1] == location["python_module"]["module_name"]
    [deployment] = helm_chart.values()["dagster-user-deployments"]["deployments"]
    assert int(command[command.index("-p") + 1]) == deployment["port"]
    assert _all(FINAL, "EXPOSE") == [str(deployment["port"])]


def test_the_package_is_installed_from_its_wheel_with_the_k8s_extra():
    wheel_stage, final = stages(DOCKERFILE)
    assert any(re.search(r"\bpip wheel\b.*--no-deps", run) for run in _all(wheel_stage, "RUN"))
    assert any(args.startswith("--from=wheel ") for args in _all(final, "COPY"))
    [install] = [run for run in _all(final, "RUN") if "pip install" in run]
    assert re.search(r"pdpb_pipeline-\*\.whl\)\[k8s\]", install), install
    # the k8s extra brings dagster-k8s of the same release line as the dagster installed here
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    [k8s] = [Requirement(r) for r in project["optional-dependencies"]["k8s"]]
    assert k8s.name == "dagster-k8s"
    assert metadata.version("dagster-k8s") in k8s.specifier
    assert metadata.version("dagster-postgres") in k8s.specifier  # the libraries move together


def test_the_base_image_python_is_one_the_project_supports():
    [arg] = [a for a in _all(DOCKERFILE, "ARG") if a.startswith("PYTHON_IMAGE=")]
    version = re.fullmatch(r"PYTHON_IMAGE=python:(\d+\.\d+)-slim", arg).group(1)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(f"{version}.0")


def build_context() -> list[str]:
    """The files `docker build .` sends, by .dockerignore's rules (last matching rule wins; a rule
    matching a folder applies to everything in it)."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!").rstrip("/")))

    def matches(pattern: str, path: str) -> bool:
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if pattern.startswith("**/"):
            return any(fnmatch.fnmatchcase(p.split("/")[-1], pattern[3:]) for p in prefixes)
        return any(fnmatch.fnmatchcase(p, pattern) and p.count("/") == pattern.count("/") for p in prefixes)

    def kept(rel: str) -> bool:
        keep = True
        for include, pattern in rules:
            if matches(pattern, rel):
                keep = include
        return keep

    sent = []
    for folder, dirs, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT).as_posix()
        # a folder left out whole, with no `!` rule inside it, is not walked (var/bench is large)
        dirs[:] = [d for d in dirs if kept(f"{here}/{d}".removeprefix("./"))
                   or any(include and pattern.startswith(f"{here}/{d}".removeprefix("./") + "/") for include, pattern in rules)]
        sent += [rel for f in files if kept(rel := f"{here}/{f}".removeprefix("./"))]
    return sorted(sent)


def test_the_build_context_holds_the_package_and_no_data():
    sent = build_context()
    for rel in ("pyproject.toml", "README.md", "pdpb_pipeline/definitions.py", "pdpb_pipeline/migrations/env.py"):
        assert rel in sent
    suites = [p for p in sent if p.startswith("pdpb_pipeline/expectations/") and p.endswith(".json")]
    assert len(suites) == len(list((ROOT / "pdpb_pipeline" / "expectations").glob("*.json"))) > 0
    assert not [p for p in sent if p.split("/")[0] in ("var", ".venv", "lab", "tests", "demo", "deploy")]
    assert not [p for p in sent if "__pycache__" in p or p.endswith(".pyc")]
    # every COPY from the context names something the context has
    for name, args in DOCKERFILE:
        if name == "COPY" and not args.startswith("--from="):
            *sources, _ = args.split()
            for source in sources:
                assert any(p == source or p.startswith(source.rstrip("/") + "/") for p in sent), source


@pytest.mark.slow
def test_the_wheel_stage_replayed_ships_the_suites_and_the_k8s_extra(tmp_path):
    """The wheel stage's `pip wheel --no-deps .` on exactly the files its COPY lines take from the
    build context."""
    wheel_stage = stages(DOCKERFILE)[0]
    src = tmp_path / "src"
    src.mkdir()
    sent = build_context()
    for args in _all(wheel_stage, "COPY"):  # Docker's COPY: files into a folder, a folder's content onto a folder
        *sources, target = args.split()
        for source in sources:
            if source in sent:
                dest = src / target / source if target.endswith("/") or len(sources) > 1 else src / target
                files = [(source, dest)]
            else:
                files = [(rel, src / target / Path(rel).relative_to(source))
                         for rel in sent if rel.startswith(source.rstrip("/") + "/")]
            for rel, dest in files:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / rel, dest)
    assert (src / "pdpb_pipeline" / "definitions.py").is_file() and (src / "pyproject.toml").is_file()
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "w"),
                           str(src)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [wheel] = (tmp_path / "w").glob("pdpb_pipeline-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        [meta] = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = zf.read(meta).decode()
    suites = {f"pdpb_pipeline/expectations/{p.name}" for p in (ROOT / "pdpb_pipeline" / "expectations").glob("*.json")}
    assert suites <= names
    assert "pdpb_pipeline/migrations/env.py" in names
    assert "Provides-Extra: k8s" in text
    assert re.search(r'Requires-Dist: dagster-k8s.*extra == "k8s"', text)
