"""newsgen's own snapshot format: the example data and bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from generator.errors import DataError
from generator.models import RaceSnapshot, Stage
from generator.sources.files import read_file, snapshot_to_input

from .conftest import EXAMPLE_DATA

GOOD = """\
format: newsgen/1
races:
  - race: pkwkk/6472
    region: Kota Samarinda
    timestamp: 2024-11-28T10:15:04+07:00
    source_url: https://example.invalid/6472.json
    tps: {reported: 1145, total: 1202}
    tickets:
      - {number: 1, empty_column: true, votes: 41370}
      - {number: 2, head: "Dr. H. ANDI HARUN", deputy: "H. SAEFUDDIN ZUHRI, S.E., M.M.", votes: 305745}
"""
#: GOOD with one kecamatan row (other tests' starting point).
GOOD_WITH_ROW = GOOD + """\
    sub_regions:
      - {code: "647201", name: PALARAN, tps: {reported: 10, total: 12}, votes: {1: 400, 2: 3000}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "input.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_data_reads(config):
    items = read_file(EXAMPLE_DATA)
    assert all(isinstance(i, RaceSnapshot) for i in items)
    kaltim = next(i for i in items if i.race == "pkwkp/64")
    assert kaltim.votes == {"1000054": 766850, "1000055": 962804}
    assert (kaltim.tps_reported, kaltim.tps_total) == (6048, 6274)
    assert kaltim.leader.share == Decimal("55.66")
    assert [i.race for i in items] == ["pkwkp/64", "pkwkp/62", "pkwkp/65"]


def test_good_file_with_empty_column(tmp_path):
    (snap,) = read_file(write(tmp_path, GOOD))
    assert snap.kind.value == "walikota"
    assert snap.tickets[0].empty_column and snap.tickets[0].full_name == ""
    assert snap.leader.ticket.full_name == "Dr. H. Andi Harun - H. Saefuddin Zuhri, S.E., M.M."
    assert snap.stage is Stage.REAL_COUNT


def test_round_trip_through_our_format(tmp_path):
    items = read_file(EXAMPLE_DATA)
    dumped = {"format": "newsgen/1", "races": [snapshot_to_input(s) for s in items]}
    again = read_file(write(tmp_path, yaml.safe_dump(dumped, allow_unicode=True)))
    assert again == items


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        ("votes: 41370", "votes: -5", "tickets.0.votes", "greater than or equal to 0"),
        ("tps: {reported: 1145", "tps: {reported: 1500", "tps", "exceeds TPS total (1202)"),
        ("source_url:", "sauce_url:", "source_url", "unknown key"),
        ("votes: 305745}", "votes: 305745, colour_name: red}", "tickets.1.colour_name", "unknown key"),
        ("      - {number: 1, empty_column: true, votes: 41370}\n", "", "tickets", "at least two ballot columns"),
        ('head: "Dr. H. ANDI HARUN", ', "", "tickets.1", "needs 'head'"),
        ("timestamp: 2024-11-28T10:15:04+07:00", "timestamp: 2024-11-28 10:15:04", "timestamp", "timezone"),
        ("votes: 41370", "votes: 4.5", "tickets.0.votes", "valid integer"),
    ],
)
def test_bad_race_is_an_error_naming_file_race_and_field(tmp_path, old, new, field, reason):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    (item,) = read_file(path)
    assert isinstance(item, DataError)
    assert item.where == str(path)
    assert item.race == "pkwkk/6472"
    assert item.field == field
    assert reason in str(item)
    assert str(item).startswith(f"{path}: race pkwkk/6472: ")


def test_one_bad_race_does_not_hide_the_good_ones(tmp_path):
    bad = GOOD.replace("pkwkk/6472", "pkwkk/6471").replace("votes: 41370", "votes: -1")
    text = GOOD + bad.split("races:\n", 1)[1]
    items = read_file(write(tmp_path, text))
    assert isinstance(items[0], RaceSnapshot)
    assert isinstance(items[1], DataError) and items[1].race == "pkwkk/6471"


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path, GOOD.replace("tps: {reported: 1145, total: 1202}", "tps: {reported: 1145, total: 1202"))
    with pytest.raises(DataError, match=rf"^{path}:\d+: malformed YAML"):
        read_file(path)


def test_wrong_top_level_shape(tmp_path):
    with pytest.raises(DataError, match="expected 'format: newsgen/1' and a list 'races'"):
        read_file(write(tmp_path, "- just a list\n"))


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("Dr. H.", "Dr. H. \u00c9").encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        read_file(path)
