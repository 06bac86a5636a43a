"""[1] the national cold run against the aiohttp floor, [2] a poll answered 304 throughout, [5] peak RSS.

Every figure is a whole process (interpreter start and imports included) timed by
``os.wait4``; the two sides of a pair run back to back, every other pair in the
other order, and the median of the pairs' ratios is judged.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from common import (
    COLD_CPU_MAX,
    COLD_WALL_MAX,
    NOW,
    POLL_WALL_MAX,
    RSS_MAX_MB,
    Bench,
    Proc,
    Result,
    articles,
    fail,
    median,
    newsgen_command,
    own_peak_mb,
    plural,
    run_timed,
    say,
    span,
    verdict,
)

FLOOR = Path(__file__).with_name("floor.py")


def generate(bench: Bench, out: Path, cache: Path | None) -> list[str]:
    where = ["--cache", str(cache)] if cache else ["--no-cache"]
    return [*newsgen_command(), "generate", "--source", "sirekap", "--base-url", bench.url, *where,
            "--out", str(out), "--now", NOW, *bench.race_args]


def served(bench: Bench, what: str, status: int, paths: list[str] | None = None) -> list[tuple[float, str, int]]:
    """The server's log since the last look; checks one response per path, each with ``status``."""
    log = bench.server.take_log()
    seen = Counter(path for _, path, _ in log)
    statuses = Counter(code for _, _, code in log)
    expected = Counter(paths if paths is not None else bench.paths)
    if seen != expected or set(statuses) != {status}:
        missing, extra = expected - seen, seen - expected
        fail(f"{what}: expected one {status} per file ({sum(expected.values())}), the server answered "
             f"{dict(statuses)}; missing {list(missing)[:3]}, extra {list(extra)[:3]}")
    return log


def run_newsgen(bench: Bench, what: str, out: Path, cache: Path | None, status: int) -> Proc:
    proc = run_timed(generate(bench, out, cache), log=bench.work / "newsgen.log")
    served(bench, what, status)
    if articles(out) != len(bench.races):
        fail(f"{what}: expected {len(bench.races)} articles in {out}, found {articles(out)}:\n{proc.output[-2000:]}")
    return proc


def run_floor(bench: Bench, what: str, status: int, *options: str) -> Proc:
    proc = run_timed([sys.executable, str(FLOOR), bench.url, str(bench.extra["paths_file"]), *options],
                     log=bench.work / "floor.log")
    statuses = json.loads(proc.output.strip().splitlines()[-1])
    if statuses != {str(status): len(bench.paths)}:
        fail(f"{what}: expected {len(bench.paths)} answers {status}, got {statuses}")
    served(bench, what, status)
    return proc


def discover(bench: Bench) -> None:
    """One untimed national run: the URLs it fetches (the server's log), in order; the floor's ETags."""
    bench.server.take_log()
    proc = run_timed(generate(bench, bench.folder("discover"), None), log=bench.work / "newsgen.log")
    log = bench.server.take_log()
    if not log or any(code != 200 for _, _, code in log):
        fail(f"the discovery run's requests were not all answered 200: {Counter(c for _, _, c in log)}\n"
             f"{proc.output[-2000:]}")
    bench.paths = [path for _, path, _ in log]
    if len(set(bench.paths)) != len(bench.paths):
        fail("the discovery run asked for a file twice")
    paths_file = bench.work / "paths.txt"
    paths_file.write_text("\n".join(bench.paths) + "\n", encoding="utf-8")
    bench.extra["paths_file"] = paths_file
    bench.extra["etags"] = bench.work / "etags.json"
    run_floor(bench, "the floor's first run", 200, "--save-etags", str(bench.extra["etags"]))
    say(f"workload: {len(bench.races)} races, {len(bench.paths)} files a run fetches (from the server's log of an "
        f"untimed `newsgen generate`), {sum(1 for _ in bench.root.rglob('*.json'))} files in the tree")


def alternate(bench: Bench, floor, ours) -> tuple[list[Proc], list[Proc]]:
    """``plan.pairs`` back-to-back pairs, every other one in the other order."""
    floors, runs = [], []
    for pair in range(bench.plan.pairs):
        for floor_now in (True, False) if pair % 2 == 0 else (False, True):
            if floor_now:
                floors.append(floor())
            else:
                runs.append(ours())
    return floors, runs


def judge(name: str, figure: str, ratios: list[float], limit: float) -> tuple[float, str, bool]:
    ratio = median(ratios)
    ok = ratio <= limit
    line = (f"{figure} -> {ratio:.2f}x floor, median of {plural(len(ratios), 'pair')} (range {span(ratios)}); "
            f"target <= {limit}x: {verdict(ok)}")
    return ratio, f"{name}: {line}", ok


