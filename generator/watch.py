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

from .errors import NewsgenError
from .pipeline import Report


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
