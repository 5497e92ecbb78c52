"""Whether the seeds' gold the project carries (``tests/gold``) is the team's reference copy.

    .venv/bin/python tools/sync_gold.py [--reference DIR] [--copy]

The reference lives in the team's shared folder beside a checkout (``../shared/gold``); a
user's clone has none, so this is a maintainer's check, not a test.  Exit 0: the same;
1: some file differs (``--copy`` copies the reference over it); 2: no reference there.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARRIED = ROOT / "tests" / "gold"
#: the files of the reference the project carries
FILES = ("seeds.json", "GUIDELINES.md")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "gold",
                        help="the reference gold folder (default: ../shared/gold)")
    parser.add_argument("--copy", action="store_true",
                        help="copy the reference over the carried files that differ")
    args = parser.parse_args(argv)
    missing = [name for name in FILES if not (args.reference / name).is_file()]
    if missing:
        print(f"sync_gold: no {', '.join(missing)} in {args.reference}: "
              "give the reference folder with --reference", file=sys.stderr)
        return 2
    differ = [name for name in FILES
              if (CARRIED / name).read_bytes() != (args.reference / name).read_bytes()]
    for name in differ:
        if args.copy:
            shutil.copyfile(args.reference / name, CARRIED / name)
            print(f"copied {args.reference / name} over tests/gold/{name}")
        else:
            print(f"tests/gold/{name} differs from {args.reference / name} (--copy to update)")
    if not differ:
        print(f"tests/gold is the reference copy at {args.reference}")
    return 1 if differ and not args.copy else 0


if __name__ == "__main__":
    sys.exit(main())
