"""[2] render throughput on one core against bare Jinja, and [3] 40,000 renders."""

from __future__ import annotations

import os
import time
from typing import Any

from common import (
    MANY_CAP_SECONDS,
    MANY_MAX_SECONDS,
    MANY_RENDERS,
    RENDER_MAX_RATIO,
    RENDER_MIN_RATE,
    Bench,
    Result,
    fail,
    say,
)

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
