"""Write a synthetic national Sirekap object-store tree (all 545 Pilkada 2024 races).

Usage::

    python scripts/make_synthetic_tree.py OUT_DIR [--shared ../shared] [--seed N]

The candidate masters and province list are copied from the real KPU samples in
``<shared>/data/sirekap/``; every tally is synthetic. See
``tests/support/synthetic_tree.py`` for what exactly is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.synthetic_tree import DEFAULT_TS, SAMPLE_SUBDIR, build_tree  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the tree and print one summary line; return the exit code."""
    parser = argparse.ArgumentParser(
        description="Write a synthetic Sirekap object-store tree for all 545 Pilkada 2024 races.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write the tree into")
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO_ROOT.parent / "shared",
        help="the shared folder holding data/sirekap/ (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--kecamatan", type=int, default=6, metavar="N", help="kecamatan per kab/kota, 1..99 (default: %(default)s)"
    )
    parser.add_argument("--ts", default=DEFAULT_TS, help="ts of every tally (default: %(default)s)")
    args = parser.parse_args(argv)

    samples = args.shared / SAMPLE_SUBDIR
    if not samples.is_dir():
        parser.error(f"KPU sample folder not found: {samples} (pass --shared PATH to the shared folder)")
    try:
        summary = build_tree(args.shared, args.out_dir, seed=args.seed, kecamatan_per_race=args.kecamatan, ts=args.ts)
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    print(
        f"wrote {summary['files']} files for {summary['races']} races "
        f"({summary['governor']} governor, {summary['regent_mayor']} regent/mayor) to {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
