"""Keep articles current: run a cycle, log one line, wait, repeat.

The cycle itself (:func:`generator.runner.run`: fetch with conditional
requests, then generate) is passed in, so this loop knows nothing of sources
or files. A race that fails is held back by the cycle and logged here; a cycle
that fails as a whole (network down, KPU answering errors) is logged and
retried at the next tick. Only Ctrl-C (KeyboardInterrupt), SIGTERM or ``stop``
end the loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import NewsgenError
from .runner import Report


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
            for problem in report.held_back:
                log(f"cycle {done}: held back {problem.race}: {problem}")
        except (NewsgenError, OSError) as exc:
            log(f"cycle {done}: failed, will try again: {exc}")
        except Exception as exc:  # a night-long watch outlives a bug in one cycle; the log says which
            log(f"cycle {done}: failed (unexpected {type(exc).__name__}: {exc}), will try again")
        if max_cycles is not None and done >= max_cycles:
            break
        stop.wait(max(0.0, interval - (clock() - started)))
    return done
