"""Keep articles current: run a cycle, log one line, wait, repeat.

The cycle itself (fetch with conditional requests, then generate) is passed
in, so this loop knows nothing of sources or files. A failed cycle is logged
and retried at the next tick; only Ctrl-C (KeyboardInterrupt) or ``stop`` end
the loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import DataError, NewsgenError
from .models import RaceSnapshot
from .pipeline import Report

Item = RaceSnapshot | DataError


def _key(item: Item) -> str:
    return item.race if isinstance(item, RaceSnapshot) else (item.race or item.where or "?")


class Poll:
    """One poll of a watch: read every race, then generate.

    A race whose data changed since the last poll is written as soon as it is
    read, against the other races as they were, so its article lands without
    waiting for the rest of the poll; the full pass at the end then finds it
    current. ``load(on_item)`` reads the source; ``run(items)`` generates.
    """

    def __init__(self, load: Callable[[Callable[[Item], None]], list[Item]], run: Callable[[list[Item]], Report]) -> None:
        self.load = load
        self.run = run
        self.last: dict[str, Item] = {}
        self._early: list[Report] = []

    def _arrived(self, item: Item) -> None:
        if not self.last or not isinstance(item, RaceSnapshot):
            return
        before = self.last.get(item.race)
        if isinstance(before, RaceSnapshot) and before.data_sha256 == item.data_sha256:
            return
        self.last[item.race] = item
        self._early.append(self.run(list(self.last.values())))

    def __call__(self) -> Report:
        self._early = []
        items = self.load(self._arrived)
        report = self.run(items)
        self.last = {_key(item): item for item in items}
        written = {race for early in self._early for race, _ in early.written}
        if written:
            early_paths = [entry for early in self._early for entry in early.written]
            report.written = [*{race: (race, path) for race, path in [*early_paths, *report.written]}.values()]
            report.unchanged = [(race, path) for race, path in report.unchanged if race not in written]
        return report


def watch(
    cycle: Callable[[], Report],
    *,
    interval: float,
    log: Callable[[str], None],
    max_cycles: int | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Run ``cycle`` every ``interval`` seconds (start to start); returns the cycles run."""
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set():
        started = clock()
        done += 1
        try:
            report = cycle()
            log(f"cycle {done}: {report.summary()} ({clock() - started:.1f} s)")
            for race, message in report.held_back:
                log(f"cycle {done}: held back {race}: {message}")
        except (NewsgenError, OSError) as exc:
            log(f"cycle {done}: failed, will try again: {exc}")
        if max_cycles is not None and done >= max_cycles:
            break
        stop.wait(max(0.0, interval - (clock() - started)))
    return done
