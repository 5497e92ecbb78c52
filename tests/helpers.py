"""Helpers for tests: where things are, plugins installed as users install them, and the
real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: every watcher a test started, so that none outlives its test (conftest kills the rest)
STARTED: list[subprocess.Popen] = []
SEEDS = ROOT / "seeds"
#: the seeds' gold, carried by the project so that a clone tests alone
GOLD = ROOT / "tests" / "gold" / "seeds.json"


def run_factfold(*args: str, store: Path | None = None, env: dict | None = None,
                 check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``factfold`` command line in a subprocess."""
    cmd = [sys.executable, "-m", "factfold"]
    if store is not None:
        cmd += ["--store", str(store)]
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"factfold {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def install(site: Path, name: str, source: str) -> Path:
    """Make module ``name`` an installed package registering entry point ``name``."""
    site.mkdir(exist_ok=True)
    module = name.replace("-", "_")
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[factfold]\n{name} = {module}\n")
    return site


def site_env(site: Path, **extra: str) -> dict[str, str]:
    return {"PYTHONPATH": str(site), **extra}


def supersede_and_remove(store: Path, first: Path, second: Path) -> None:
    """Give ``first`` new bytes at its path (ingested: its document superseded) and record
    ``second`` as removed, as a watch records a deleted file."""
    from factfold.store import Store

    text = first.read_text(encoding="utf-8")
    first.write_text(text[: len(text) // 2], encoding="utf-8")
    assert "1 superseded" in run_factfold("ingest", str(first.parent), store=store).stderr
    with Store(store) as writer:
        assert writer.remove(str(second))
