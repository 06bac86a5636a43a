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
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Targets of issue 7.
NATIONAL_MAX_RATIO = 1.5
RENDER_MIN_RATE = 2_000.0
RENDER_MAX_RATIO = 2.0
MANY_RENDERS = 40_000
MANY_MAX_SECONDS = 30.0
MANY_CAP_SECONDS = 60.0  # stop [3] here and extrapolate (a full run stays under ~4 minutes)
RSS_MAX_MB = 300.0
UPDATE_MAX_SECONDS = 1.0
WATCH_INTERVAL = 0.1
TS_FORMAT = "%Y-%m-%d %H:%M:%S"
CHANGED_RACE = "pkwkp/64"  # Kalimantan Timur: real names in the synthetic tree


@dataclass(frozen=True)
class Plan:
    """Sizes of one benchmark run."""

    name: str
    races: int | None  # None: every race
    national_reps: int
    render_rounds: int  # of [2], each renders the set once per side
    render_set: int | None  # stories per round of [2]; None: all
    many: int  # renders of [3]
    watch_timeout: float


PLANS = {
    "full": Plan("full", None, 15, 5, None, MANY_RENDERS, 60.0),
    "quick": Plan("quick", None, 5, 2, None, 4_000, 60.0),
    "check": Plan("check-only", 20, 1, 1, 50, 50, 30.0),
}


@dataclass
class Result:
    """One row of the summary table."""

    target: str
    measured: str
    ok: bool | None  # None: not judged


@dataclass
class Bench:
    plan: Plan
    url: str
    root: Path
    work: Path
    races: list[str]
    results: list[Result] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)  # snapshots of one national fetch

    @property
    def selection(self) -> Any:
        from generator.sources import live

        return live.Selection() if self.plan.races is None else live.Selection(races=tuple(self.races))


def say(line: str = "") -> None:
    print(line, flush=True)


def fail(message: str) -> None:
    """A step that produced nothing usable: the benchmark itself is broken."""
    raise SystemExit(f"bench: error: {message}")


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


# -- [1] national run vs fetch floor ------------------------------------------------------


def discover_paths(url: str, selection: Any) -> tuple[list[tuple[str, int]], list[Any]]:
    """Every request a national run makes (path, status), and the items it produced (untimed)."""
    import httpx

    from generator.fetch import FetchSettings
    from generator.sources import live

    settings = FetchSettings()
    seen: list[tuple[str, int]] = []

    class Recorder(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            limits = httpx.Limits(max_connections=settings.concurrency,
                                  max_keepalive_connections=settings.concurrency)
            self.inner = httpx.AsyncHTTPTransport(limits=limits)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            seen.append((request.url.path, response.status_code))
            return response

        async def aclose(self) -> None:
            await self.inner.aclose()

    run = live.fetch_live(url, selection, settings=settings, transport=Recorder())
    return seen, run.items


def fetch_floor(url: str, paths: list[tuple[str, int]]) -> float:
    """Seconds to GET every path (same client factory, settings and concurrency) and parse the JSON."""
    from generator.fetch import FetchSettings, build_client

    settings = FetchSettings()

    async def main() -> None:
        async with build_client(settings) as client:
            semaphore = asyncio.Semaphore(settings.concurrency)

            async def one(path: str, status: int) -> None:
                async with semaphore:
                    response = await client.get(url + path)
                if response.status_code != status:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}, the national run saw {status}")
                if status == 200:
                    json.loads(response.content)

            await asyncio.gather(*(one(p, s) for p, s in paths))

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started


@dataclass
class National:
    wall: float
    fetch: float
    generate: float
    written: int
    held_back: list[tuple[str, str]]


def national_once(url: str, selection: Any, work: Path) -> National:
    """What ``newsgen generate --source sirekap`` does after startup: config, fetch (cold cache), generate."""
    from generator.config import load_config
    from generator.helpers import read_and_generate
    from generator.fetch import FetchSettings
    from generator.sources import live

    started = time.perf_counter()
    config = load_config()
    runs: list[Any] = []
    fetched = started

    def read(on_files: Any) -> list:
        nonlocal fetched
        runs.append(live.fetch_live(url, selection, settings=FetchSettings(), cache=work / "cache", on_files=on_files))
        fetched = time.perf_counter()
        return runs[0].items

    report = read_and_generate(read, config, work / "out")  # as `newsgen generate --source sirekap`
    done = time.perf_counter()
    return National(done - started, fetched - started, done - fetched, len(report.written),
                    list(report.held_back))


