"""Plausibility and consistency checks (generator.validate), and the bad input
that never gets that far because the parser or the models refuse it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from generator.errors import DataError
from generator.models import RaceSnapshot
from generator.sources import sirekap, validated_snapshot
from generator.sources.files import read_file
from generator.validate import Finding, Limits, check_snapshot

from .conftest import EXAMPLE_DATA, needs_shared, sample
from .test_files import GOOD_WITH_ROW

KALTIM_URL = sirekap.DEFAULT_BASE_URL + sirekap.tally_path("pkwkp/64")


@pytest.fixture(scope="module")
def examples() -> dict[str, RaceSnapshot]:
    return {s.race: s for s in read_file(EXAMPLE_DATA)}


@pytest.fixture(scope="module")
def kaltim(examples) -> RaceSnapshot:
    return examples["pkwkp/64"]


def variant(snap: RaceSnapshot, edit) -> RaceSnapshot:
    """A validated copy of ``snap`` after ``edit(data)`` changes its plain-data form."""
    data = snap.model_dump()
    edit(data)
    return RaceSnapshot.model_validate(data)


def row_index(data: dict, code: str) -> int:
    return next(i for i, r in enumerate(data["sub_regions"]) if r["code"] == code)


def by_field(findings: list[Finding]) -> dict[str, Finding]:
    return {f.field: f for f in findings}


# -- clean data ------------------------------------------------------------------


def test_example_races_are_clean(examples):
    for snap in examples.values():
        assert check_snapshot(snap) == [], snap.race


def test_finding_str_names_race_and_field():
    finding = Finding("pkwkp/64", "sub_regions.6401", "expected 1, found 2", "suspicious")
    assert str(finding) == "race pkwkp/64: field sub_regions.6401: expected 1, found 2"


# -- errors: rows against totals -------------------------------------------------------


def test_row_sum_differs_from_race_total(kaltim):
    def edit(data):
        data["sub_regions"][row_index(data, "6402")]["votes"]["1000055"] += 1

    findings = check_snapshot(variant(kaltim, edit))
    assert [(f.field, f.severity) for f in findings] == [("votes.1000055", "error")]
    assert findings[0].reason == (
        "ticket nomor urut 2 (Rudy Mas'ud-Seno Aji, id 1000055): expected the rows to add up to the "
        "race total of 962.804 votes, found 962.805 in 10 kabupaten/kota rows"
    )


def test_race_total_differs_from_rows(kaltim):
    def edit(data):
        data["votes"]["1000054"] -= 1000

    (finding,) = check_snapshot(variant(kaltim, edit))
    assert finding.field == "votes.1000054" and finding.severity == "error"
    assert "race total of 765.850 votes, found 766.850" in finding.reason


def test_row_without_data_counts_as_zero(kaltim):
    """A row with no candidate keys (nothing reported yet) adds 0 to every ticket."""

    def edit(data):
        row = data["sub_regions"][row_index(data, "6411")]  # Mahakam Ulu
        for tid, votes in row["votes"].items():
            data["votes"][tid] -= votes
        data["tps_reported"] -= row["tps_reported"]
        row["votes"] = {}
        row["tps_reported"] = 0

    snap = variant(kaltim, edit)
    assert check_snapshot(snap) == []

    def forgot_totals(data):
        row = data["sub_regions"][row_index(data, "6411")]
        data["tps_reported"] -= row["tps_reported"]
        row["votes"] = {}
        row["tps_reported"] = 0

    fields = [f.field for f in check_snapshot(variant(kaltim, forgot_totals))]
    assert fields == ["votes.1000054", "votes.1000055"]


def test_partial_table_is_checked_only_for_excess(kaltim):
    """Rows covering part of the race (an editor typed a few) cannot add up to it."""

    def keep_two(data):
        data["sub_regions"] = data["sub_regions"][:2]

    assert check_snapshot(variant(kaltim, keep_two)) == []

    def inflated(data):
        keep_two(data)
        data["sub_regions"][0]["votes"]["1000054"] = 800_000

    (finding,) = check_snapshot(variant(kaltim, inflated), limits=Limits(tps_capacity=10_000))
    assert finding.field == "votes.1000054" and finding.severity == "error"
    assert "at most the race total of 766.850 votes, found" in finding.reason


def test_rows_hold_more_tps_than_the_race(kaltim):
    def edit(data):
        data["sub_regions"][0]["tps_total"] += 5

    findings = by_field(check_snapshot(variant(kaltim, edit)))
    assert findings["sub_regions"].severity == "error"
    assert findings["sub_regions"].reason == (
        "expected the kabupaten/kota rows to hold at most the race's 6.274 TPS, found 6.279 TPS in 10 rows"
    )


def test_rows_reported_tps_differ_from_race(kaltim):
    def edit(data):
        data["tps_reported"] -= 2

    (finding,) = check_snapshot(variant(kaltim, edit))
    assert (finding.field, finding.severity) == ("tps_reported", "error")
    assert finding.reason == (
        "expected the kabupaten/kota rows to add up to the race's 6.046 TPS reported, found 6.048"
    )


def test_row_with_votes_for_a_ticket_not_in_the_race(kaltim):
    """The model refuses it (the one place that rule lives)."""

    def edit(data):
        data["sub_regions"][0]["votes"]["1000999"] = 10

    with pytest.raises(ValueError, match="sub-region 6401 has votes for unknown ticket id"):
        variant(kaltim, edit)


# -- suspicious: capacity, voter roll ------------------------------------------------


def test_inflated_sub_region_is_suspicious(kaltim):
    """One kab/kota with votes far above what its TPS can hold, totals consistent."""

    def edit(data):
        row = data["sub_regions"][row_index(data, "6401")]  # Paser: 482 TPS reported
        row["votes"]["1000055"] += 300_000
        data["votes"]["1000055"] += 300_000

    findings = check_snapshot(variant(kaltim, edit))
    assert [(f.field, f.severity) for f in findings] == [("sub_regions.6401", "suspicious")]
    assert str(findings[0]) == (
        "race pkwkp/64: field sub_regions.6401: expected at most 600 valid votes per reported TPS in Paser "
        "(289.200 for 482 TPS), found 433.393 votes, 899,16 per TPS"
    )


def test_race_above_capacity_is_suspicious(kaltim):
    def edit(data):
        data["sub_regions"] = []
        data["tps_reported"] = 2000

    (finding,) = check_snapshot(variant(kaltim, edit))
    assert (finding.field, finding.severity) == ("votes", "suspicious")
    assert finding.reason == (
        "expected at most 600 valid votes per reported TPS in the race (1.200.000 for 2.000 TPS), "
        "found 1.729.654 votes, 864,83 per TPS"
    )


def test_capacity_limit_is_inclusive_and_configurable(kaltim):
    def edit(data):
        data["sub_regions"] = []
        data["votes"] = {"1000054": 600, "1000055": 600}
        data["tps_reported"] = 2

    at_limit = variant(kaltim, edit)
    assert check_snapshot(at_limit) == []
    (finding,) = check_snapshot(at_limit, limits=Limits(tps_capacity=599))
    assert finding.field == "votes" and "found 1.200 votes, 600,00 per TPS" in finding.reason
    # Kaltim averages 286 valid votes per TPS: fine for 600, not for 250.
    assert next(f.field for f in check_snapshot(kaltim, limits=Limits(tps_capacity=250))) == "votes"


def test_votes_where_no_tps_has_reported(kaltim):
    def edit(data):
        row = data["sub_regions"][row_index(data, "6411")]
        data["tps_reported"] -= row["tps_reported"]
        row["tps_reported"] = 0

    findings = by_field(check_snapshot(variant(kaltim, edit)))
    assert findings["sub_regions.6411"].severity == "suspicious"
    assert findings["sub_regions.6411"].reason == (
        "expected no votes in Mahakam Ulu while no TPS has reported, found 18.551 votes"
    )


def test_more_votes_than_registered_voters(kaltim):
    assert check_snapshot(kaltim.model_copy(update={"registered_voters": 1_729_654})) == []
    (finding,) = check_snapshot(kaltim.model_copy(update={"registered_voters": 1_700_000}))
    assert (finding.field, finding.severity) == ("registered_voters", "suspicious")
    assert finding.reason == (
        "expected at most the 1.700.000 registered voters (DPT) to have voted, found 1.729.654 valid votes"
    )


# -- suspicious: against the previous snapshot ----------------------------------------


def test_count_moving_forward_is_clean(kaltim):
    def earlier(data):
        data["sub_regions"] = []
        data["timestamp"] = kaltim.timestamp - timedelta(hours=9, seconds=4)
        data["tps_reported"] = 5979
        data["votes"] = {"1000054": 758326, "1000055": 952185}

    assert check_snapshot(kaltim, previous=variant(kaltim, earlier)) == []


def test_count_going_backwards(kaltim):
    def later(data):
        data["timestamp"] = kaltim.timestamp + timedelta(minutes=15)
        data["tps_reported"] = 6050
        data["votes"]["1000055"] = 962900
        data["sub_regions"] = []

    findings = by_field(check_snapshot(kaltim, previous=variant(kaltim, later)))
    assert set(findings) == {"timestamp", "tps_reported", "votes.1000055"}
    assert {f.severity for f in findings.values()} == {"suspicious"}
    assert findings["timestamp"].reason == (
        "expected a time at or after the previous snapshot (28/11/2024 10.30.04 WIB), found 28/11/2024 10.15.04 WIB"
    )
    assert findings["tps_reported"].reason == (
        "expected at least the 6.050 TPS reported in the previous snapshot (28/11/2024 10.30.04 WIB), found 6.048"
    )
    assert findings["votes.1000055"].reason == (
        "ticket nomor urut 2 (Rudy Mas'ud-Seno Aji, id 1000055): expected at least the 962.900 votes of "
        "the previous snapshot (28/11/2024 10.30.04 WIB), found 962.804"
    )


def test_share_jump(kaltim):
    def earlier(data):
        data["sub_regions"] = []
        data["timestamp"] = kaltim.timestamp - timedelta(hours=1)
        data["tps_reported"] = 3000
        data["votes"] = {"1000054": 500000, "1000055": 400000}  # 55,56% / 44,44%

    previous = variant(kaltim, earlier)
    findings = check_snapshot(kaltim, previous=previous)
    assert [(f.field, f.severity) for f in findings] == [("votes.1000055", "suspicious"), ("votes.1000054", "suspicious")]
    assert findings[0].reason == (
        "ticket nomor urut 2 (Rudy Mas'ud-Seno Aji, id 1000055): expected its share to move at most 10,00 points "
        "from 44,44% in the previous snapshot (28/11/2024 09.15.04 WIB), found 55,66% (a move of 11,22 points)"
    )
    assert check_snapshot(kaltim, previous=previous, limits=Limits(share_jump_points=Decimal("11.22"))) == []


def test_no_share_jump_from_an_empty_count(kaltim):
    def nothing_in(data):
        data["sub_regions"] = []
        data["timestamp"] = kaltim.timestamp - timedelta(hours=12)
        data["tps_reported"] = 0
        data["votes"] = {"1000054": 0, "1000055": 0}

    assert check_snapshot(kaltim, previous=variant(kaltim, nothing_in)) == []


def test_tickets_changed_between_snapshots(kaltim):
    def renumbered(data):
        data["sub_regions"] = []
        data["tickets"][0]["id"] = "1000099"
        data["votes"] = {"1000099": 1, "1000055": 1}

    findings = by_field(check_snapshot(kaltim, previous=variant(kaltim, renumbered)))
    assert findings["tickets"].severity == "suspicious"
    assert "expected the tickets of the previous snapshot" in findings["tickets"].reason
    assert "found 1000054, 1000055" in findings["tickets"].reason


def test_previous_of_another_race_is_a_bug(examples):
    with pytest.raises(ValueError, match="previous snapshot is of race pkwkp/62"):
        check_snapshot(examples["pkwkp/64"], previous=examples["pkwkp/62"])


def test_errors_come_first(kaltim):
    def edit(data):
        data["registered_voters"] = 10
        data["votes"]["1000054"] += 1

    assert [f.severity for f in check_snapshot(variant(kaltim, edit))] == ["error", "suspicious"]


# -- real KPU files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def paslon_pkwkp():
    return sirekap.parse_paslon(sample("pilkada2024_paslon_pkwkp.json"), where="paslon/pkwkp.json")


def kpu_snapshot(race: str, name: str, paslon, child_names=None) -> RaceSnapshot:
    tally = sirekap.parse_tally(sample(name), where=name, race=race)
    if child_names is None:
        child_names = {row.code: f"WILAYAH {row.code}" for row in tally.rows}
    return sirekap.snapshot_from_tally(race, tally, paslon, region_name="X", child_names=child_names,
                                       source_url=sirekap.DEFAULT_BASE_URL + sirekap.tally_path(race))


@needs_shared
def test_real_kaltim_snapshots_are_clean_and_ordered(paslon_pkwkp):
    now = kpu_snapshot("pkwkp/64", "pilkada2024_hhcw_pkwkp_64.json", paslon_pkwkp)
    before = kpu_snapshot("pkwkp/64", "pilkada2024_hhcw_pkwkp_64_snapshot_ts20241128T010000.json", paslon_pkwkp)
    assert check_snapshot(now) == []
    assert check_snapshot(now, previous=before) == []
    # Replayed in the wrong order, the count goes backwards.
    fields = {f.field for f in check_snapshot(before, previous=now)}
    assert fields == {"timestamp", "tps_reported", "votes.1000054", "votes.1000055"}


@needs_shared
def test_real_row_with_votes_but_no_tps_is_flagged():
    """Kepulauan Yapen: row 910502 has votes although no TPS is counted as reported."""
    paslon = sirekap.parse_paslon(sample("pilkada2024_paslon_pkwkk.json"), where="paslon/pkwkk.json")
    snap = kpu_snapshot("pkwkk/9105", "pilkada2024_hhcw_pkwkk_91_9105.json", paslon)
    findings = check_snapshot(snap)
    assert [(f.field, f.severity) for f in findings] == [("sub_regions.910502", "suspicious")]
    assert findings[0].reason.startswith("expected no votes in Wilayah 910502 while no TPS has reported, found ")


# -- refused before validation: the parser and the models ---------------------------------


def kaltim_payload() -> dict:
    return copy.deepcopy(sample("pilkada2024_hhcw_pkwkp_64.json"))


def kaltim_from(payload: dict, paslon) -> RaceSnapshot:
    tally = sirekap.parse_tally(payload, where=KALTIM_URL, race="pkwkp/64")
    names = {row.code: f"KAB {row.code}" for row in tally.rows}
    return sirekap.snapshot_from_tally("pkwkp/64", tally, paslon, region_name="KALIMANTAN TIMUR",
                                       child_names=names, source_url=KALTIM_URL)


def set_path(payload: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    node = payload
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()


@needs_shared
@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("tungsura.chart.1000055", -1, "tungsura.chart.1000055", "expected a whole number >= 0, found -1"),
        ("tungsura.chart.1000055", 962804.5, "tungsura.chart.1000055", "found 962804.5"),
        ("tungsura.chart.1000055", "962804", "tungsura.chart.1000055", "found '962804'"),
        ("tungsura.chart.1000055", None, "tungsura.chart.1000055", "found None"),
        ("tungsura.chart.1000055", True, "tungsura.chart.1000055", "found True"),
        ("tungsura.table.6401.1000054", -5, "tungsura.table.6401.1000054", "found -5"),
        ("tungsura.table.6401.progres", {"total": 485, "progres": 486, "persen": 100.2},
         "tungsura.table.6401.progres", "TPS reported (486) exceeds TPS total (485)"),
        ("tungsura.chart.1000999", 10, "tungsura.chart", "candidate ids not in the paslon file: 1000999"),
        ("ts", "28-11-2024 10:15", "ts", "expected a time like '2024-11-28 10:15:04'"),
        ("ts", DELETE, "ts", "found None"),
        ("tungsura.chart", [], "tungsura.chart", "missing 'tungsura.chart' object"),
        ("tungsura", DELETE, "tungsura", "missing 'tungsura' object"),
        ("tungsura.table", [{"6401": {}}], "tungsura.table", "expected 'tungsura.table' to be an object"),
        ("tungsura.table.6401", "482", "tungsura.table.6401", "expected a row object"),
        ("tungsura.table.6401.progres", DELETE, "tungsura.table.6401.progres", "expected a 'progres' object"),
        ("tungsura.chart.progres", {"total": 6274}, "tungsura.chart.progres.progres", "found None"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_sirekap_refuses_bad_figures(paslon_pkwkp, path, value, field, message):
    payload = kaltim_payload()
    set_path(payload, path, value)
    with pytest.raises(DataError) as caught:
        kaltim_from(payload, paslon_pkwkp)
    err = caught.value
    assert (err.race, err.field, err.where) == ("pkwkp/64", field, KALTIM_URL)
    assert message in str(err)
    assert str(err).startswith(f"{KALTIM_URL}: race pkwkp/64: field {field}: ")


@needs_shared
def test_sirekap_refuses_malformed_top_level(paslon_pkwkp):
    with pytest.raises(DataError, match=r"race pkwkp/64: field \(top level\): expected a JSON object, found list"):
        kaltim_from([], paslon_pkwkp)  # type: ignore[arg-type]


@needs_shared
def test_sirekap_refuses_chart_tps_above_total(paslon_pkwkp):
    payload = kaltim_payload()
    payload["tungsura"]["chart"]["progres"]["progres"] = 6275
    with pytest.raises(DataError, match=r"race pkwkp/64: .*TPS reported \(6275\) exceeds TPS total \(6274\)") as caught:
        kaltim_from(payload, paslon_pkwkp)
    assert caught.value.field == "tungsura.chart.progres"


@needs_shared
def test_sirekap_refuses_row_votes_for_unknown_candidate(paslon_pkwkp):
    payload = kaltim_payload()
    payload["tungsura"]["table"]["6401"]["1000999"] = 5000
    with pytest.raises(DataError) as caught:
        kaltim_from(payload, paslon_pkwkp)
    assert caught.value.field == "tungsura.table.6401"


GOOD_FILE = GOOD_WITH_ROW


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("votes: 41370", "votes: '41370'", "tickets.0.votes", "valid integer"),
        ("votes: 41370", "votes: 41370.5", "tickets.0.votes", "valid integer"),
        ("{reported: 1145, total: 1202}", "{reported: 1203, total: 1202}", "tps",
         "TPS reported (1203) exceeds TPS total (1202)"),
        ("{reported: 10, total: 12}", "{reported: 13, total: 12}", "sub_regions.0.tps",
         "TPS reported (13) exceeds TPS total (12)"),
        ("{1: 400, 2: 3000}", "{1: 400, 3: 3000}", "sub_regions.0.votes", "votes for nomor urut [3]"),
        ("{1: 400, 2: 3000}", "{1: 400, 2: -3}", "sub_regions.0.votes.2", "greater than or equal to 0"),
        ("timestamp: 2024-11-28T10:15:04+07:00", "timestamp: kemarin sore", "timestamp", "datetime"),
        ("    tickets:\n", "    tickets: 2\n    x:\n", "tickets", "valid list"),
        ("race: pkwkk/6472", "race: pkwkk/64722", "race", "pattern"),
    ],
)
def test_file_source_refuses_bad_figures(tmp_path: Path, old, new, field, message):
    assert old in GOOD_FILE
    path = tmp_path / "input.yaml"
    path.write_text(GOOD_FILE.replace(old, new, 1), encoding="utf-8")
    (item,) = read_file(path)
    assert isinstance(item, DataError)
    assert item.field == field and item.race in ("pkwkk/6472", "pkwkk/64722")
    assert message in item.message
    assert f"race {item.race}: field {field}: " in str(item)


def test_file_source_refuses_malformed_shape(tmp_path: Path):
    path = tmp_path / "input.yaml"
    path.write_text("format: newsgen/1\nraces: {pkwkk/6472: 1}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"field races: .*valid list"):
        read_file(path)


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d["votes"].update({"1000055": -1}), "votes.1000055", "greater than or equal to 0"),
        (lambda d: d["votes"].update({"1000055": 1.5}), "votes.1000055", "valid integer"),
        (lambda d: d["votes"].update({"1000055": "962804"}), "votes.1000055", "valid integer"),
        (lambda d: d.update(timestamp=datetime(2024, 11, 28, 10, 15)), "timestamp", "timezone"),
        (lambda d: d.update(tickets="two"), "tickets", "valid tuple"),
        (lambda d: d["sub_regions"][0].update(tps_reported=999), "sub_regions.0", "TPS reported (999) exceeds"),
    ],
)
def test_model_refuses_bad_figures(kaltim, edit, field, message):
    data = kaltim.model_dump()
    edit(data)
    with pytest.raises(DataError) as caught:
        validated_snapshot(data, where="test", race="pkwkp/64")
    assert (caught.value.race, caught.value.field) == ("pkwkp/64", field)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(tps_reported=7000), "TPS reported (7000) exceeds TPS total (6274)"),
        (lambda d: d["votes"].update({"1000999": 3}), "votes for unknown ticket id(s) 1000999"),
        (lambda d: d["sub_regions"][0]["votes"].update({"1000999": 3}),
         "sub-region 6401 has votes for unknown ticket id(s) 1000999"),
    ],
)
def test_model_refuses_cross_field_contradictions(kaltim, edit, message):
    """Whole-model checks name the race, and the field in the message itself."""
    data = kaltim.model_dump()
    edit(data)
    with pytest.raises(DataError) as caught:
        validated_snapshot(data, where="test", race="pkwkp/64")
    assert caught.value.race == "pkwkp/64"
    assert message in caught.value.message
