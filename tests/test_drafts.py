"""Drafts and helper processes change no byte of the output; a failing helper costs only speed."""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import time
import weakref
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from generator import helpers
from generator.config import load_config
from generator.drafts import (
    DRAFT_NOW,
    PLACEHOLDERS,
    fill_links,
    fill_time,
    finish,
    make_draft,
    story_repr,
)
from generator.errors import TemplateError
from generator.formatting import to_zone
from generator.helpers import Drafter, read_and_generate
from generator.output import Existing
from generator.phrases import Phrases
from generator.pipeline import _fingerprint, generate, place, prepare
from generator.render import Renderer
from generator.sources import live
from generator.sources.files import read_file
from generator.story import Link
from generator.writer import Writer

from .conftest import EXAMPLE_DATA, REPO
from .support.sirekap_server import SirekapServer
from .test_live import FAST as LIVE_FAST
from .test_live import KALTIM_RACES, make_kaltim_tree, needs_shared
from .test_output import changed_kaltim
from .test_render import broken_stock_config

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.yaml"))
NOW = datetime.fromisoformat("2024-11-28T12:00:00+08:00")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def all_items() -> list:
    """The example night and every scenario: 13 races, some with an older snapshot."""
    return [item for path in [EXAMPLE_DATA, *SCENARIOS] for item in read_file(path)]


def drafted_in_process(items: list, out: Path, now: datetime | None = None) -> dict:
    """The memo helper processes would send, made here (what each helper runs per race)."""
    config, phrases = load_config(), Phrases.load()
    renderer, writer = Renderer(config), Writer(out)
    memo: dict = {"_slugs": {}}
    for item in items:
        entry = helpers._draft_one(item, config, phrases, renderer, writer, {}, False, now)
        if entry is not None:
            memo[item.race], memo["_slugs"][item.race] = entry
    return memo


class CountingRenderer(Renderer):
    """Counts the articles rendered in this process."""

    rendered = 0

    def body(self, story):  # type: ignore[no-untyped-def]
        CountingRenderer.rendered += 1
        return super().body(story)


@pytest.mark.parametrize("now", [None, datetime.fromisoformat("2024-11-28T12:00:00+08:00")], ids=["data-time", "--now"])
def test_drafted_run_is_byte_identical_to_a_plain_run(tmp_path, now):
    items = all_items()
    plain, drafted = tmp_path / "plain", tmp_path / "drafted"
    expected = generate(items, load_config(), plain, now=now)
    memo = drafted_in_process(items, drafted, now)
    CountingRenderer.rendered = 0
    report = generate(items, load_config(), drafted, now=now, memo=memo,
                      renderer=CountingRenderer(load_config()))
    assert tree(drafted) == tree(plain)
    assert (len(report.written), report.held_back) == (len(expected.written), expected.held_back)
    # The drafts were used: only races with an older snapshot in the input (their update
    # note compares with it, which a helper cannot know) were rendered again.
    updates = {item.race for item in items} - {race for race in memo if race != "_slugs" and memo[race][0][1] is None}
    assert CountingRenderer.rendered == len(updates) < len(expected.written)


def test_a_rerun_over_existing_articles_with_drafts_is_identical(tmp_path):
    items = read_file(EXAMPLE_DATA)
    plain, drafted = tmp_path / "plain", tmp_path / "drafted"
    for out in (plain, drafted):
        generate(items, load_config(), out)
    newer = read_file(changed_kaltim(tmp_path))  # Kaltim moved on: its article gets an update note
    generate(newer, load_config(), plain, now=datetime.fromisoformat("2024-11-29T08:00:00+08:00"))
    generate(newer, load_config(), drafted, now=datetime.fromisoformat("2024-11-29T08:00:00+08:00"),
             memo=drafted_in_process(newer, drafted))
    assert tree(drafted) == tree(plain)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_helper_processes_give_the_same_articles(tmp_path, monkeypatch, start):
    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} start method on this platform")
    monkeypatch.setattr(helpers, "_context", lambda: multiprocessing.get_context(start))
    items = read_file(EXAMPLE_DATA)
    generate(items, load_config(), tmp_path / "plain")
    with Drafter(load_config(), tmp_path / "drafted", processes=2) as drafter:
        for item in items:
            drafter.submit(item)
        memo = drafter.collect()
    assert sorted(race for race in memo if race != "_slugs") == sorted(item.race for item in items)
    report = generate(items, load_config(), tmp_path / "drafted", memo=memo)
    assert len(report.written) == 3
    assert tree(tmp_path / "drafted") == tree(tmp_path / "plain")