def step_cold(bench: Bench) -> None:
    floors, runs = alternate(
        bench, lambda: run_floor(bench, "[1] floor", 200),
        lambda: run_newsgen(bench, "[1] newsgen cold run", bench.folder("cold"), None, 200))
    bench.extra["cold_runs"], bench.extra["floor_runs"] = runs, floors
    walls = [r.wall / f.wall for r, f in zip(runs, floors, strict=True)]
    cpus = [r.cpu / f.cpu for r, f in zip(runs, floors, strict=True)]
    wall, line, ok = judge("[1] national cold run, wall",
                           f"newsgen {median([r.wall for r in runs]):.2f} s vs floor "
                           f"{median([f.wall for f in floors]):.2f} s (medians)", walls, COLD_WALL_MAX)
    say(line)
    bench.results.append(Result(f"[1] cold run wall <= {COLD_WALL_MAX}x floor", f"{wall:.2f}x ({span(walls)})",
                                wall / COLD_WALL_MAX, ok))
    cpu, line, ok = judge("[1] national cold run, CPU",
                          f"newsgen {median([r.cpu for r in runs]):.2f} s vs floor "
                          f"{median([f.cpu for f in floors]):.2f} s (medians)", cpus, COLD_CPU_MAX)
    say(line)
    bench.results.append(Result(f"[1] cold run CPU <= {COLD_CPU_MAX}x floor", f"{cpu:.2f}x ({span(cpus)})",
                                cpu / COLD_CPU_MAX, ok))
    step_curl(bench, max(1, bench.plan.pairs // 3))


def step_curl(bench: Bench, count: int) -> None:
    """For reference only: curl fetching the same URLs, 16 at a time, into /dev/null."""
    config = bench.work / "curl.cfg"
    config.write_text("".join(f'url = "{bench.url}{path}"\noutput = "/dev/null"\n' for path in bench.paths),
                      encoding="utf-8")
    curl = "/usr/bin/curl"
    if not Path(curl).exists():
        say("[1] reference: no /usr/bin/curl, skipped")
        return
    runs = []
    for _ in range(count):
        runs.append(run_timed([curl, "--parallel", "--parallel-max", "16", "--silent", "--show-error",
                               "--no-progress-meter", "--fail", "-K", str(config)], log=bench.work / "curl.log"))
        served(bench, "[1] curl", 200)
    floor = median([f.wall for f in bench.extra["floor_runs"]])
    wall, cpu = median([r.wall for r in runs]), median([r.cpu for r in runs])
    say(f"[1] reference, not judged: curl --parallel --parallel-max 16, same URLs: {wall:.3f} s wall, "
        f"{cpu:.3f} s CPU (median of {count}); the aiohttp floor is {floor / wall:.1f}x curl in wall time")


def step_poll(bench: Bench) -> None:
    out, cache = bench.folder("poll-out"), bench.folder("poll-cache")
    run_newsgen(bench, "[2] newsgen's first run (untimed, fills the cache)", out, cache, 200)
    etags = str(bench.extra["etags"])
    floors, runs = alternate(
        bench, lambda: run_floor(bench, "[2] floor, conditional", 304, "--etags", etags),
        lambda: run_newsgen(bench, "[2] newsgen, nothing changed", out, cache, 304))
    walls = [r.wall / f.wall for r, f in zip(runs, floors, strict=True)]
    cpus = [r.cpu / f.cpu for r, f in zip(runs, floors, strict=True)]
    wall, line, ok = judge("[2] poll, every file 304, wall",
                           f"newsgen (warm --cache, same --out) {median([r.wall for r in runs]):.2f} s vs floor "
                           f"(If-None-Match) {median([f.wall for f in floors]):.2f} s (medians); CPU "
                           f"{median([r.cpu for r in runs]):.2f} s vs {median([f.cpu for f in floors]):.2f} s, "
                           f"{median(cpus):.2f}x", walls, POLL_WALL_MAX)
    say(line)
    bench.results.append(Result(f"[2] 304 poll wall <= {POLL_WALL_MAX}x floor", f"{wall:.2f}x ({span(walls)})",
                                wall / POLL_WALL_MAX, ok))


def step_memory(bench: Bench) -> None:
    """[5] from [1]'s cold runs: ``ru_maxrss`` of each, the largest single process of its tree."""
    runs: list[Proc] = bench.extra.get("cold_runs") or []
    if not runs:
        fail("[5] needs [1]'s cold runs")
    peak = max(r.maxrss_mb for r in runs)
    floor = max(f.maxrss_mb for f in bench.extra["floor_runs"])
    ours = own_peak_mb()
    # A child's ru_maxrss starts from its parent's peak at the fork: a figure at or
    # below this process's own peak says nothing.
    ok = peak < RSS_MAX_MB if peak > ours * 1.05 else None
    note = "" if ok is not None else f"; NOT JUDGED: the benchmark's own peak ({ours:.0f} MB) hides it"
    say(f"[5] peak RSS of the national cold run: {peak:.0f} MB (largest of {len(runs)} runs, ru_maxrss: "
        f"the largest single process of its tree, imports included); the floor {floor:.0f} MB, "
        f"this benchmark {ours:.0f} MB{note} -> {peak / RSS_MAX_MB:.2f}x the limit; target < {RSS_MAX_MB:.0f} MB: "
        f"{verdict(ok)}")
    bench.results.append(Result(f"[5] peak RSS < {RSS_MAX_MB:.0f} MB", f"{peak:.0f} MB", peak / RSS_MAX_MB, ok))
