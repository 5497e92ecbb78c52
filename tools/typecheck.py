"""Type-check factfold with mypy: ``make typecheck`` (part of ``make test``).

The package's folders are named otherwise than its modules (``core/`` is ``factfold``,
``events/`` is ``factfold.events``), and mypy can follow neither setuptools' package-dir
mapping nor the editable install's import hook.  So this lays the package out as it is
installed -- a tree of links under ``.mypy_cache/tree`` -- checks that with the settings in
pyproject.toml's ``[tool.mypy]``, and reports each problem at its file's real path.  The
links point at the working files, so mypy's cache stays valid from run to run.

    .venv/bin/python tools/typecheck.py [extra mypy arguments]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".mypy_cache" / "tree"
#: package folder in the tree -> the folder it is in the working tree, innermost first
LAYOUT = {"factfold/events": "events", "factfold/plugins": "plugins", "factfold": "core"}


def lay_out() -> None:
    """Build the link tree afresh, so added and removed modules show at once."""
    shutil.rmtree(TREE, ignore_errors=True)
    package = TREE / "factfold"
    package.mkdir(parents=True)
    for entry in (ROOT / "core").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for inside, folder in LAYOUT.items():
        if inside != "factfold":
            (TREE / inside).symlink_to(ROOT / folder, target_is_directory=True)


def real_paths(report: str) -> str:
    """mypy's report with each tree path written as the working file's path."""
    prefix = TREE.relative_to(ROOT).as_posix()
    for inside, folder in LAYOUT.items():
        report = report.replace(f"{prefix}/{inside}/", f"{folder}/")
    return report


def main(argv: list[str]) -> int:
    lay_out()
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), *argv])
    sys.stdout.write(real_paths(stdout))
    sys.stderr.write(real_paths(stderr))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
