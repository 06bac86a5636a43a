"""The Sirekap parser on real KPU files (../shared/data/sirekap)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from generator.errors import DataError
from generator.models import RaceKind
from generator.sources import sirekap

from .conftest import needs_shared, sample

pytestmark = needs_shared

URL = "https://example.invalid/hhcw.json"


@pytest.fixture(scope="module")
def paslon_pkwkp():
    return sirekap.parse_paslon(sample("pilkada2024_paslon_pkwkp.json"), where="paslon/pkwkp.json")


@pytest.fixture(scope="module")
def paslon_pkwkk():
    return sirekap.parse_paslon(sample("pilkada2024_paslon_pkwkk.json"), where="paslon/pkwkk.json")


@pytest.fixture(scope="module")
def kaltim_kab():
    return sirekap.parse_wilayah(sample("pilkada2024_wilayah_pkwkp_64.json"), where="wilayah/pkwkp/64.json")


def kaltim(paslon, names, name="pilkada2024_hhcw_pkwkp_64.json"):
    tally = sirekap.parse_tally(sample(name), where=name, race="pkwkp/64")
    return sirekap.snapshot_from_tally(
        "pkwkp/64", tally, paslon, region_name="KALIMANTAN TIMUR", child_names=names,
        source_url=sirekap.DEFAULT_BASE_URL + sirekap.tally_path("pkwkp/64"),
    )


def test_paslon_masters_cover_every_race(paslon_pkwkp, paslon_pkwkk):
    assert len(paslon_pkwkp) == 37
    assert len(paslon_pkwkk) == 508
    numbers = [e.number for e in paslon_pkwkk["6472"]]
    assert numbers == [1, 2]  # ballot order, not id order
    assert paslon_pkwkk["6472"][0].name.startswith("KOLOM KOSONG")


def test_kaltim_figures(paslon_pkwkp, kaltim_kab):
    snap = kaltim(paslon_pkwkp, kaltim_kab)
    assert snap.kind is RaceKind.GUBERNUR
    assert snap.region.name == "Kalimantan Timur"
    assert snap.timestamp == datetime.fromisoformat("2024-11-28T10:15:04+07:00")
    assert (snap.tps_reported, snap.tps_total, snap.progress) == (6048, 6274, Decimal("96.39"))
    leader, second = snap.results
    assert (leader.ticket.full_name, leader.votes, leader.share) == (
        "H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si.", 962804, Decimal("55.66"))
    assert (second.ticket.full_name, second.votes, second.share) == (
        "Dr. Ir. H. Isran Noor, M.Si. - H. Hadi Mulyadi, S.Si., M.Si.", 766850, Decimal("44.34"))
    assert len(snap.sub_regions) == 10
    samarinda = next(r for r in snap.sub_regions if r.code == "6472")
    assert samarinda.name == "Kota Samarinda"
    assert samarinda.leader_ids == ("1000054",)
    assert snap.source_url == "https://sirekappilkada-obj-data.kpu.go.id/pilkada/hhcw/pkwkp/64.json"


def test_earlier_snapshot(paslon_pkwkp, kaltim_kab):
    snap = kaltim(paslon_pkwkp, kaltim_kab, "pilkada2024_hhcw_pkwkp_64_snapshot_ts20241128T010000.json")
    assert (snap.tps_reported, snap.votes["1000054"], snap.votes["1000055"]) == (5979, 758326, 952185)


@pytest.mark.parametrize(
    ("code", "leader", "share", "tickets"),
    [("62", "Agustiar Sabran-Edy Pratowo", "37.35", 4), ("65", "Zainal Paliwang-Ingkong Ala", "58.87", 3)],
)
def test_other_kalimantan_governor_races(paslon_pkwkp, code, leader, share, tickets):
    tally = sirekap.parse_tally(sample(f"pilkada2024_hhcw_pkwkp_{code}.json"), where=code)
    names = sirekap.parse_wilayah(sample(f"pilkada2024_wilayah_pkwkp_{code}.json"), where=code)
    snap = sirekap.snapshot_from_tally(f"pkwkp/{code}", tally, paslon_pkwkp, region_name="X", child_names=names, source_url=URL)
    assert len(snap.tickets) == tickets
    assert snap.leader.ticket.short_name == leader
    assert snap.leader.share == Decimal(share)


def test_kota_samarinda_race_file_empty_column(paslon_pkwkk):
    tally = sirekap.parse_tally(sample("pilkada2024_hhcw_pkwkk_64_6472.json"), where="6472")
    snap = sirekap.snapshot_from_tally("pkwkk/6472", tally, paslon_pkwkk, region_name="KOTA SAMARINDA",
                                       child_names=None, source_url=URL)
    empty = next(r for r in snap.results if r.ticket.empty_column)
    assert empty.ticket.id == "1001095" and empty.ticket.number == 1
    assert snap.leader.ticket.id == "1001094"
    assert snap.sub_regions == ()  # no kecamatan names known: no breakdown


def test_zero_progress_race_has_no_data(paslon_pkwkp):
    tally = sirekap.parse_tally(sample("pilkada2024_hhcw_pkwkp_94_9402.json"), where="9402")
    assert tally.votes == {} and tally.tps_reported == 0
    # The governor race of Papua Tengah, narrowed to one kab: no candidate keys at all.
    snap = sirekap.snapshot_from_tally("pkwkp/94", tally, paslon_pkwkp, region_name="PAPUA TENGAH", child_names=None, source_url=URL)
    assert not snap.has_data
    assert set(snap.votes) == {e.id for e in paslon_pkwkp["94"]}


def test_rows_without_candidate_keys_are_tolerated(paslon_pkwkk):
    tally = sirekap.parse_tally(sample("pilkada2024_hhcw_pkwkk_12_1214.json"), where="1214")
    empty_rows = [r for r in tally.rows if not r.votes]
    assert empty_rows and all(r.tps_reported == 0 for r in empty_rows)
    names = {r.code: f"KEC {r.code}" for r in tally.rows}
    snap = sirekap.snapshot_from_tally("pkwkk/1214", tally, paslon_pkwkk, region_name="NIAS SELATAN", child_names=names, source_url=URL)
    assert snap.region.name == "Kabupaten Nias Selatan"
    assert sum(1 for r in snap.sub_regions if not r.leader_ids) == len(empty_rows)


def test_row_with_votes_but_no_progress_is_tolerated(paslon_pkwkk):
    tally = sirekap.parse_tally(sample("pilkada2024_hhcw_pkwkk_91_9105.json"), where="9105")
    row = next(r for r in tally.rows if r.code == "910502")
    assert row.votes and row.tps_reported == 0
    snap = sirekap.snapshot_from_tally("pkwkk/9105", tally, paslon_pkwkk, region_name="KEPULAUAN YAPEN", child_names=None, source_url=URL)
    assert snap.has_data


def test_inconsistent_chart_is_an_error(paslon_pkwkp):
    payload = sample("pilkada2024_hhcw_pkwkp_64.json")
    payload["tungsura"]["chart"]["1000055"] += 1
    tally = sirekap.parse_tally(payload, where="64.json")
    with pytest.raises(DataError, match=r"/64.json: race pkwkp/64: field tungsura.chart.1000055: chart total 962805 differs"):
        sirekap.snapshot_from_tally("pkwkp/64", tally, paslon_pkwkp, region_name="K", child_names=None,
                                    source_url="https://example.invalid/64.json")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.pop("tungsura"), "tungsura"),
        (lambda p: p["tungsura"]["chart"].update({"1000055": -5}), "tungsura.chart.1000055"),
        (lambda p: p["tungsura"]["chart"].update({"1000055": "962804"}), "tungsura.chart.1000055"),
        (lambda p: p.update({"ts": "kemarin"}), "ts"),
    ],
)
def test_malformed_payloads_name_the_field(mutate, field):
    payload = sample("pilkada2024_hhcw_pkwkp_64.json")
    mutate(payload)
    with pytest.raises(DataError) as info:
        sirekap.parse_tally(payload, where="hhcw/pkwkp/64.json", race="pkwkp/64")
    assert info.value.field == field
    assert str(info.value).startswith(f"hhcw/pkwkp/64.json: race pkwkp/64: field {field}: ")


def test_tally_paths():
    assert sirekap.tally_path("pkwkp/64") == "/pilkada/hhcw/pkwkp/64.json"
    assert sirekap.tally_path("pkwkk/6472") == "/pilkada/hhcw/pkwkk/64/6472.json"
    assert sirekap.tally_path("pkwkp/64", "6472") == "/pilkada/hhcw/pkwkp/64/6472.json"
    assert sirekap.wilayah_path("pkwkp") == "/wilayah/pilkada/pkwkp/0.json"
    assert sirekap.wilayah_path("pkwkk", "64", "6472") == "/wilayah/pilkada/pkwkk/64/6472.json"
