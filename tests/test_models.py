from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from generator.models import RaceSnapshot, share

TS = datetime.fromisoformat("2024-11-28T10:15:04+07:00")


def snapshot(**changes) -> RaceSnapshot:
    data = {
        "race": "pkwkp/64",
        "kind": "gubernur",
        "year": 2024,
        "region": {"code": "64", "name": "Kalimantan Timur", "province_code": "64"},
        "tickets": [
            {"id": "a", "number": 1, "head": "Isran Noor", "deputy": "Hadi Mulyadi"},
            {"id": "b", "number": 2, "head": "Rudy Mas'ud", "deputy": "Seno Aji"},
        ],
        "votes": {"a": 766850, "b": 962804},
        "tps_reported": 6048,
        "tps_total": 6274,
        "timestamp": TS,
        "source_url": "https://example.invalid/64.json",
    }
    data.update(changes)
    return RaceSnapshot.model_validate(data)


def test_derived_figures_match_the_exemplar():
    snap = snapshot()
    assert [r.ticket.number for r in snap.results] == [2, 1]
    assert [r.share for r in snap.results] == [Decimal("55.66"), Decimal("44.34")]
    assert snap.leader.votes == 962804
    assert snap.margin_votes == 195954
    assert snap.margin_points == Decimal("11.32")
    assert snap.progress == Decimal("96.39")  # rounded down: 100% only when every TPS is in
    assert snap.total_votes == 1729654
    assert snap.has_data


def test_share_is_half_up_from_integers():
    assert share(1, 8) == Decimal("12.50")
    assert share(1, 3) == Decimal("33.33")
    assert share(2, 3) == Decimal("66.67")
    assert share(5, 10000) == Decimal("0.05")
    assert share(1, 20000) == Decimal("0.01")  # 0.005 rounds half up, not to even
    assert share(0, 0) == Decimal("0.00")


def test_ties_share_a_rank_and_keep_ballot_order():
    snap = snapshot(votes={"a": 100, "b": 100})
    assert [(r.ticket.number, r.rank) for r in snap.results] == [(1, 1), (2, 1)]
    assert snap.is_tie and snap.margin_votes == 0


def test_zero_progress_has_no_data():
    snap = snapshot(votes={"a": 0, "b": 0}, tps_reported=0)
    assert not snap.has_data
    assert snap.progress == Decimal("0.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"votes": {"a": -1, "b": 5}}, "greater than or equal to 0"),
        ({"votes": {"a": 1}}, "no votes given for ticket"),
        ({"votes": {"a": 1, "b": 2, "c": 3}}, "unknown ticket"),
        ({"tps_reported": 7000}, "exceeds TPS total"),
        ({"timestamp": datetime(2024, 11, 28, 10, 15)}, "timezone"),
        ({"votes": {"a": 1.5, "b": 2}}, "valid integer"),
    ],
)
def test_invalid_snapshots_are_refused(changes, message):
    with pytest.raises(ValidationError, match=message):
        snapshot(**changes)


def test_snapshot_is_frozen():
    snap = snapshot()
    with pytest.raises(ValidationError):
        snap.tps_reported = 1
