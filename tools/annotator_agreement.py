"""How far two annotators of the same documents agree: one's gold scored as if it were the
other's predictions, with the same matching rules as ``factfold eval``.

    .venv/bin/python tools/annotator_agreement.py GOLD_A GOLD_B [--verbose]

Only documents both annotated are compared.  With ``--verbose`` the misses (items only A
has) and false alarms (items only B has) are the differences to adjudicate.
"""

from __future__ import annotations

import argparse
import sys

from factfold.evaluation import GoldError, load_gold, records_of, score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold_a")
    parser.add_argument("gold_b")
    parser.add_argument("--verbose", action="store_true", help="list every difference")
    args = parser.parse_args(argv)
    try:
        a, b = load_gold(args.gold_a), load_gold(args.gold_b)
    except GoldError as exc:
        print(f"annotator_agreement: {exc}", file=sys.stderr)
        return 2
    both = a["documents"].keys() & b["documents"].keys()
    a["documents"] = {d: g for d, g in a["documents"].items() if d in both}
    b["documents"] = {d: g for d, g in b["documents"].items() if d in both}
    print(score(a, records_of(b)).render(verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