def step_national(bench: Bench) -> None:
    paths, bench.items = discover_paths(bench.url, bench.selection)
    if not paths:
        fail("[1] the national run made no requests")
    national_once(bench.url, bench.selection, Path(tempfile.mkdtemp(dir=bench.work)))  # warm-up (imports, caches)
    floors, runs = [], []
    for rep in range(bench.plan.national_reps):
        # Alternate, so drift hits both sides, and swap the order within every other
        # pair, so neither side always runs first (the other just after a cold start).
        # Each starts without the garbage of the ones before, as a `newsgen generate` process does.
        for floor_now in ((True, False) if rep % 2 == 0 else (False, True)):
            gc.collect()
            if floor_now:
                floors.append(fetch_floor(bench.url, paths))
            else:
                runs.append(national_once(bench.url, bench.selection, Path(tempfile.mkdtemp(dir=bench.work))))
    best = min(runs, key=lambda r: r.wall)
    floor = min(floors)
    expected = len(bench.races)
    if best.written != expected or best.held_back:
        message = f"[1] expected {expected} articles written, got {best.written}; held back: {best.held_back[:3]}"
        if bench.plan.name == "check-only":
            fail(message)
        say(f"WARNING: {message}")
    # This machine's speed drifts from second to second (see the README). A floor and a
    # national run measured back to back are the fairest pair, and the median of the
    # pairs' ratios is the judged figure: measuring a workload known to be 1.5x another,
    # 15 pairs gave 1.48x-1.53x by their median, 1.39x-1.52x best against best.
    pairs = sorted(r.wall / f for r, f in zip(runs, floors, strict=True))
    ratio = pairs[len(pairs) // 2] if len(pairs) % 2 else sum(pairs[len(pairs) // 2 - 1:][:2]) / 2
    say(f"[1] national run: {best.wall:.2f} s for {best.written} races at best (fetch into a cold cache, helpers "
        f"drafting, {best.fetch:.2f} s + the rest of validate/render/audit/write {best.generate:.2f} s) vs fetch "
        f"floor {floor:.2f} s at best ({len(paths)} files); {len(pairs)} back-to-back pairs: "
        f"{', '.join(f'{x:.2f}x' for x in pairs)} -> median {ratio:.2f}x floor (target <= {NATIONAL_MAX_RATIO}x; "
        f"best against best {best.wall / floor:.2f}x)")
    bench.results.append(Result(f"national run <= {NATIONAL_MAX_RATIO}x fetch floor (median of pairs)",
                                f"{ratio:.2f}x", ratio <= NATIONAL_MAX_RATIO))


# -- [2] and [3] rendering --------------------------------------------------------------------


def pin_one_core() -> tuple[set[int] | None, str]:
    if not hasattr(os, "sched_setaffinity"):
        return None, "not pinned (no sched_setaffinity)"
    before = os.sched_getaffinity(0)
    cpu = max(before)
    os.sched_setaffinity(0, {cpu})
    return before, f"pinned to CPU {cpu}"


def unpin(before: set[int] | None) -> None:
    if before is not None:
        os.sched_setaffinity(0, before)


def prepare_stories(items: list[Any]) -> tuple[Any, list[Any], Any, list[dict[str, Any]]]:
    """Stories (built and linked once), the renderer, and bare-Jinja contexts for them."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from generator.config import data_path, load_config
    from generator.links import link_stories
    from generator.models import RaceSnapshot
    from generator.phrases import Phrases
    from generator.render import Renderer
    from generator.story import build_story

    config = load_config()
    phrases = Phrases.load()
    snapshots = [i for i in items if isinstance(i, RaceSnapshot) and i.has_data]
    stories = link_stories([build_story(s, config, phrases) for s in snapshots], config)
    renderer = Renderer(config)
    env = Environment(
        loader=FileSystemLoader(str(data_path("templates", "id"))),
        undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        autoescape=False,
    )
    template = env.get_template("article.md.j2")
    contexts = []
    for story in stories:
        stock = {name: str(renderer.stock(name, story)) for name in renderer.stock_names}
        contexts.append({"story": story, "stock": stock.__getitem__, "publication": config.publication})
    return renderer, stories, template, contexts


def step_render(bench: Bench) -> tuple[Any, list[Any]]:
    from generator.render import _tidy

    renderer, stories, template, contexts = prepare_stories(bench.items)
    if not stories:
        fail("[2] no stories to render")
    n = bench.plan.render_set or len(stories)
    order = [i % len(stories) for i in range(n)]
    same = sum(_tidy(template.render(**contexts[i])) == renderer.body(stories[i]) for i in range(len(stories)))
    before, pinned = pin_one_core()
    try:
        ours, bare = [], []
        for _ in range(bench.plan.render_rounds):
            started = time.perf_counter()
            texts = [renderer.body(stories[i]) for i in order]
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            plain = [template.render(**contexts[i]) for i in order]
            bare.append(time.perf_counter() - started)
            if not all(texts) or not all(plain):
                fail("[2] a render produced no text")
    finally:
        unpin(before)
    rate, bare_rate = n / min(ours), n / min(bare)
    ratio = bare_rate / rate
    say(f"[2] render throughput ({pinned}): newsgen Renderer.body {rate:,.0f} articles/s, bare Jinja "
        f"{bare_rate:,.0f} articles/s -> {ratio:.2f}x bare Jinja ({n} stories per round, best of "
        f"{len(ours)}; bare output equals newsgen's for {same} of {len(stories)}; "
        f"targets >= {RENDER_MIN_RATE:,.0f}/s and <= {RENDER_MAX_RATIO}x)")
    bench.results.append(Result(f"render >= {RENDER_MIN_RATE:,.0f} articles/s, one core", f"{rate:,.0f}/s",
                                rate >= RENDER_MIN_RATE))
    bench.results.append(Result(f"render <= {RENDER_MAX_RATIO}x bare Jinja", f"{ratio:.2f}x",
                                ratio <= RENDER_MAX_RATIO))
    return renderer, stories


def step_many(bench: Bench, renderer: Any, stories: list[Any]) -> None:
    total = bench.plan.many
    before, pinned = pin_one_core()
    done = 0
    chars = 0
    started = time.perf_counter()
    deadline = started + MANY_CAP_SECONDS
    try:
        while done < total:
            chars += len(renderer.body(stories[done % len(stories)]))
            done += 1
            if done % 500 == 0 and time.perf_counter() > deadline:
                break
    finally:
        unpin(before)
    elapsed = time.perf_counter() - started
    if chars == 0:
        fail("[3] the renders produced no text")
    projected = elapsed * MANY_RENDERS / done
    if done == MANY_RENDERS:
        measured, note = f"{elapsed:.1f} s", ""
    elif done == total:
        measured, note = f"{projected:.1f} s (projected)", f", projected to {MANY_RENDERS:,}: {projected:.1f} s"
    else:
        measured = f"{projected:.1f} s (projected)"
        note = f"; stopped after {MANY_CAP_SECONDS:.0f} s, projected to {MANY_RENDERS:,}: {projected:.1f} s"
    say(f"[3] {done:,} article renders ({len(stories)} stories repeated, {pinned}): {elapsed:.1f} s, "
        f"{done / elapsed:,.0f} articles/s{note} (target {MANY_RENDERS:,} < {MANY_MAX_SECONDS:.0f} s)")
    bench.results.append(Result(f"{MANY_RENDERS:,} renders < {MANY_MAX_SECONDS:.0f} s", measured,
                                projected < MANY_MAX_SECONDS))


# -- [4] peak memory --------------------------------------------------------------------------


def national_child(url: str, races: str, work: Path) -> None:
    """``--national-child URL``: one national run in this fresh process; print figures as JSON."""
    from generator.sources import live

    started = time.perf_counter()
    selection = live.Selection(races=tuple(races.split(","))) if races else live.Selection()
    result = national_once(url, selection, work)
    usage = own_peak_rss()
    helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest helper process
    from generator.helpers import default_processes

    print(json.dumps({"wall": time.perf_counter() - started, "run": result.wall, "written": result.written,
                      "held_back": len(result.held_back), "maxrss": usage, "helper_maxrss": helper,
                      "helpers": default_processes()}), flush=True)


def own_peak_rss() -> int:
    """This process's peak RSS, in ``ru_maxrss`` units.

    Linux's ``ru_maxrss`` survives ``exec``: a child started by this benchmark
    would report the parent's peak when that is higher (the parent holds the
    national set of stories by then). ``VmHWM`` is the peak of this program alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])  # KiB, as ru_maxrss on Linux
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_mb(value: int) -> float:
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024  # bytes on macOS, KiB on Linux


