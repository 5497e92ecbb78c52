"""The example third-party plugin, built and installed with pip, used as its users would.

The example is installed (not editable) into a folder of its own and put on PYTHONPATH for
the subprocesses, so the test environment's plugin set is left alone: other tests see only
the built-ins.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, SEEDS, run_factfold

EXAMPLE = ROOT / "examples" / "factfold-projects"
LAUNCH = "全国流动和留守儿童安全保护项目"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("example")
    src = tmp / "factfold-projects"
    # a copy, so the build leaves nothing behind in the checkout
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    site = tmp / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(site), str(src)],
                   check=True, capture_output=True)
    return {"site": site, "src": src, "env": {"PYTHONPATH": str(site)}}


def test_the_installed_example_brings_its_facts_and_its_view(example_site, tmp_path):
    env, store = example_site["env"], tmp_path / "store"
    plugins = {p["name"]: p for p in json.loads(
        run_factfold("plugins", "--json", env=env).stdout)}
    assert plugins["projects"] == {
        "name": "projects", "package": "factfold-projects", "version": "1.0.0",
        "extractors": ["projects@1.0.0"], "readers": [], "status": "loaded",
        "hooks": ["factfold_register_event_types", "factfold_register_extractors",
                  "factfold_register_projections"]}

    proc = run_factfold("ingest", "seeds/", store=store, env=env)
    assert "1 project" in proc.stderr

    records = [json.loads(line) for line in
               run_factfold("export", store=store, env=env).stdout.splitlines()]
    assert {"person", "meeting", "agreement", "statistic", "project"} <= {
        r["kind"] for r in records}
    (project,) = [r for r in records if r["kind"] == "project"]
    text = (SEEDS / project["source"].split("/")[-1]).read_text(encoding="utf-8")
    assert project["name"] == LAUNCH and project["extractor"] == "projects@1.0.0"
    assert text[slice(*project["span"])] == LAUNCH and LAUNCH in project["evidence"]

    rows = [json.loads(line) for line in run_factfold(
        "query", "projects", "--json", store=store, env=env).stdout.splitlines()]
    assert rows == [{"name": LAUNCH, "organizations": [], "mentions": 1,
                     "documents": ["seeds/001_5c19025aa2c0d03b.txt"]}]
    assert LAUNCH in run_factfold("query", "projects", "-f", "name=*保护项目",
                                  store=store, env=env).stdout
    assert "no projects found" in run_factfold("query", "projects", "-f", "name=nothing*",
                                               store=store, env=env).stderr

    # the view is rebuilt from the log like the built-in ones
    run_factfold("replay", store=store, env=env)
    assert [json.loads(line) for line in run_factfold(
        "query", "projects", "--json", store=store, env=env).stdout.splitlines()] == rows


def test_the_examples_own_tests_pass_against_the_installed_package(example_site):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=example_site["src"], capture_output=True, text=True, timeout=300,
        env={**os.environ, **example_site["env"]})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout


def test_the_python_api_script(example_site):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "api.py"), "seeds/"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **example_site["env"]})
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["files"] == {"added": 5} and summary["failed"] == []
    assert summary["facts"]["project"] == 1 and "projects" in summary["views"]
    assert "陈存根" in summary["people_named_chen"]
    assert "projects@1.0.0 found 1" in proc.stderr
