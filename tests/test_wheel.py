"""A wheel built from the repo installs into a clean venv and works, not only editable."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile

from helpers import ROOT, SEEDS


def test_the_wheel_installs_and_runs_in_a_clean_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(dist), str(ROOT)], check=True, cwd=tmp_path)
    (wheel,) = dist.glob("factfold-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    # one import name: no generic top-level packages leak into site-packages
    assert {n.split("/")[0] for n in names if not n.startswith("factfold-")} == {"factfold"}
    assert any(n.startswith("factfold/plugins/data/") for n in names)
    assert "factfold/py.typed" in names  # type checkers read the package's hints
    assert "factfold/serve/templates/factfold_document.html" in names
    assert any(n.endswith(".data/data/share/factfold/views.md") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_ = env_dir / "bin"
    subprocess.run([bin_ / "python", "-m", "pip", "install", "--quiet", str(wheel)], check=True)

    run = lambda *a: subprocess.run(  # noqa: E731
        [bin_ / "factfold", "--store", str(tmp_path / "store"), *a],
        check=True, capture_output=True, text=True, cwd=tmp_path)
    plugins = {p["name"]: p for p in json.loads(run("plugins", "--json").stdout)}
    assert all(plugins[n]["status"] == "loaded"
               for n in ("people", "meetings", "agreements", "statistics"))
    run("ingest", str(SEEDS / "001_5c19025aa2c0d03b.txt"))
    kinds = {json.loads(line)["kind"] for line in run("export").stdout.splitlines()}
    assert {"person", "meeting", "statistic"} <= kinds
    # The typed tables (factfold.views) came with the wheel, and hold what the export does.
    (counted,) = [json.loads(line) for line in run(
        "sql", "--json", "SELECT COUNT(*) AS n FROM people").stdout.splitlines()]
    assert counted["n"] == sum(1 for line in run("export").stdout.splitlines()
                               if json.loads(line)["kind"] == "person")
    # Without the serve extra: serve says how to get it; its descriptions and canned
    # queries come from the views' documentation, installed with the wheel.
    proc = subprocess.run([bin_ / "factfold", "--store", str(tmp_path / "store"), "serve"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "pip install 'factfold[serve]'" in proc.stderr
    titles = subprocess.run(
        [bin_ / "python", "-c", "from factfold.serve.viewsdoc import ViewsDoc; "
         "print([q.title for q in ViewsDoc.load().queries])"],
        check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert "People by organisation" in titles