def step_memory(bench: Bench) -> None:
    work = Path(tempfile.mkdtemp(dir=bench.work))
    races = "" if bench.plan.races is None else ",".join(bench.races)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--national-child", bench.url, "--races", races,
         "--work", str(work)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    process_wall = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.strip():
        fail(f"[4] the national child failed (exit {done.returncode}): {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    main_mb, helper_mb = rss_mb(figures["maxrss"]), rss_mb(figures["helper_maxrss"])
    # Helpers are forked and share most pages with the main process; adding their whole
    # peaks counts those pages again, so the total is an upper bound.
    mb = main_mb + figures["helpers"] * helper_mb
    if figures["written"] != len(bench.races):
        fail(f"[4] the national child wrote {figures['written']} articles, expected {len(bench.races)}")
    say(f"[4] peak RSS of a national run: at most {mb:.0f} MB (main process {main_mb:.0f} MB, fresh, imports "
        f"included, + {figures['helpers']} helper(s) of at most {helper_mb:.0f} MB each, shared pages counted again); "
        f"that process: run {figures['run']:.2f} s, {process_wall:.2f} s with interpreter start "
        f"(target < {RSS_MAX_MB:.0f} MB)")
    bench.results.append(Result(f"peak RSS < {RSS_MAX_MB:.0f} MB", f"{mb:.0f} MB", mb < RSS_MAX_MB))


# -- [5] watch mode ---------------------------------------------------------------------------


@dataclass
class Cycle:
    number: int
    start: float
    fetched: float
    end: float
    report: Any


def bump_race(root: Path, race: str) -> int:
    """Add one vote for the leader (chart and one table row) and 15 minutes to ``ts``; return its new total."""
    from generator.sources import sirekap
    from tests.support.synthetic_tree import dump_json

    path = root / sirekap.tally_path(race).lstrip("/")
    data = json.loads(path.read_bytes())
    chart = data["tungsura"]["chart"]
    leader = max((k for k in chart if k != "progres"), key=lambda k: chart[k])
    chart[leader] += 1
    row = next(r for r in data["tungsura"]["table"].values() if r.get("status_progress") and leader in r)
    row[leader] += 1
    data["ts"] = (datetime.strptime(data["ts"], TS_FORMAT) + timedelta(minutes=15)).strftime(TS_FORMAT)
    temp = path.with_suffix(".tmp")
    temp.write_bytes(dump_json(data))
    os.replace(temp, path)  # the server never sees half a file
    return int(chart[leader])


def step_watch(bench: Bench) -> None:
    from generator.config import load_config
    from generator.fetch import FetchSettings
    from generator.formatting import format_votes
    from generator.phrases import Phrases
    from generator.pipeline import Report, generate
    from generator.render import Renderer
    from generator.sources import live
    from generator.watch import Poll, watch

    work = Path(tempfile.mkdtemp(dir=bench.work))
    out, cache = work / "out", work / "cache"
    race = CHANGED_RACE if CHANGED_RACE in bench.races else bench.races[0]
    # What `newsgen watch --source sirekap` builds: one config, renderer and phrases; a cache for
    # conditional requests; fetch then generate every cycle.
    config = load_config()
    renderer, phrases = Renderer(config), Phrases.load()
    settings, selection = FetchSettings(), bench.selection
    cycles: list[Cycle] = []
    logs: list[str] = []
    ready = threading.Condition()

    # As `newsgen watch` does: a changed race is written as soon as its files arrive (Poll),
    # unchanged races are not worked out again (memo).
    memo: dict = {}
    fetched_at: list[float] = []

    arrivals: list[tuple[float, str | None]] = []  # when the watched race's data reached the poll

    def load(on_item: Any) -> list:
        def arrived(item: Any) -> None:
            if getattr(item, "race", None) == race:
                arrivals.append((time.monotonic(), getattr(item, "data_sha256", None)))
            on_item(item)

        run = live.fetch_live(bench.url, selection, settings=settings, cache=cache, on_item=arrived)
        fetched_at.append(time.monotonic())
        return run.items

    poll = Poll(load, lambda items: generate(items, config, out, renderer=renderer, phrases=phrases, memo=memo))

    def cycle() -> Report:
        start = time.monotonic()
        report = poll()
        with ready:
            cycles.append(Cycle(len(cycles) + 1, start, fetched_at[-1], time.monotonic(), report))
            ready.notify_all()
        return report

    def wait_for(predicate: Any, timeout: float, what: str) -> None:
        with ready:
            if not ready.wait_for(predicate, timeout=timeout):
                raise TimeoutError(f"{what} within {timeout:.0f} s; log: {logs[-3:]}")

    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(cycle,), daemon=True,
                              kwargs={"interval": WATCH_INTERVAL, "log": logs.append, "stop": stop})
    thread.start()
    try:
        wait_for(lambda: len(cycles) >= 2, bench.plan.watch_timeout * 2, "no two cycles")  # full, then steady
        first = cycles[0].report
        paths = dict(first.written)
        if race not in paths:
            fail(f"[5] the first watch cycle did not write {race}: {first.summary()}")
        article = Path(paths[race])
        steady = cycles[1]
        old_data = arrivals[-1][1]
        new_total = bump_race(bench.root, race)
        figure = format_votes(new_total)
        changed = time.monotonic()
        deadline = changed + bench.plan.watch_timeout
        seen = None
        while time.monotonic() < deadline:
            if figure in article.read_text(encoding="utf-8"):
                seen = time.monotonic()
                break
            time.sleep(0.01)  # coarse enough not to slow the watch thread (GIL)
        if seen is None:
            say(f"[5] one race changed ({race}): FAIL, the article did not show {figure} within "
                f"{bench.plan.watch_timeout:.0f} s; log: {logs[-3:]}")
            bench.results.append(Result(f"one-race update < {UPDATE_MAX_SECONDS:.0f} s after the poll sees it",
                                        "never", False))
            if bench.plan.name == "check-only":
                fail("[5] the watched article was never updated")
            return
        wait_for(lambda: any(race in dict(c.report.written) for c in cycles[2:]), 30, "no cycle reported the write")
        saw = next(c for c in cycles[2:] if race in dict(c.report.written))
    finally:
        stop.set()
        thread.join(timeout=120)
    from_poll = seen - saw.start
    others = len(saw.report.unchanged)
    # The poll sees the change when the race's new data reaches it (the source's on_item).
    receipt = next((at for at, data in arrivals if data != old_data), None)
    after_receipt = seen - receipt if receipt is not None else None
    received = f"{after_receipt:.2f} s after the poll received the changed data; " if after_receipt is not None else ""
    say(f"[5] one race changed in watch mode ({race}, interval {WATCH_INTERVAL} s): article on disk "
        f"{seen - changed:.2f} s after the change; {received}{from_poll:.2f} s after the start of the poll that saw it "
        f"(cycle {saw.number}: fetch {saw.fetched - saw.start:.2f} s, generate {saw.end - saw.fetched:.2f} s, "
        f"1 written, {others} unchanged); an unchanged poll takes {steady.end - steady.start:.2f} s "
        f"(fetch {steady.fetched - steady.start:.2f} s) (target < {UPDATE_MAX_SECONDS:.0f} s after the poll sees it)")
    # "After the poll sees it": from the moment the poll received the changed file.
    latency = after_receipt if after_receipt is not None else from_poll
    bench.results.append(Result(f"one-race update < {UPDATE_MAX_SECONDS:.0f} s after the poll sees it",
                                f"{latency:.2f} s", latency < UPDATE_MAX_SECONDS))


