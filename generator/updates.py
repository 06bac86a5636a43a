"""Updates: what an earlier snapshot of a race said, and the note that compares.

An updated story keeps its URL and carries a dated note saying what changed
since the data it was last written from (Dewan Pers: corrections and updates
are dated); a change of leader is called out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .formatting import format_moment, format_percent, format_votes
from .models import RaceSnapshot, progress_share


@dataclass(frozen=True)
class Previous:
    """What an earlier snapshot of the same race said (for the update note)."""

    timestamp: datetime
    tps_reported: int
    tps_total: int
    votes: dict[int, int]  # nomor urut -> votes

    @classmethod
    def from_snapshot(cls, snapshot: RaceSnapshot) -> Previous:
        return cls(
            timestamp=snapshot.timestamp,
            tps_reported=snapshot.tps_reported,
            tps_total=snapshot.tps_total,
            votes={t.number: snapshot.votes[t.id] for t in snapshot.tickets},
        )

    def as_params(self) -> dict[str, Any]:
        return {
            "data_timestamp": self.timestamp.isoformat(),
            "tps_reported": self.tps_reported,
            "tps_total": self.tps_total,
            "results": {str(n): v for n, v in sorted(self.votes.items())},
        }

    @property
    def leader_number(self) -> int:
        return min(self.votes, key=lambda n: (-self.votes[n], n))


@dataclass(frozen=True)
class Update:
    """The dated note on top of an updated story."""

    moment: str  # when the new data came in
    previous_moment: str
    previous_tps: str
    previous_progress: str
    #: What happened at the top: "kept" (same sole leader), "changed" (another sole leader),
    #: "now_tied" (the top is now shared), "tie_broken" (a shared top now has one leader),
    #: "still_tied".
    change: str
    previous_leader: str  # short name of the previous sole leader ("" after a tie)


def _top(votes: dict[int, int]) -> set[int]:
    best = max(votes.values())
    return {n for n, v in votes.items() if v == best}


def update_note(snapshot: RaceSnapshot, previous: Previous | None, zone: str,
                short_names: dict[int, str]) -> Update | None:
    """The dated note of an updated story; None when ``previous`` is not older data."""
    if previous is None or previous.timestamp >= snapshot.timestamp:
        return None
    now = _top({t.number: snapshot.votes[t.id] for t in snapshot.tickets})
    before = _top(previous.votes)
    if len(now) > 1:
        change = "still_tied" if len(before) > 1 else "now_tied"
    elif len(before) > 1:
        change = "tie_broken"
    else:
        change = "kept" if now == before else "changed"
    return Update(
        moment=format_moment(snapshot.timestamp, zone),
        previous_moment=format_moment(previous.timestamp, zone),
        previous_tps=format_votes(previous.tps_reported),
        previous_progress=format_percent(progress_share(previous.tps_reported, previous.tps_total)),
        change=change,
        previous_leader=short_names.get(next(iter(before)), "") if len(before) == 1 else "",
    )
