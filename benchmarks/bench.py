"""newsgen performance benchmark: newsgen's command line against the physical floor. A report, not a test.

Serves the synthetic national tree (all 545 Pilkada 2024 races, built from KPU's real
candidate masters in ``../shared/data/sirekap``) from a separate process on 127.0.0.1,
then times whole processes (``os.wait4``: wall, CPU, peak RSS; imports included)::

    [1] national cold run `newsgen generate --no-cache` vs the aiohttp floor (wall, CPU)
        (curl --parallel on the same URLs printed for reference)
    [2] a poll where every file answers 304 vs the floor's own conditional GETs
    [3] CPU per race after the fetch (archives recorded by `newsgen fetch`)
    [4] `newsgen --help`
    [5] peak RSS of the national cold run
    [6] render throughput on one core ([6a] rounds of the set, [6b] 40,000 renders)
    [7] `newsgen watch`: one race changed -> the updated article on disk
    [8] `--stories races,local,roundups` (local pages, round-ups) vs the floor of the same URLs

Each line ends with the ratio and PASS/FAIL; a summary table follows. The exit code
is 0 even when a target is missed, non-zero only when a step could not run.
See benchmarks/README.md for the method and the latest figures.

Usage::

    .venv/bin/python benchmarks/bench.py               # full run (about 1.5 to 2.5 minutes on 2 cores)
    .venv/bin/python benchmarks/bench.py --quick       # 3 pairs, 4,000 renders (about a minute)
    .venv/bin/python benchmarks/bench.py --check-only  # every step, 20 races, tiny sizes (the smoke test)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from common import PLANS, REPO, WATCHED_RACE, Bench, Result, say, verdict
from national import discover, step_cold, step_memory, step_poll
from offline import step_help, step_race_cpu
from rendering import step_render
from server import Server
from stories import step_stories
from watching import step_watch

STEPS = {
    step_cold: "[1] national cold run",
    step_poll: "[2] poll, every file 304",
    step_race_cpu: "[3] CPU per race",
    step_help: "[4] newsgen --help",
    step_memory: "[5] peak RSS",
    step_render: "[6] render",
    step_watch: "[7] watch",
    step_stories: "[8] local pages and round-ups",
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in ("aiohttp", "httpx", "jinja2", "pydantic"):
        with contextlib.suppress(PackageNotFoundError):
            versions.append(f"{name} {version(name)}")
    where = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"],
                           capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout.strip()
    package = Path(where).resolve().parents[1] if where else REPO
    try:
        head = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=package, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    return (f"machine: {platform.platform()}; {cpu}; {os.cpu_count()} CPUs ({usable} usable); "
            f"{platform.python_implementation()} {platform.python_version()}; {', '.join(versions)}\n"
            f"code: newsgen {head or '(not a git checkout)'} at {package}; "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}")


def bytecode() -> str:
    """Compile newsgen's modules to bytecode before anything is timed, as ``pip install`` does.

    An editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` (as in this project's sessions)
    never keeps its ``.pyc`` files, so every timed process would compile newsgen's source again
    (about 0.07 s of CPU here), while its dependencies load from the bytecode pip wrote.
    """
    done = subprocess.run([sys.executable, "-c", "import compileall, generator, os, sys; "
                           "sys.exit(not compileall.compile_dir(os.path.dirname(generator.__file__), quiet=1))"],
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    state = "compiled" if done.returncode == 0 else f"could not be compiled ({done.stderr.strip()[-200:]})"
    return f"newsgen's bytecode {state} before timing (as pip install does)"


def all_races(root: Path) -> list[str]:
    races = []
    for kind in ("pkwkp", "pkwkk"):
        master = json.loads((root / "pilkada" / "paslon" / f"{kind}.json").read_bytes())
        races += [f"{kind}/{code}" for code in master]
    return sorted(races)


def pick_races(races: list[str], count: int | None) -> list[str]:
    """Every race, or ``count`` spread over the country (the watched race included)."""
    if count is None or count >= len(races):
        return races
    chosen = set(races[:: max(1, len(races) // count)][: count - 1])
    chosen.add(WATCHED_RACE if WATCHED_RACE in races else races[0])
    return sorted(chosen)


def summary(bench: Bench) -> None:
    rows = [(r.target, r.measured, "-" if r.budget is None else f"{r.budget:.2f}", verdict(r.ok))
            for r in bench.results]
    widths = [max(len(row[i]) for row in [("target", "measured", "of limit", ""), *rows]) for i in range(3)]
    say()
    say(f"summary ({bench.plan.name} run; 'of limit': the figure as a share of what the target allows)")
    say(f"  {'target':<{widths[0]}}  {'measured':<{widths[1]}}  {'of limit':>{widths[2]}}  result")
    for target, measured, budget, result in rows:
        say(f"  {target:<{widths[0]}}  {measured:<{widths[1]}}  {budget:>{widths[2]}}  {result}")
    missed = sum(1 for r in bench.results if r.ok is False)
    broken = sum(1 for r in bench.results if r.measured == "could not run")
    say(f"{missed} of {len(bench.results)} targets missed" if missed else "every target met")
    if broken:
        say(f"{broken} step(s) could not run (see above)")
    if bench.plan.name == "check-only":
        say("(check-only: tiny sizes, the figures say nothing about performance)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 pairs, 4,000 renders")
    parser.add_argument("--check-only", action="store_true", help="every step with 20 races and tiny sizes")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="the shared folder with data/sirekap (default: ../shared beside the repository)")
    args = parser.parse_args(argv)
    plan = PLANS["check" if args.check_only else "quick" if args.quick else "full"]
    from tests.support.synthetic_tree import build_tree

    say(f"{machine()}; {bytecode()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgen-bench-") as temp:
        work = Path(temp)
        try:
            tree = build_tree(args.shared, work / "tree")
        except FileNotFoundError as exc:
            say(f"bench: error: {exc}")
            return 2
        races = pick_races(all_races(work / "tree"), plan.races)
        race_args = [] if plan.races is None else [a for race in races for a in ("--race", race)]
        server = Server(work / "tree")
        broken = False
        try:
            bench = Bench(plan, server.url, server, work / "tree", work, races, race_args)
            say(f"tree: {tree['races']} races, {tree['files']} files; served by tests/support/static_server.py at "
                f"{server.url} (separate process); {plan.name} run over {len(races)} races, {plan.pairs} pair(s)")
            discover(bench)
            for step, name in STEPS.items():
                try:
                    step(bench)
                except (Exception, SystemExit) as exc:
                    broken = True
                    if isinstance(exc, SystemExit):
                        say(str(exc))
                    else:
                        traceback.print_exc()
                    bench.results.append(Result(f"{name} (see above)", "could not run", None, None))
        finally:
            server.stop()
    summary(bench)
    say(f"({time.perf_counter() - started:.0f} s in all)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