# -- profile ----------------------------------------------------------------------------------


def step_profile(bench: Bench) -> None:
    import cProfile
    import pstats

    national_once(bench.url, bench.selection, Path(tempfile.mkdtemp(dir=bench.work)))  # warm-up
    profiler = cProfile.Profile()
    profiler.enable()
    result = national_once(bench.url, bench.selection, Path(tempfile.mkdtemp(dir=bench.work)))
    profiler.disable()
    say(f"profile of one national run ({result.wall:.2f} s under the profiler: fetch {result.fetch:.2f} s, "
        f"generate {result.generate:.2f} s)")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


# -- main ---------------------------------------------------------------------------------------


def step_calibrate(bench: Bench, pairs: int = 15, rounds: int = 3) -> None:
    """``--calibrate``: how well [1]'s method reads a ratio known in advance (three floors against two: 1.5x)."""
    paths, _ = discover_paths(bench.url, bench.selection)

    def floors(count: int) -> float:
        gc.collect()
        return sum(fetch_floor(bench.url, paths) for _ in range(count))

    floors(1)  # warm-up
    for _ in range(rounds):
        twos, threes = [], []
        for rep in range(pairs):
            for count in ((2, 3) if rep % 2 == 0 else (3, 2)):
                (twos if count == 2 else threes).append(floors(count))
        ratios = sorted(b / a for a, b in zip(twos, threes, strict=True))
        say(f"known 1.50x: median of {pairs} pairs {ratios[pairs // 2]:.3f}x, best against best "
            f"{min(threes) / min(twos):.3f}x (pairs {ratios[0]:.2f}x-{ratios[-1]:.2f}x)")


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
