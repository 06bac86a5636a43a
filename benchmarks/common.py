"""What the benchmark's steps share: targets, the plan of a run, results, and timing a whole process.

See ``bench.py`` for what is measured and ``README.md`` beside it for the method.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # for tests.support; `generator` as installed (or from PYTHONPATH)

# Targets (issue "Step 1: one plain pipeline on a fast fetch").
COLD_WALL_MAX = 2.5  # national cold run / aiohttp floor, wall
COLD_CPU_MAX = 3.0  # the same, CPU
POLL_WALL_MAX = 1.5  # every file answers 304 / the floor's conditional GETs, wall
RACE_CPU_MAX_MS = 1.5  # CPU per race after the fetch
HELP_MAX_S = 0.25  # newsgen --help, wall
RSS_MAX_MB = 150.0  # peak RSS of the national run
RENDER_MIN_RATE = 4_000.0  # articles/s on one core
MANY_RENDERS = 40_000
MANY_CAP_S = 40.0  # stop the long render loop here and project (the full run stays short)
UPDATE_MAX_S = 1.0  # watch: changed file served -> updated article on disk

NOW = "2024-11-28T11:00:00+08:00"
WATCHED_RACE = "pkwkp/64"  # Kalimantan Timur: real names in the synthetic tree
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Plan:
    """Sizes of one benchmark run."""

    name: str
    races: int | None  # None: every race (a national run)
    pairs: int  # alternating whole-process pairs of [1] and [2]
    cpu_pairs: int  # of [3]
    help_runs: int  # of [4]
    render_rounds: int  # of [6a]
    render_set: int | None  # stories per round of [6a]; None: all
    many: int  # renders of [6b]
    watch_interval: float
    watch_timeout: float


PLANS = {
    "full": Plan("full", None, 9, 5, 9, 5, None, MANY_RENDERS, 0.5, 60.0),
    "quick": Plan("quick", None, 3, 2, 5, 2, None, 4_000, 0.5, 60.0),
    "check": Plan("check-only", 20, 1, 1, 3, 1, 50, 50, 0.2, 30.0),
}


@dataclass
class Result:
    """One row of the summary table.

    ``budget``: the measured figure as a share of what the target allows (1.00 = exactly
    at the limit; below is better); a rate counts as the time per item.
    """

    target: str
    measured: str
    budget: float | None
    ok: bool | None  # None: could not be judged


@dataclass
class Bench:
    plan: Plan
    url: str
    server: object  # server.Server
    root: Path  # the served tree
    work: Path
    races: list[str]  # the races a run covers
    race_args: list[str]  # the newsgen flags that select them ([] for every race)
    paths: list[str] = field(default_factory=list)  # what a run fetches, in order
    results: list[Result] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # what one step leaves for the next (archive, rss)

    def folder(self, name: str) -> Path:
        """A new empty folder under the work folder."""
        count = sum(1 for p in self.work.iterdir() if p.name.startswith(name))
        path = self.work / f"{name}-{count + 1}"
        path.mkdir()
        return path


@dataclass
class Proc:
    """A finished child process, timed whole (imports and interpreter start included)."""

    args: list[str]
    wall: float
    cpu: float  # user + system, its waited-for children included
    maxrss_mb: float  # the largest single process of its tree (ru_maxrss)
    returncode: int
    output: str


def newsgen_command() -> list[str]:
    script = Path(sys.executable).with_name("newsgen")
    if not script.exists():
        fail(f"no newsgen console script beside {sys.executable} (pip install -e . in that environment)")
    return [str(script)]


def run_timed(args: list[str], *, log: Path, timeout: float = 600.0, check: bool = True) -> Proc:
    """Run ``args`` to the end; wall time, CPU and peak RSS from ``os.wait4``. Output goes to ``log``."""
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    done = Proc(args, wall, usage.ru_utime + usage.ru_stime, rss_mb(usage.ru_maxrss), proc.returncode,
                log.read_text(encoding="utf-8", errors="replace"))
    if check and done.returncode != 0:
        fail(f"{' '.join(args[:3])} ... exited {done.returncode}:\n{done.output[-3000:]}")
    return done


def rss_mb(value: int) -> float:
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024  # bytes on macOS, KiB on Linux


def own_peak_mb() -> float:
    """This process's peak RSS. A child's ``ru_maxrss`` is never below its parent's at the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def articles(out: Path) -> int:
    """Markdown files in an output folder, bookkeeping folders (``_x``, ``.x``) left out."""
    return sum(1 for p in out.rglob("*.md") if not any(part[0] in "_." for part in p.relative_to(out).parts))


def median(values: list[float]) -> float:
    return statistics.median(values)


def span(values: list[float], unit: str = "x", digits: int = 2) -> str:
    return f"{min(values):.{digits}f}{unit}-{max(values):.{digits}f}{unit}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def say(line: str = "") -> None:
    print(line, flush=True)


def fail(message: str) -> None:
    """A step that could not run: the benchmark itself is broken."""
    raise SystemExit(f"bench: error: {message}")