def test_read_and_generate_without_helpers_is_generate(tmp_path):
    items = read_file(EXAMPLE_DATA)
    given: list = []
    report = read_and_generate(lambda on_files: given.append(on_files) or items, load_config(), tmp_path, processes=0)
    assert given == [None] and len(report.written) == 3  # without helpers the source builds its snapshots


def handing_over(items: list):
    """A source that hands each item to the helpers as it is read."""

    def load(on_files):
        for item in items:
            if on_files is not None:
                on_files(item)
        return items

    return load


def test_the_main_process_compiles_no_template_when_the_helpers_drafted_every_race(tmp_path, monkeypatch):
    compiled: list = []  # in this process only (a helper appends to its own copy)
    original = Renderer._compile
    monkeypatch.setattr(Renderer, "_compile", lambda self: compiled.append(1) or original(self))
    items = read_file(EXAMPLE_DATA)
    report = read_and_generate(handing_over(items), load_config(), tmp_path / "out", processes=1)
    assert len(report.written) == 3 and compiled == []
    report = read_and_generate(lambda on_files: items, load_config(), tmp_path / "plain", processes=0)
    assert len(report.written) == 3 and compiled == [1]


def test_the_main_process_compiles_the_templates_for_a_race_the_helpers_could_not_draft(tmp_path, monkeypatch):
    compiled: list = []
    original = Renderer._compile
    monkeypatch.setattr(Renderer, "_compile", lambda self: compiled.append(1) or original(self))
    items = all_items()  # races with an older snapshot are worked out again here (their update note)
    generate(items, load_config(), tmp_path / "plain")
    compiled.clear()
    read_and_generate(handing_over(items), load_config(), tmp_path / "drafted", processes=1)
    assert compiled == [1]
    assert tree(tmp_path / "drafted") == tree(tmp_path / "plain")


def test_a_broken_stock_sentence_stops_a_run_with_helpers_before_any_race(tmp_path, capfd):
    config = broken_stock_config(tmp_path)
    with pytest.raises(TemplateError, match="publication.yaml: stock sentence"):
        read_and_generate(handing_over(read_file(EXAMPLE_DATA)), config, tmp_path / "out", processes=1)
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in capfd.readouterr().err  # the helper leaves the message to the main process


