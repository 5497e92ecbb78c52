"""Helpers for tests: where things are, and the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
