"""Helper processes that draft races while the fetch is still running.

A national run is fetch-bound on one core: the HTTP client keeps the main
process busy while the second core mostly waits. A :class:`Drafter` hands each
race to a helper process as soon as its files are in; the helper validates it,
decides its story, renders and audits the article with placeholder Baca Juga
links and draws its chart. :func:`~generator.pipeline.generate` then finds that
work in its memo and only links, fills in the links, writes front matter and
files. A draft that no longer fits (the article on disk changed meanwhile,
other links than expected, another date) is simply worked out again, so the
output is byte for byte what a run without helpers writes.

Helpers are forked when that is safe (Linux, no other thread running), else
spawned; either way they start before the fetch does. A helper that fails or
dies costs only speed: the races it did not draft are worked out in the main
process, with the same messages.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import Config
from .errors import DataError
from .models import RaceSnapshot
from .output import load_manifest
from .phrases import Phrases
from .render import Renderer
from .pipeline import Report, apply_overrides, draft, generate, place, prepare, with_data_hash
from .writer import Writer

_DONE = "done"
#: Seconds to wait for the helpers' drafts at the end of a fetch before doing without.
COLLECT_TIMEOUT = 120.0
POLL = 0.2


def default_processes() -> int:
    """One helper per CPU beyond the first (the main process fetches), at most four."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(4, usable - 1))


def _context() -> Any:
    """``fork`` where it is cheap and safe (Linux, one thread), else ``spawn``."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _serve(tasks: Any, results: Any, config: Config, phrases: Phrases, out: Path, strict: bool,
           now: datetime | None) -> None:
    """A helper's loop: draft each snapshot from ``tasks`` into ``results`` until told to stop."""
    renderer = Renderer(config)
    writer = Writer(out)
    manifest = load_manifest(writer)
    while True:
        snap = tasks.get()
        if snap is None:
            results.put(_DONE)
            return
        try:
            snap = with_data_hash(apply_overrides(snap, config.notes(snap.race)))
            if not snap.has_data:
                continue
            memo: dict = {}
            prepared = prepare(snap, None, config, phrases, writer, strict, memo)
            key, _ = memo[snap.race]
            if isinstance(prepared, str):
                results.put((snap.race, (key, prepared), memo["_slugs"][snap.race]))
                continue
            placed = replace(prepared)
            place(placed, config, now or snap.timestamp, manifest.get(snap.race, {}))
            prepared.draft = draft(placed, renderer, config)
            prepared.snapshot = None  # type: ignore[assignment]  # the main process has it (see prepare)
            results.put((snap.race, (key, prepared), memo["_slugs"][snap.race]))
        except Exception:  # noqa: BLE001 - the main process works this race out itself, with the real message
            continue


class Drafter:
    """Helper processes that draft the races a fetch delivers (see the module docs).

    Use as a context manager around the fetch; pass :meth:`submit` as the
    source's ``on_item`` and :meth:`collect` as ``generate(memo=...)``::

        with Drafter(config, out, processes=1) as drafter:
            run = fetch_live(url, selection, on_item=drafter.submit)
            report = generate(run.items, config, out, memo=drafter.collect())

    ``now`` is the run's ``--now`` (None: each race's own time stands in; a
    draft dated otherwise than the run decides is redone, not used).
    """

    def __init__(self, config: Config, out: Path, *, phrases: Phrases | None = None, strict: bool = False,
                 now: datetime | None = None, processes: int | None = None) -> None:
        self.config = config
        self.count = default_processes() if processes is None else processes
        self._procs: list[Any] = []
        self._memo: dict | None = None
        if self.count <= 0:
            return
        context = _context()
        self._tasks = context.Queue()
        self._results = context.Queue()
        args = (self._tasks, self._results, config, phrases or Phrases.load(), Path(out).resolve(), strict, now)
        for _ in range(self.count):
            proc = context.Process(target=_serve, args=args, daemon=True, name="newsgen-drafter")
            proc.start()
            self._procs.append(proc)

    def submit(self, item: RaceSnapshot | DataError) -> None:
        """Hand a race to the helpers (anything else is left to the main process)."""
        if self._procs and self._memo is None and isinstance(item, RaceSnapshot):
            self._tasks.put(item)

    def collect(self) -> dict:
        """The drafts as a memo for :func:`~generator.pipeline.generate` (empty without helpers)."""
        if self._memo is not None:
            return self._memo
        memo: dict = {"_slugs": {}}
        self._memo = memo
        if not self._procs:
            return memo
        for _ in self._procs:
            self._tasks.put(None)
        done, waited = 0, 0.0
        while done < len(self._procs) and waited < COLLECT_TIMEOUT:
            try:
                message = self._results.get(timeout=POLL)
            except queue.Empty:
                waited += POLL
                if not any(proc.is_alive() for proc in self._procs):
                    break  # a helper died: the races it held are worked out in this process
                continue
            if message == _DONE:
                done += 1
            else:
                race, entry, slug = message
                memo["_slugs"][race] = slug
                memo[race] = entry
        self.close()
        return memo

    def close(self) -> None:
        """Stop the helpers and the queues' feeder threads (a later Drafter can fork again)."""
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if self._procs:
            for channel in (self._tasks, self._results):
                channel.close()
                channel.join_thread()
        self._procs = []

    def __enter__(self) -> Drafter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._procs:
            for _ in self._procs:
                self._tasks.put(None)
        self.close()


def read_and_generate(
    load: Callable[[Callable[[RaceSnapshot | DataError], None]], list],
    config: Config,
    out: Path,
    *,
    now: datetime | None = None,
    strict: bool = False,
    processes: int | None = None,
) -> Report:
    """``load(on_item)`` reads a source; its races are drafted by helpers as they arrive, then generated.

    What ``newsgen generate`` does for the Sirekap and archive sources; with
    ``processes=0`` it is ``generate(load(None), ...)``.
    """
    with Drafter(config, out, strict=strict, now=now, processes=processes) as drafter:
        items = load(drafter.submit)
        return generate(items, config, out, now=now, strict=strict, memo=drafter.collect())
