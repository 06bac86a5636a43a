"""What the benchmark's steps share: the targets of issue 7, the plan of a run, its results.

See ``bench.py`` for what is measured and how to run it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
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
