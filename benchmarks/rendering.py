"""[6] render throughput on one core: [6a] the set of stories rendered in rounds, [6b] 40,000 renders.

Runs in a child process (``python benchmarks/rendering.py ARCHIVE ...``), pinned to
one CPU, through the APIs that stay: the races of [3]'s archive replayed by
``generator.sources.live.replay_archive``, stories from ``generator.story.build_story``
with ``generator.phrases.Phrases.load()`` and ``generator.config.load_config()``, text
from ``generator.render.Renderer(config).body(story)``. Stories are not cross-linked
(no "Baca Juga" lines): linking is not one of those APIs. A child keeps the stories out
of the benchmark's own memory, which [5]'s figures would otherwise inherit.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from common import (
    MANY_CAP_S,
    MANY_RENDERS,
    RENDER_MIN_RATE,
    Bench,
    Result,
    fail,
    plural,
    run_timed,
    say,
    verdict,
)


def measure(archive: Path, rounds: int, count: int | None, many: int) -> dict:
    """In the child: build the stories untimed, then time the renders on one CPU."""
    from generator.config import load_config
    from generator.phrases import Phrases
    from generator.render import Renderer
    from generator.sources.live import Selection, replay_archive
    from generator.sources.read import built
    from generator.story import build_story

    config, phrases = load_config(), Phrases.load()
    items = built(replay_archive(archive, Selection()).items)
    snapshots = [i for i in items if not isinstance(i, Exception) and getattr(i, "has_data", True)]
    stories = [build_story(snapshot, config, phrases) for snapshot in snapshots]
    if not stories:
        raise SystemExit(f"no race with data in {archive} ({len(items)} items)")
    renderer = Renderer(config)
    pinned = "not pinned (no sched_setaffinity)"
    if hasattr(os, "sched_setaffinity"):
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        pinned = f"pinned to CPU {cpu}"
    renderer.body(stories[0])  # anything compiled on first use, untimed
    order = [i % len(stories) for i in range(count or len(stories))]
    times = []
    for _ in range(rounds):
        started = time.process_time()
        texts = [renderer.body(stories[i]) for i in order]
        times.append(time.process_time() - started)
        if not all(texts):
            raise SystemExit("a render produced no text")
    done = chars = 0
    started = time.perf_counter()
    deadline = started + MANY_CAP_S
    while done < many:
        chars += len(renderer.body(stories[done % len(stories)]))
        done += 1
        if done % 500 == 0 and time.perf_counter() > deadline:
            break
    elapsed = time.perf_counter() - started
    return {"stories": len(stories), "set": len(order), "times": times, "many_done": done, "many_wall": elapsed,
            "chars": chars, "pinned": pinned}


def step_render(bench: Bench) -> None:
    archive = bench.extra.get("archive")
    if archive is None:
        fail("[6] needs [3]'s archive")
    plan = bench.plan
    proc = run_timed([sys.executable, str(Path(__file__).resolve()), str(archive), str(plan.render_rounds),
                      str(plan.render_set or 0), str(plan.many)], log=bench.work / "render.log")
    got = json.loads(proc.output.strip().splitlines()[-1])
    rates = [got["set"] / t for t in got["times"]]
    rate = max(rates)
    ok = rate >= RENDER_MIN_RATE
    say(f"[6a] render throughput, one core ({got['pinned']}): Renderer.body {rate:,.0f} articles/s, best of "
        f"{plural(len(rates), 'round')} of {got['set']} renders ({got['stories']} stories, unlinked; CPU time; the "
        f"first round, before the escape cache holds the night's names: {rates[0]:,.0f}/s) -> "
        f"{RENDER_MIN_RATE / rate:.2f}x the time allowed; target >= {RENDER_MIN_RATE:,.0f}/s: {verdict(ok)}")
    bench.results.append(Result(f"[6a] render >= {RENDER_MIN_RATE:,.0f} articles/s, one core", f"{rate:,.0f}/s",
                                RENDER_MIN_RATE / rate, ok))
    done, wall = got["many_done"], got["many_wall"]
    if got["chars"] == 0:
        fail("[6b] the renders produced no text")
    limit = MANY_RENDERS / RENDER_MIN_RATE
    projected = wall * MANY_RENDERS / done
    note = "" if done == MANY_RENDERS else f", projected to {MANY_RENDERS:,}: {projected:.1f} s"
    measured = f"{wall:.1f} s" if done == MANY_RENDERS else f"{projected:.1f} s (projected)"
    ok = projected <= limit
    say(f"[6b] {done:,} article renders in a row ({got['stories']} stories repeated, one core): {wall:.2f} s wall, "
        f"{done / wall:,.0f} articles/s{note} -> {projected / limit:.2f}x the time allowed; target "
        f"{MANY_RENDERS:,} <= {limit:.0f} s: {verdict(ok)}")
    bench.results.append(Result(f"[6b] {MANY_RENDERS:,} renders <= {limit:.0f} s, one core", measured,
                                projected / limit, ok))


if __name__ == "__main__":
    archive_arg, rounds_arg, set_arg, many_arg = sys.argv[1:5]
    print(json.dumps(measure(Path(archive_arg), int(rounds_arg), int(set_arg) or None, int(many_arg))))
