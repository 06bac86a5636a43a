"""Serve a folder on 127.0.0.1 the way KPU's Sirekap object store does, to try newsgen against.

Usage::

    python scripts/make_synthetic_tree.py /tmp/tree          # or an archive from `newsgen fetch`
    python scripts/serve_sirekap.py /tmp/tree               # prints http://127.0.0.1:PORT
    newsgen generate --base-url http://127.0.0.1:PORT --province 64 --out /tmp/articles

``--fault PATTERN=STATUS`` answers matching paths with that status (e.g.
``--fault '/pilkada/hhcw/pkwkk/64/6472.json=503'``), ``--html PATTERN`` with an
HTML error page; see ``tests/support/sirekap_server.py`` for what is served.
Runs until Ctrl-C and prints one line per request when ``--verbose``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.sirekap_server import SirekapServer  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a Sirekap object-store tree on 127.0.0.1.")
    parser.add_argument("root", type=Path, help="folder in the object store's layout (pilkada/..., wilayah/...)")
    parser.add_argument("--fault", action="append", default=[], metavar="PATTERN=STATUS[xN]",
                        help="answer paths matching PATTERN (fnmatch) with STATUS (the first N times), repeatable")
    parser.add_argument("--html", action="append", default=[], metavar="PATTERN",
                        help="answer paths matching PATTERN with an HTML error page, repeatable")
    parser.add_argument("--verbose", action="store_true", help="print each request")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"no such folder: {args.root}")

    server = SirekapServer(args.root)
    for spec in args.fault:
        pattern, _, answer = spec.rpartition("=")
        status, _, times = answer.partition("x")
        if not pattern or not status.isdigit() or (times and not times.isdigit()):
            parser.error(f"--fault {spec!r}: expected PATTERN=STATUS[xN], e.g. '/pilkada/*=503' or '*=503x2'")
        server.fault(pattern, "status", status=int(status), times=int(times) if times else None)
    for pattern in args.html:
        server.fault(pattern, "html")
    server.start()
    print(f"serving {args.root} at {server.url} (Ctrl-C to stop)", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            if args.verbose:
                for record in server.requests[seen:]:
                    print(f"{record.status} {record.path}", flush=True)
                seen = len(server.requests)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
