"""Property tests (hypothesis): formatting, names, share rounding, and the two
parsers on mutated input (never anything but a DataError).

The minimal examples these tests found (bad paslon entries, impossible
timestamps, dangling commas in names) are kept as explicit cases.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.errors import DataError
from generator.formatting import format_percent, format_votes
from generator.models import RaceSnapshot, share
from generator.names import PREFIX_TITLES, UPPER_WORDS, person_name
from generator.sources import sirekap
from generator.sources.files import read_file
from generator.validate import check_snapshot

from .test_files import GOOD_WITH_ROW

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "data" / "sirekap"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "kalimantan-pilgub-2024-11-28.yaml"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason=f"needs the real KPU sample files in {SAMPLES} (the shared folder beside the repository)",
)

FAST = settings(max_examples=150, deadline=None)
#: Mutation tests run a fixed sequence of examples, so CI never turns red by luck;
#: run them with more examples locally (e.g. max_examples=5000) when changing a parser.
MUTATIONS = settings(max_examples=120, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- formatting ---------------------------------------------------------------------------


@FAST
@given(st.integers(min_value=0, max_value=10**15))
def test_format_votes_pattern_and_round_trip(value):
    text = format_votes(value)
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", text)
    assert int(text.replace(".", "")) == value


@FAST
@given(st.integers(min_value=0, max_value=10_000))
def test_format_percent_pattern_and_round_trip(hundredths):
    value = Decimal(hundredths) / 100
    text = format_percent(value)
    assert re.fullmatch(r"\d+,\d{2}%", text)
    assert Decimal(text[:-1].replace(",", ".")) == value


@FAST
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
@example(1, 7)  # 12,50% exactly: half-up
@example(0, 0)  # nothing counted yet
def test_shares_format_in_house_style(part, rest):
    whole = part + rest  # part <= whole
    if whole == 0:
        assert format_percent(share(part, whole)) == "0,00%"
        return
    value = share(part, whole)
    text = format_percent(value)
    assert re.fullmatch(r"\d+,\d{2}%", text)
    assert Decimal(0) <= value <= Decimal(100)
    assert abs(value - Decimal(part) * 100 / Decimal(whole)) <= Decimal("0.005")


# -- names ----------------------------------------------------------------------------------

KPU_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,'-()"
KPU_TEXT = st.text(alphabet=KPU_ALPHABET, max_size=60)
#: Titles as KPU writes them before a name.
TITLES = ["H.", "Hj.", "Dr.", "dr.", "DR.", "Drs.", "Ir.", "Prof.", "KH.", "K.H.", "drg.", "Brigjen", "Mayjen",
          "(Purn.)", "(Purn)", "Kolonel", "Irjen", "Pol.", "R.", "Tgk.", "TNI", "POLRI"]
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NAME_WORD = st.builds(
    lambda head, tail: head + (f"'{tail}" if tail else ""),
    st.text(alphabet=UPPER, min_size=2, max_size=9),
    st.text(alphabet=UPPER, max_size=3),
).filter(lambda w: w.lower() not in PREFIX_TITLES and w not in UPPER_WORDS)
DEGREE = st.sampled_from(["S.E.", "M.E.", "M. Si.", "S.Sos.", "M.M.", "S.H.", "M.Hum.", "S. Ikom.", "Lc.", "Ph.D", "MM"])


def expected_title(token: str) -> str:
    if token.upper() in UPPER_WORDS and token.isupper():
        return token
    canonical = PREFIX_TITLES[token.lower()]
    return token if token != token.upper() and token.lower() in ("dr.", "drg.") else canonical


@st.composite
def kpu_names(draw) -> tuple[str, list[str]]:
    """A KPU-style name: titles and name words in any order, then degrees after a comma."""
    parts = draw(st.lists(st.one_of(st.sampled_from(TITLES), NAME_WORD), min_size=1, max_size=7))
    degrees = draw(st.lists(DEGREE, max_size=3))
    raw = " ".join(parts) + (", " + ", ".join(degrees) if degrees else "")
    return raw, [expected_title(p) for p in parts if p in TITLES]


@FAST
@given(KPU_TEXT)
@example("H. RUDY MAS'UD, S.E., M.E.")
@example("  Ir.  H.   SENO AJI , M. Si. ")
def test_person_name_never_raises_and_has_no_double_spaces(raw):
    name = person_name(raw)
    assert "  " not in name.full and "  " not in name.short


@FAST
@given(kpu_names())
def test_person_name_keeps_every_title(case):
    raw, titles = case
    front = person_name(raw).full.split(", ")[0].split(" ")
    # Every title survives, in its house spelling and in order.
    it = iter(front)
    assert all(title in it for title in titles), (raw, front, titles)
    assert "  " not in person_name(raw).full


@FAST
@given(KPU_TEXT)
@example("H. RUDY,,")
def test_person_name_has_no_dangling_comma_or_edge_spaces(raw):
    full = person_name(raw).full
    assert full == full.strip()
    assert not full.endswith(",")


# -- share rounding ---------------------------------------------------------------------------


def snapshot_with_votes(votes: list[int]) -> RaceSnapshot:
    tickets = [{"id": str(1000 + i), "number": i + 1, "head": f"Calon {i + 1}"} for i in range(len(votes))]
    return RaceSnapshot.model_validate({
        "race": "pkwkp/64", "kind": "gubernur", "year": 2024,
        "region": {"code": "64", "name": "Kalimantan Timur", "province_code": "64"},
        "tickets": tickets, "votes": {t["id"]: v for t, v in zip(tickets, votes, strict=True)},
        "tps_reported": 1, "tps_total": 1, "timestamp": "2024-11-28T10:15:04+07:00",
        "source_url": "https://example.invalid/u.json",
    })


@FAST
@given(st.lists(st.integers(min_value=0, max_value=5_000_000), min_size=2, max_size=6).filter(any))
@example([1, 1, 1])  # 33,33% x 3
@example([1, 1, 1, 1, 1, 1])  # 16,67% x 6
@example([962804, 766850])
def test_shares_of_a_race_sum_to_100_within_rounding(votes):
    snap = snapshot_with_votes(votes)
    total = sum(r.share for r in snap.results)
    assert abs(total - 100) <= Decimal("0.01") * len(votes)
    assert [r.rank for r in snap.results] == sorted(r.rank for r in snap.results)
    assert snap.leader.votes == max(votes)
    assert snap.margin_points == snap.results[0].share - snap.results[1].share >= 0


# -- mutations of JSON-like documents -----------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**6, max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.from_regex(r"\A-?\d{1,8}\Z"),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z"),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.builds(lambda: [[1, [2]], {"a": []}]),  # a fresh object each time: later mutations may change it
    st.dictionaries(st.from_regex(r"\A\d{4,7}\Z") | st.text(max_size=4), st.integers(-3, 10**7), max_size=3),
)
OPS = ["delete", "replace", "negate", "stringify", "nest", "rename", "empty"]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _mutate_at(doc, path, op, draw):
    if not path:
        return draw(JUNK) if op != "nest" else [doc]
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    value = parent[key]
    if op == "delete":
        del parent[key]
    elif op == "replace":
        parent[key] = draw(JUNK)
    elif op == "negate":
        parent[key] = -value - 1 if isinstance(value, int | float) and not isinstance(value, bool) else -1
    elif op == "stringify":
        parent[key] = str(value)
    elif op == "nest":
        parent[key] = [value]
    elif op == "empty":
        parent[key] = type(value)() if isinstance(value, dict | list | str) else None
    elif op == "rename" and isinstance(parent, dict):
        new = draw(st.from_regex(r"\A\d{2,7}\Z") | st.sampled_from(["progres", "ts", "chart", "table", "nama"]))
        parent[new] = parent.pop(key)
    return doc


@st.composite
def mutated(draw, original, *, max_ops: int = 3):
    """``original`` (JSON-like) with one to ``max_ops`` mutations at random places."""
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=max_ops))):
        path = draw(st.sampled_from(list(_paths(doc))))
        doc = _mutate_at(doc, path, draw(st.sampled_from(OPS)), draw)
    return doc


# -- the Sirekap parser on mutated real payloads ---------------------------------------------------

#: (race, hhcw file, paslon file): a province file with kab/kota rows, kab/kota files with
#: kecamatan rows (single-ticket race, rows without data, an inconsistent row), zero progress.
RACE_FILES = [
    ("pkwkp/64", "pilkada2024_hhcw_pkwkp_64.json", "pilkada2024_paslon_pkwkp.json"),
    ("pkwkk/6472", "pilkada2024_hhcw_pkwkk_64_6472.json", "pilkada2024_paslon_pkwkk.json"),
    ("pkwkk/1214", "pilkada2024_hhcw_pkwkk_12_1214.json", "pilkada2024_paslon_pkwkk.json"),
    ("pkwkk/9105", "pilkada2024_hhcw_pkwkk_91_9105.json", "pilkada2024_paslon_pkwkk.json"),
    ("pkwkp/92", "pilkada2024_hhcw_pkwkp_92.json", "pilkada2024_paslon_pkwkp.json"),
]


@cache
def _load(name: str):
    return json.loads((SAMPLES / name).read_bytes())


@cache
def _paslon(name: str):
    return sirekap.parse_paslon(_load(name), where=name)


def _child_names(payload) -> dict[str, str]:
    table = payload["tungsura"].get("table") or {}
    return {code: f"WILAYAH {code}" for code in table}


def _parse_race(race: str, payload, paslon, names) -> RaceSnapshot:
    tally = sirekap.parse_tally(payload, where=race, race=race)
    return sirekap.snapshot_from_tally(race, tally, paslon, region_name="WILAYAH", child_names=names,
                                       source_url="https://example.invalid/" + race)


@needs_samples
@MUTATIONS
@given(st.data())
def test_sirekap_tally_mutations_raise_only_data_error(data):
    race, tally_file, paslon_file = data.draw(st.sampled_from(RACE_FILES))
    original = _load(tally_file)
    payload = data.draw(mutated(original))
    try:
        snap = _parse_race(race, payload, _paslon(paslon_file), _child_names(original))
    except DataError as exc:
        assert exc.race == race and str(exc)
        return
    check_snapshot(snap)  # whatever parses can be checked without raising


@needs_samples
@MUTATIONS
@given(st.data())
def test_sirekap_paslon_and_wilayah_mutations_raise_only_data_error_when_parsed(data):
    """Mutated candidate and region lists are refused by their own parsers or usable."""
    paslon = data.draw(mutated({"64": _load("pilkada2024_paslon_pkwkp.json")["64"]}))
    wilayah = data.draw(mutated(_load("pilkada2024_wilayah_pkwkp_64.json")))
    try:
        sirekap.parse_paslon(paslon, where="paslon")
        sirekap.parse_wilayah(wilayah, where="wilayah")
    except DataError:
        pass


@needs_samples
@MUTATIONS
@given(st.data())
def test_sirekap_mutated_paslon_raises_only_data_error(data):
    original = _load("pilkada2024_paslon_pkwkp.json")
    paslon_raw = data.draw(mutated({"64": original["64"]}))
    try:
        paslon = sirekap.parse_paslon(paslon_raw, where="paslon")
        _parse_race("pkwkp/64", _load("pilkada2024_hhcw_pkwkp_64.json"), paslon,
                    _child_names(_load("pilkada2024_hhcw_pkwkp_64.json")))
    except DataError:
        pass


@needs_samples
@pytest.mark.parametrize(("key", "value"), [("warna", "merah"), ("nomor_urut", 21), ("nama", " - INGKONG ALA")])
def test_sirekap_paslon_minimal_examples(key, value):
    original = copy.deepcopy(_load("pilkada2024_paslon_pkwkp.json"))
    original["64"]["1000055"][key] = value
    paslon = sirekap.parse_paslon({"64": original["64"]}, where="paslon")
    payload = _load("pilkada2024_hhcw_pkwkp_64.json")
    with pytest.raises(DataError):
        _parse_race("pkwkp/64", payload, paslon, _child_names(payload))


# -- newsgen's own files on mutated YAML ---------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mutated") / "input.yaml"


def _read_only_data_errors(path: Path) -> None:
    try:
        items = read_file(path)
    except DataError as exc:
        assert str(exc).startswith(str(path))
        return
    for item in items:
        assert isinstance(item, RaceSnapshot | DataError)
        if isinstance(item, RaceSnapshot):
            check_snapshot(item)


@cache
def _example_document():
    """The example file cut to one race with three sub-regions (YAML is slow to read)."""
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    race = doc["races"][0]
    race["sub_regions"] = race["sub_regions"][:3]
    return {"format": doc["format"], "races": [race]}


@MUTATIONS
@given(st.data())
def test_file_structure_mutations_raise_only_data_error(scratch, data):
    doc = data.draw(mutated(_example_document(), max_ops=4))
    scratch.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _read_only_data_errors(scratch)


SMALL_FILE = GOOD_WITH_ROW
TEXT_INSERTS = [":", "-", " ", "\t", "'", '"', "{", "}", "[", "]", "\n", "0", "9", "&a ", "*a", "!!", "%", "#", "?", "|"]


@st.composite
def mutated_text(draw, text: str) -> bytes:
    """``text`` with one to four edits: deletions, insertions of YAML syntax, digit swaps, bad bytes."""
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        op = draw(st.sampled_from(["delete", "insert", "digit", "byte"]))
        if op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 6)):]
        elif op == "insert":
            data = data[:at] + draw(st.sampled_from(TEXT_INSERTS)).encode() + data[at:]
        elif op == "digit":
            digits = [m.start() for m in re.finditer(rb"\d", data)]
            if digits:
                pos = draw(st.sampled_from(digits))
                data = data[:pos] + str(draw(st.integers(0, 9))).encode() + data[pos + 1:]
        else:
            data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xe2\x80"])) + data[at:]
    return data


@MUTATIONS
@given(mutated_text(SMALL_FILE))
def test_file_text_mutations_raise_only_data_error(scratch, data):
    scratch.write_bytes(data)
    _read_only_data_errors(scratch)


@FAST
@given(st.from_regex(r"\A20\d\d-(1[3-9]|[2-9]\d)-\d\dT10:15:04\+07:00\Z"))
@example("2024-13-28T10:15:04+07:00")
def test_unquoted_impossible_timestamp_is_a_data_error(scratch, stamp):
    scratch.write_text(SMALL_FILE.replace("'2024-11-28T10:15:04+07:00'", stamp), encoding="utf-8")
    _read_only_data_errors(scratch)
