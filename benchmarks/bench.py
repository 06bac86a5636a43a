"""newsgen performance benchmark: a report, not a test.

Serves the synthetic national tree (all 545 Pilkada 2024 races, built from the
real paslon masters in ``../shared/data/sirekap``) from a local HTTP server in
a separate process, then measures, in one run::

    [1] national run (fetch, validate, render, audit, write) vs the fetch floor
        (the same URLs, same client settings and concurrency, JSON parsing only)
    [2] render throughput on one core: Renderer.body() vs bare Jinja rendering
        the same article.md.j2 from a precomputed context
    [3] 40,000 article renders (the national set of stories, repeated)
    [4] peak RSS of a national run (a fresh child process, imports included)
    [5] one race changed in watch mode: the change on disk -> the updated article

and prints a summary table with PASS/FAIL against the targets of issue 7.
The exit code is 0 even when a target is missed; it is non-zero only when a
step could not run (or, with ``--check-only``, produced no output).

Usage::

    .venv/bin/python benchmarks/bench.py               # full run (2 to 4 minutes on 2 cores)
    .venv/bin/python benchmarks/bench.py --quick       # fewer repetitions, 4,000 renders
    .venv/bin/python benchmarks/bench.py --check-only  # every step, tiny sizes (the smoke test)
    .venv/bin/python benchmarks/bench.py --profile     # cProfile of one national run, top functions
    .venv/bin/python benchmarks/bench.py --calibrate   # [1]'s method on a known ratio (1.5x), ~10 minutes

The server (``tests/support/static_server.py``, a lean asyncio server that
answers as the tests' ``sirekap_server.py`` does) runs in a separate process,
so it does not share the interpreter lock with the client being measured, and
takes little of the CPUs: KPU's object store is not on the newsroom's machine.

The steps live beside this script: ``national.py`` ([1], [4], ``--calibrate``,
``--profile``), ``rendering.py`` ([2], [3]) and ``watching.py`` ([5]);
``common.py`` holds the targets and what the steps share.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from common import CHANGED_RACE, PLANS, REPO, Bench, Result, fail, say
from national import (
    national_child,
    step_calibrate,
    step_memory,
    step_national,
    step_profile,
)
from rendering import step_many, step_render
from watching import step_watch

# -- machine ------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for module in ("jinja2", "httpx", "babel", "pydantic"):
        try:
            from importlib.metadata import version

            versions.append(f"{module} {version(module)}")
        except Exception:  # noqa: BLE001 - informational only
            pass
    try:
        head = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=REPO, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    return (
        f"machine: {platform.platform()}; {cpu}; {os.cpu_count()} CPUs ({usable} usable); "
        f"{platform.python_implementation()} {platform.python_version()}; {', '.join(versions)}\n"
        f"code: newsgen {head or '(not a git checkout)'}"
    )


# -- server (child process) -----------------------------------------------------------


def serve(root: Path) -> None:
    """``--serve ROOT``: serve the tree until stdin closes; print the URL first."""
    from tests.support.static_server import StaticServer

    server = StaticServer(root)
    server.start()
    print(server.url, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


def start_server(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", str(root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )


def stop_server(proc: subprocess.Popen) -> None:
    if proc.stdin:
        proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()


# -- main ---------------------------------------------------------------------------------------


def summary(bench: Bench) -> None:
    width = max(len(r.target) for r in bench.results)
    mwidth = max(len(r.measured) for r in bench.results)
    say()
    say(f"summary ({bench.plan.name} run)")
    say(f"  {'target':<{width}}  {'measured':>{mwidth}}  result")
    for r in bench.results:
        verdict = "-" if r.ok is None else ("PASS" if r.ok else "FAIL  <<<")
        say(f"  {r.target:<{width}}  {r.measured:>{mwidth}}  {verdict}")
    failed = sum(1 for r in bench.results if r.ok is False)
    say(f"{failed} of {len(bench.results)} targets missed" if failed else "every target met")
    if bench.plan.name == "check-only":
        say("(check-only: tiny sizes, the figures say nothing about performance)")


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
    step = max(1, len(races) // count)
    chosen = set(races[::step][: count - 1])
    chosen.add(CHANGED_RACE if CHANGED_RACE in races else races[0])
    return sorted(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 4,000 renders (a smoke run)")
    parser.add_argument("--check-only", action="store_true",
                        help="every step with tiny sizes (20 races, 50 renders); checks each step produced output")
    parser.add_argument("--profile", action="store_true", help="only profile one national run (cProfile)")
    parser.add_argument("--calibrate", action="store_true",
                        help="only check [1]'s method on a known ratio (three floors vs two), three times")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="the shared folder with data/sirekap (default: ../shared beside the repository)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--national-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--races", default="", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve:
        serve(args.serve)
        return 0
    if args.national_child:
        national_child(args.national_child, args.races, args.work)
        return 0

    plan = PLANS["check" if args.check_only else "quick" if args.quick else "full"]
    from tests.support.synthetic_tree import build_tree

    say(machine())
    with tempfile.TemporaryDirectory(prefix="newsgen-bench-") as temp:
        temp_path = Path(temp)
        root = temp_path / "tree"
        started = time.perf_counter()
        try:
            tree = build_tree(args.shared, root)
        except FileNotFoundError as exc:
            fail(str(exc))
        races = pick_races(all_races(root), plan.races)
        server = start_server(root)
        try:
            url = server.stdout.readline().strip() if server.stdout else ""
            if not url.startswith("http://"):
                fail("the local server did not start")
            say(f"tree: {tree['races']} races, {tree['files']} files, built in {time.perf_counter() - started:.1f} s; "
                f"served by tests/support/static_server.py at {url} (separate process); "
                f"{plan.name} run over {len(races)} races")
            bench = Bench(plan, url, root, temp_path, races)
            if args.profile or args.calibrate:
                (step_profile if args.profile else step_calibrate)(bench)
                return 0
            for step in (step_national, lambda b: step_many(b, *step_render(b)), step_memory, step_watch):
                try:
                    step(bench)
                except SystemExit:
                    raise
                except Exception:  # noqa: BLE001 - a broken step is reported, the others still run
                    traceback.print_exc()
                    if plan.name == "check-only":
                        fail("a step raised (see the traceback above)")
                    bench.results.append(Result("(a step raised, see above)", "error", False))
        finally:
            stop_server(server)
    summary(bench)
    return 0


if __name__ == "__main__":
    sys.exit(main())