def test_the_garbage_collector_is_off_during_a_run_and_restored_after(tmp_path):
    items = read_file(EXAMPLE_DATA)
    seen: list = []
    kept: list = []

    def load(on_files):
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        kept.append([object()])  # made during the run and kept after it
        return items

    gc.collect()
    assert gc.isenabled()
    read_and_generate(load, load_config(), tmp_path, processes=0)
    assert seen == [(False, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # In the oldest generation, not left for the next young collection to scan with the whole run.
    assert any(o is kept[0] for o in gc.get_objects(generation=2))

    def failing(on_files):
        raise RuntimeError("network down")

    with pytest.raises(RuntimeError):
        read_and_generate(failing, load_config(), tmp_path, processes=0)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_garbage_of_a_run_is_collected_before_the_next_one(tmp_path):
    items = read_file(EXAMPLE_DATA)

    class Node:
        pass

    refs: list = []

    def first(on_files):
        node = Node()
        node.itself = node  # a cycle: only the collector frees it
        refs.append(weakref.ref(node))
        return items

    read_and_generate(first, load_config(), tmp_path, processes=0)
    seen: list = []
    read_and_generate(lambda on_files: seen.append(refs[0]() is None) or items, load_config(), tmp_path,
                      processes=0)
    assert seen == [True]


def test_drafts_come_back_while_the_fetch_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(helpers, "BATCH_IDLE", 1)  # the example has only three races
    items = read_file(EXAMPLE_DATA)
    with Drafter(load_config(), tmp_path, processes=1) as drafter:
        for item in items:
            drafter.submit(item)
        _, batches = drafter._receivers[0]
        deadline = time.monotonic() + 30
        while not batches and time.monotonic() < deadline:
            time.sleep(0.01)
        assert batches  # before the fetch ends (collect), the idle helper has sent its drafts
        memo = drafter.collect()
    assert sorted(race for race in memo if race != "_slugs") == sorted(item.race for item in items)


def test_a_helper_that_dies_costs_only_speed(tmp_path):
    items = read_file(EXAMPLE_DATA)
    started = time.monotonic()
    with Drafter(load_config(), tmp_path, processes=1) as drafter:
        process = drafter._helpers[0][0]
        process.kill()
        process.join()
        for item in items:
            drafter.submit(item)  # into a closed pipe: ignored
        memo = drafter.collect()
    assert memo == {"_slugs": {}}
    assert time.monotonic() - started < 10
    report = generate(items, load_config(), tmp_path, memo=memo)
    assert len(report.written) == 3


def test_a_failed_read_ends_the_helpers_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="network down"), Drafter(load_config(), tmp_path, processes=2) as drafter:
        processes = [helper[0] for helper in drafter._helpers]
        for item in read_file(EXAMPLE_DATA):
            drafter.submit(item)
        raise RuntimeError("network down")
    assert time.monotonic() - started < 5
    assert not any(process.is_alive() for process in processes)


def test_helpers_never_start_on_one_cpu(monkeypatch):
    monkeypatch.setattr(helpers.os, "sched_getaffinity", lambda _: {0}, raising=False)
    assert helpers.default_processes() == 0
    monkeypatch.setattr(helpers.os, "sched_getaffinity", lambda _: set(range(16)), raising=False)
    assert helpers.default_processes() == 4


# -- when a draft does not fit, it is not used ------------------------------------------------


@pytest.fixture
def kaltim(tmp_path):
    """The Kaltim race prepared and placed, with its draft."""
    config, phrases = load_config(), Phrases.load()
    snapshot = next(i for i in read_file(EXAMPLE_DATA) if i.race == "pkwkp/64")
    work = prepare(snapshot, None, config, phrases, Writer(tmp_path), False, None)
    place(work, config, snapshot.timestamp, {})
    draft = make_draft(work.story, snapshot, Renderer(config), config, chart=True, existing=None,
                       aliases=(), flags=())
    return work, draft


def test_the_links_go_where_the_placeholders_were(kaltim):
    work, draft = kaltim
    links = (Link("Sahbirin *Unggul*", "/a/"), Link("B", "/b/"), Link("C", "/c/"))[: len(draft.story.links)]
    body = fill_links(draft, replace(work.story, links=links))
    assert body is not None and "\0" not in body
    assert "**Baca Juga:** [Sahbirin \\*Unggul\\*](/a/)" in body
    assert Renderer(load_config()).body(replace(work.story, links=links)) == body


def test_the_fingerprint_of_a_drafted_story_is_its_own(kaltim):
    work, draft = kaltim
    story = replace(work.story, links=(Link("Judul 'lain'\n", "/a/"), Link("B", "/b/")))
    assert story_repr(draft, story) == repr(story)
    assert _fingerprint(story, Renderer(load_config()), draft) == _fingerprint(story, Renderer(load_config()))
    assert story_repr(draft, replace(story, headline="Lain")) is None  # another story: computed afresh
    assert story_repr(draft, replace(story, links=story.links[:1])) is None


def test_a_draft_with_another_number_of_links_is_not_used(kaltim):
    work, draft = kaltim
    assert len(draft.story.links) == load_config().publication.baca_juga_max == 2
    assert fill_links(draft, replace(work.story, links=(Link("A", "/a/"),))) is None


def test_a_draft_of_another_story_is_not_used(kaltim):
    work, draft = kaltim
    other = replace(work.story, headline="Lain", links=PLACEHOLDERS[:2])
    assert fill_links(draft, other) is None


def test_a_draft_made_against_another_article_on_disk_is_not_used(kaltim):
    work, draft = kaltim
    existing = Existing(path="pilgub-kaltim-2024/index.md", date="2024-11-27T10:00:00+08:00", lastmod=None,
                        aliases=(), current=None, previous=None)
    story = replace(work.story, links=(Link("A", "/a/"), Link("B", "/b/")))
    now = datetime.fromisoformat("2024-11-28T12:00:00+08:00")
    assert finish(draft, story, now, existing=existing, aliases=(), flags=()) is None
    assert finish(draft, story, now, existing=None, aliases=("/old/",), flags=()) is None
    assert finish(draft, story, now, existing=None, aliases=(), flags=()) is not None


def test_the_run_time_goes_where_the_stand_in_was(kaltim):
    _, draft = kaltim
    head = fill_time(draft, "WITA", datetime.fromisoformat("2024-11-28T12:00:00+08:00"))
    assert head is not None
    assert "date: '2024-11-28T12:00:00+08:00'" in head and "lastmod: '2024-11-28T12:00:00+08:00'" in head
    assert to_zone(DRAFT_NOW, "WITA").isoformat() not in head


def test_an_article_dated_like_the_stand_in_is_not_patched(kaltim):
    _, draft = kaltim
    stand_in = to_zone(DRAFT_NOW, "WITA").isoformat()
    odd = replace(draft, existing=Existing(path="x", date=stand_in, lastmod=None, aliases=(), current=None,
                                           previous=None))
    assert fill_time(odd, "WITA", datetime.fromisoformat("2024-11-28T12:00:00+08:00")) is None


def test_user_templates_are_never_drafted(kaltim, tmp_path):
    work, _ = kaltim
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates" / "id", templates)
    config = load_config()
    renderer = Renderer(config, templates=templates)
    assert make_draft(work.story, work.snapshot, renderer, config, chart=True, existing=None,
                      aliases=(), flags=()) is None


@needs_shared
def test_helpers_build_the_snapshots_of_a_live_fetch(tmp_path):
    """Races handed over as files are built and drafted by the helpers; a bad file is held back as without them."""
    root = make_kaltim_tree(tmp_path / "tree")
    tally = root / "pilkada/hhcw/pkwkk/64/6472.json"
    tally.write_text(tally.read_text(encoding="utf-8").replace('"tungsura"', '"tungsura_"'), encoding="utf-8")
    outs = {}
    with SirekapServer(root) as server:
        server.fault("/pilkada/hhcw/pkwkk/64/6402.json", "html")
        selection = live.Selection.parse((), ("64",))
        plain = live.fetch_live(server.url, selection, settings=LIVE_FAST).items
        outs["plain"] = generate(plain, load_config(), tmp_path / "plain", now=NOW)
        with Drafter(load_config(), tmp_path / "drafted", processes=2, now=NOW) as drafter:
            handed = live.fetch_live(server.url, selection, settings=LIVE_FAST, on_files=drafter.submit).items
            memo = drafter.collect()
        built = live.build(handed, drafter.built)
        outs["drafted"] = generate(built, load_config(), tmp_path / "drafted", now=NOW, memo=memo)
    assert all(isinstance(item, live.RaceFiles) for item in handed) and len(handed) == len(KALTIM_RACES)
    # The two bad files fail in the helpers; the main process builds them again for the message.
    assert sorted(drafter.built) == sorted(set(KALTIM_RACES) - {"pkwkk/6472", "pkwkk/6402"})
    assert [repr(item) for item in built] == [repr(item) for item in plain]
    assert outs["drafted"].held_back == outs["plain"].held_back and len(outs["plain"].held_back) == 2
    assert tree(tmp_path / "drafted") == tree(tmp_path / "plain")


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's idle scheduling class only")
def test_helpers_use_idle_cpu_during_the_fetch_and_full_speed_after(tmp_path):
    with Drafter(load_config(), tmp_path, processes=1) as drafter:
        pid = drafter._helpers[0][0].pid
        deadline = time.monotonic() + 10
        while os.sched_getscheduler(pid) != os.SCHED_IDLE and time.monotonic() < deadline:
            time.sleep(0.01)  # the helper lowers its own priority as it starts
        assert os.sched_getscheduler(pid) == os.SCHED_IDLE
        usable = os.sched_getaffinity(0)
        if len(usable) > 1:  # the CPU the fetch runs on is left to it
            assert os.sched_getaffinity(pid) < usable and len(os.sched_getaffinity(pid)) == len(usable) - 1
        drafter._stop()  # the fetch is over: what is left is waited for
        assert os.sched_getscheduler(pid) == os.SCHED_OTHER
        assert os.sched_getaffinity(pid) == usable
        assert drafter.collect() == {"_slugs": {}}
