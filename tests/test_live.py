"""Race selection, files -> snapshots, and archive record/replay, on real KPU files.

The server (tests/support/sirekap_server.py) serves a small object-store tree
built from copies of ../shared/data/sirekap: both candidate masters, the
province list, the Kaltim kab/kota list, the Kaltim governor tally and the ten
Kaltim regent/mayor tallies. There are no kecamatan lists in the samples, so
every regent/mayor race meets a 404 there and is written without a breakdown.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from generator.archive import MANIFEST, Archive
from generator.errors import ConfigError, DataError, FetchError
from generator.fetch import Fetched, Fetcher, FetchSettings, build_client
from generator.models import RaceSnapshot
from generator.sources import live, sirekap
from generator.sources.read import built
from tests.support.sirekap_server import SirekapServer

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "data" / "sirekap"
needs_shared = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"needs the real KPU sample files in {SAMPLES} (the shared folder beside the repository)"
)

KALTIM_KABKOTA = ("6401", "6402", "6403", "6407", "6408", "6409", "6411", "6471", "6472", "6474")
KALTIM_RACES = [f"pkwkk/{k}" for k in KALTIM_KABKOTA] + ["pkwkp/64"]
FAST = FetchSettings(backoff_base=0.001, max_attempts=3, timeout=5)


def make_kaltim_tree(root: Path) -> Path:
    """Copy the real Kaltim samples into ``root`` in the object store's layout."""
    files = {
        "pilkada/paslon/pkwkp.json": "pilkada2024_paslon_pkwkp.json",
        "pilkada/paslon/pkwkk.json": "pilkada2024_paslon_pkwkk.json",
        "wilayah/pilkada/pkwkp/0.json": "pilkada2024_wilayah_pkwkp_0.json",
        "wilayah/pilkada/pkwkp/64.json": "pilkada2024_wilayah_pkwkp_64.json",
        "pilkada/hhcw/pkwkp/64.json": "pilkada2024_hhcw_pkwkp_64.json",
        **{f"pilkada/hhcw/pkwkk/64/{k}.json": f"pilkada2024_hhcw_pkwkk_64_{k}.json" for k in KALTIM_KABKOTA},
    }
    for rel, name in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / name, target)
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"needs the real KPU sample files in {SAMPLES}")
    return make_kaltim_tree(tmp_path / "tree")


@pytest.fixture
def server(tree: Path):
    with SirekapServer(tree) as srv:
        yield srv


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.done: list[str] = []

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, race: str) -> None:
        self.done.append(race)


def collect(url: str, selection: live.Selection, *, store=None, progress=None):
    async def run():
        async with build_client(FAST) as client:
            fetcher = Fetcher(client, url, settings=FAST, store=store)
            races, items = await live.collect(fetcher, selection, progress=progress)
            return races, built(items)
    return asyncio.run(run())


def by_race(items) -> dict[str, RaceSnapshot | DataError]:
    return {item.race: item for item in items}


# --------------------------------------------------------------------------- selection


def test_race_and_province_codes_are_checked():
    assert live.parse_race("pkwkp/64") == "pkwkp/64"
    assert live.parse_race(" pkwkk/6472/ ") == "pkwkk/6472"
    for bad in ("pkwkk/64", "pkwkp/6472", "gubernur/64", "64", "pkwkp/6a"):
        with pytest.raises(ConfigError, match="expected pkwkp/PP"):
            live.parse_race(bad)
    assert live.parse_province("64") == "64"
    with pytest.raises(ConfigError, match="--province '6': expected a 2-digit province code"):
        live.parse_province("6")


def test_selection_needs_only_the_masters_it_uses():
    assert live.Selection.parse(["pkwkp/64"]).kinds() == ("pkwkp",)
    assert live.Selection.parse(["pkwkk/6472"]).kinds() == ("pkwkk",)
    assert live.Selection.parse(["pkwkp/64", "pkwkk/6472"]).kinds() == ("pkwkp", "pkwkk")
    assert live.Selection.parse(provinces=["64"]).kinds() == ("pkwkp", "pkwkk")
    assert live.Selection().kinds() == ("pkwkp", "pkwkk") and live.Selection().everything


@needs_shared
def test_select_races_against_the_real_masters():
    masters = {kind: sirekap.parse_paslon(json.loads((SAMPLES / f"pilkada2024_paslon_{kind}.json").read_bytes()),
                                          where=kind) for kind in live.KINDS}
    everything = live.select_races(masters, live.Selection())
    assert len(everything) == 545 and everything == sorted(everything)
    assert sum(r.startswith("pkwkp/") for r in everything) == 37
    assert live.select_races(masters, live.Selection.parse(provinces=["64"])) == KALTIM_RACES
    assert live.select_races(masters, live.Selection.parse(provinces=["31"])) == ["pkwkp/31"]  # DKI: governor only
    both = live.select_races(masters, live.Selection.parse(["pkwkp/65", "pkwkk/6472"], ["64"]))
    assert both == [*KALTIM_RACES, "pkwkp/65"]
    with pytest.raises(ConfigError, match=r"--race pkwkp/34: not in KPU's candidate list /pilkada/paslon/pkwkp.json"):
        live.select_races(masters, live.Selection.parse(["pkwkp/34", "pkwkp/64"]))
    assert live.select_races(masters, live.Selection.parse(provinces=["34"]))[:1] == ["pkwkk/3401"]  # DIY: no governor
    assert "pkwkp/34" not in everything
    with pytest.raises(ConfigError, match="--province 99: KPU's candidate lists have no race in that province"):
        live.select_races(masters, live.Selection.parse(provinces=["99"]))


# --------------------------------------------------------------------------- decoding


def fetched(body: bytes) -> Fetched:
    return Fetched(path="/x.json", url="http://kpu.test/x.json", body=body, status=200)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><head><title>Sirekap - Sedang  dalam pemeliharaan</title></head></html>",
         "http://kpu.test/x.json: race pkwkp/64: expected JSON but received an HTML page "
         "('Sirekap - Sedang dalam pemeliharaan'); the server is overloaded or showing an error page, try again later"),
        (b"  <html><body>busy</body></html>", "expected JSON but received an HTML page;"),
        (b'{"mode":"hhcw","tungsura":{"chart":{"1000054":76', "the JSON ends early after 48 bytes (a truncated response)"),
        (b'{"mode": hhcw}', "invalid JSON at line 1 column 10 (Expecting value)"),
        (b"", "empty response (0 bytes) where a JSON file was expected"),
        (b"\xff\xfe\x00{", "the response is not UTF-8 text"),
    ],
)
def test_what_came_instead_of_json_is_named(body, message):
    with pytest.raises(DataError) as info:
        live.decode_json(fetched(body), race="pkwkp/64")
    assert message in str(info.value)
    assert info.value.race == "pkwkp/64"


def test_json_is_decoded():
    assert live.decode_json(fetched(b' {"a": [1, 2]} ')) == {"a": [1, 2]}


# --------------------------------------------------------------------------- collecting


def test_kaltim_governor_race_from_the_server(server, tree):
    races, items = collect(server.url, live.Selection.parse(["pkwkp/64"]))
    assert races == ["pkwkp/64"]
    (snap,) = items
    assert isinstance(snap, RaceSnapshot)
    assert snap.region.name == "Kalimantan Timur" and snap.kind == "gubernur"
    assert snap.votes == {"1000054": 766850, "1000055": 962804}
    assert (snap.tps_reported, snap.tps_total) == (6048, 6274)
    assert snap.timestamp.isoformat() == "2024-11-28T10:15:04+07:00"
    assert snap.source_url == f"{server.url}/pilkada/hhcw/pkwkp/64.json"
    assert snap.data_sha256 == hashlib.sha256((tree / "pilkada/hhcw/pkwkp/64.json").read_bytes()).hexdigest()
    assert [r.name for r in snap.sub_regions][:3] == ["Paser", "Kutai Kartanegara", "Berau"]
    assert len(snap.sub_regions) == 10 and snap.sub_region_level == "kabupaten/kota"
    # Only what the race needs: no regent/mayor master, no kecamatan list.
    assert sorted(r.path for r in server.requests) == [
        "/pilkada/hhcw/pkwkp/64.json", "/pilkada/paslon/pkwkp.json",
        "/wilayah/pilkada/pkwkp/0.json", "/wilayah/pilkada/pkwkp/64.json",
    ]


def test_whole_province_fetches_each_file_once(server):
    progress = Recorder()
    races, items = collect(server.url, live.Selection.parse(provinces=["64"]), progress=progress)
    assert races == KALTIM_RACES
    assert [i.race for i in items] == KALTIM_RACES and all(isinstance(i, RaceSnapshot) for i in items)
    assert progress.total == 11 and sorted(progress.done) == KALTIM_RACES
    snaps = by_race(items)
    samarinda = snaps["pkwkk/6472"]
    assert samarinda.region.name == "Kota Samarinda" and samarinda.kind == "walikota"
    assert samarinda.votes == {"1001094": 291288, "1001095": 39443}
    assert snaps["pkwkk/6401"].region.name == "Kabupaten Paser" and snaps["pkwkk/6401"].kind == "bupati"
    assert snaps["pkwkk/6472"].sub_regions == ()  # kecamatan list 404: no breakdown, still an article
    assert server.count("/wilayah/pilkada/pkwkp/64.json") == 1  # eleven races need it, fetched once
    assert server.count("/wilayah/pilkada/pkwkk/64/*") == 10
    assert all(server.count(r.path) == 1 for r in server.requests)


def test_races_complete_one_by_one(server):
    """A race's name lists are asked for next to its tally, so races are ready from the start of a fetch."""
    one_at_a_time = FetchSettings(concurrency=1, backoff_base=0.001, max_attempts=3, timeout=5)

    async def run() -> None:
        async with build_client(one_at_a_time) as client:
            fetcher = Fetcher(client, server.url, settings=one_at_a_time)
            await live.collect(fetcher, live.Selection.parse(provinces=["64"]))

    asyncio.run(run())
    paths = [r.path for r in server.requests if not r.path.startswith("/pilkada/paslon/")]
    assert paths[:6] == [
        "/pilkada/hhcw/pkwkk/64/6401.json", "/wilayah/pilkada/pkwkp/64.json", "/wilayah/pilkada/pkwkk/64/6401.json",
        "/pilkada/hhcw/pkwkk/64/6402.json", "/wilayah/pilkada/pkwkk/64/6402.json",
        "/pilkada/hhcw/pkwkk/64/6403.json",
    ]


def test_kecamatan_names_give_the_breakdown(server, tree):
    rows = json.loads((tree / "pilkada/hhcw/pkwkk/64/6472.json").read_bytes())["tungsura"]["table"]
    kec = [{"nama": f"KECAMATAN {code}", "id": int(code), "kode": code, "tingkat": 3} for code in rows]
    (tree / "wilayah/pilkada/pkwkk/64").mkdir(parents=True)
    (tree / "wilayah/pilkada/pkwkk/64/6472.json").write_text(json.dumps(kec), encoding="utf-8")
    _, (snap,) = collect(server.url, live.Selection.parse(["pkwkk/6472"]))
    assert snap.sub_region_level == "kecamatan"
    assert [r.code for r in snap.sub_regions] == list(rows)
    assert snap.sub_regions[0].name == f"Kecamatan {next(iter(rows))}"


@pytest.mark.parametrize(
    ("fault", "options", "message"),
    [
        ("html", {}, "expected JSON but received an HTML page ('Sirekap - Sedang dalam pemeliharaan')"),
        ("truncate", {}, "the JSON ends early after 1,383 bytes (a truncated response)"),
        ("body", {"body": b'{"tungsura":null}'}, "field tungsura: missing 'tungsura' object"),
        ("status", {"status": 404}, "HTTP 404 Not Found: the file does not exist on the server"),
        ("status", {"status": 503}, "gave up after 3 attempts, the last: HTTP 503 Service Unavailable"),
        ("reset", {"abort": True}, "gave up after 3 attempts, the last: connection failed (ReadError"),
    ],
)
def test_a_bad_race_file_holds_back_that_race_only(server, fault, options, message):
    path = "/pilkada/hhcw/pkwkk/64/6472.json"
    server.fault(path, fault, **options)
    _, items = collect(server.url, live.Selection.parse(provinces=["64"]))
    held = [i for i in items if isinstance(i, DataError)]
    assert [e.race for e in held] == ["pkwkk/6472"]
    text = str(held[0])
    assert text.startswith(f"{server.url}{path}: race pkwkk/6472: ")
    assert message in text
    assert sum(isinstance(i, RaceSnapshot) for i in items) == 10


def test_transient_failures_are_retried_away(server):
    server.fault("/pilkada/hhcw/*", "reset", times=3)
    server.fault("/wilayah/*", "status", times=2, status=500)
    _, items = collect(server.url, live.Selection.parse(provinces=["64"]))
    assert all(isinstance(i, RaceSnapshot) for i in items)


def test_missing_kabkota_names_hold_back_the_races_that_need_them(server, tree):
    server.fault("/wilayah/pilkada/pkwkp/64.json", "status", status=500)
    _, items = collect(server.url, live.Selection.parse(provinces=["64"]))
    assert all(isinstance(i, FetchError) for i in items)  # every race needs that list
    assert str(by_race(items)["pkwkp/64"]).startswith(
        f"{server.url}/wilayah/pilkada/pkwkp/64.json: race pkwkp/64: gave up after 3 attempts")
    server.clear_faults()
    (tree / "wilayah/pilkada/pkwkp/64.json").unlink()  # 404: governor race loses only its breakdown
    _, items = collect(server.url, live.Selection.parse(provinces=["64"]))
    snaps = by_race(items)
    assert isinstance(snaps["pkwkp/64"], RaceSnapshot) and snaps["pkwkp/64"].sub_regions == ()
    assert "HTTP 404 Not Found" in str(snaps["pkwkk/6401"])


def test_a_region_missing_from_its_name_list_is_named(server, tree):
    names = [e for e in json.loads((tree / "wilayah/pilkada/pkwkp/0.json").read_bytes()) if e["kode"] != "64"]
    (tree / "wilayah/pilkada/pkwkp/0.json").write_text(json.dumps(names), encoding="utf-8")
    _, (error,) = collect(server.url, live.Selection.parse(["pkwkp/64"]))
    assert str(error) == (f"{server.url}/wilayah/pilkada/pkwkp/0.json: race pkwkp/64: field kode: region 64 is not "
                          "in this list of region names; the race cannot be named")


def test_an_unusable_candidate_entry_holds_back_only_its_race(server, tree):
    path = tree / "pilkada/paslon/pkwkk.json"
    master = json.loads(path.read_bytes())
    master["6472"]["1001094"]["warna"] = "merah"  # not a colour a Ticket accepts
    path.write_text(json.dumps(master), encoding="utf-8")
    _, items = collect(server.url, live.Selection.parse(["pkwkk/6472", "pkwkk/6474"]))
    samarinda, bontang = items
    assert isinstance(bontang, RaceSnapshot) and isinstance(samarinda, DataError)
    assert samarinda.race == "pkwkk/6472" and "6472" in (samarinda.field or "")
    assert "String should match pattern" in str(samarinda)  # the parser or live.py names the reason


@pytest.mark.parametrize(("fault", "options"), [("status", {"status": 503}), ("html", {})])
def test_no_candidate_master_no_run(server, fault, options):
    server.fault("/pilkada/paslon/pkwkp.json", fault, **options)
    with pytest.raises(DataError, match="cannot load KPU's candidate list, so no race can be written") as info:
        collect(server.url, live.Selection.parse(["pkwkp/64"]))
    assert info.value.where == f"{server.url}/pilkada/paslon/pkwkp.json"


def test_unknown_race_is_a_usage_error(server):
    with pytest.raises(ConfigError, match="--race pkwkp/34: not in KPU's candidate list"):
        collect(server.url, live.Selection.parse(["pkwkp/34"]))


# --------------------------------------------------------------------------- archive


def test_record_then_replay_gives_the_same_snapshots(server, tmp_path):
    folder = tmp_path / "archive"
    server.fault("/pilkada/hhcw/pkwkk/64/6474.json", "html")
    run = live.record_archive(folder, server.url, live.Selection.parse(provinces=["64"]), settings=FAST)
    assert run.races == KALTIM_RACES and [e.race for e in run.held_back] == ["pkwkk/6474"]
    manifest = json.loads((folder / MANIFEST).read_bytes())
    assert manifest["format"] == "newsgen-archive/1" and manifest["base_url"] == server.url
    assert manifest["races"] == KALTIM_RACES
    entry = manifest["files"]["/pilkada/hhcw/pkwkp/64.json"]
    raw = (folder / "pilkada/hhcw/pkwkp/64.json").read_bytes()
    assert raw == (SAMPLES / "pilkada2024_hhcw_pkwkp_64.json").read_bytes()  # byte for byte
    assert entry["url"] == f"{server.url}/pilkada/hhcw/pkwkp/64.json"
    assert entry["path"] == "pilkada/hhcw/pkwkp/64.json" and entry["status"] == 200
    assert entry["sha256"] == hashlib.sha256(raw).hexdigest() and entry["bytes"] == len(raw)
    assert entry["etag"] and entry["last_modified"] and entry["fetched_at"].endswith("+00:00")
    kecamatan = manifest["files"]["/wilayah/pilkada/pkwkk/64/6472.json"]
    assert kecamatan["status"] == 404 and "HTTP 404 Not Found" in kecamatan["error"]
    assert not (folder / "wilayah/pilkada/pkwkk/64/6472.json").exists()
    assert (folder / "pilkada/hhcw/pkwkk/64/6474.json").read_bytes().startswith(b"<!DOCTYPE html>")  # as served

    server.stop()  # replay needs no network
    replayed = live.replay_archive(folder, live.Selection())
    assert replayed.races == KALTIM_RACES
    assert [type(i) for i in built(replayed.items)] == [type(i) for i in built(run.items)]
    for old, new in zip(built(run.items), built(replayed.items), strict=True):
        assert (old == new) if isinstance(old, RaceSnapshot) else (str(old) == str(new))
    only = live.replay_archive(folder, live.Selection.parse(["pkwkp/64"]))
    assert only.races == ["pkwkp/64"]


def test_second_record_revalidates(server, tmp_path):
    folder = tmp_path / "archive"
    live.record_archive(folder, server.url, live.Selection.parse(["pkwkp/64"]), settings=FAST)
    server.clear_requests()
    run = live.record_archive(folder, server.url, live.Selection.parse(["pkwkp/64"]), settings=FAST)
    assert [r.status for r in server.requests] == [304] * 4
    assert all("If-None-Match" in r.headers for r in server.requests)
    assert run.stats == {304: 4}
    manifest = json.loads((folder / MANIFEST).read_bytes())
    assert manifest["files"]["/pilkada/hhcw/pkwkp/64.json"]["status"] == 304


def test_replay_refuses_what_it_cannot_vouch_for(server, tmp_path):
    folder = tmp_path / "archive"
    live.record_archive(folder, server.url, live.Selection.parse(["pkwkp/64"]), settings=FAST)
    with pytest.raises(ConfigError, match="no such folder; record one with `newsgen fetch --archive"):
        live.replay_archive(tmp_path / "nothing", live.Selection())
    # A race that was not recorded.
    run = live.replay_archive(folder, live.Selection.parse(["pkwkp/64", "pkwkp/65"]))
    missing = by_race(built(run.items))["pkwkp/65"]
    assert f"{server.url}/pilkada/hhcw/pkwkp/65.json: race pkwkp/65: not in the archive {folder}" in str(missing)
    # A file edited after it was recorded.
    (folder / "pilkada/hhcw/pkwkp/64.json").write_bytes(b"{}")
    run = live.replay_archive(folder, live.Selection())
    assert "is missing or changed since it was recorded" in str(built(run.items)[0])


def test_a_bad_manifest_value_holds_back_only_the_races_it_concerns(server, tmp_path):
    folder = tmp_path / "archive"
    live.record_archive(folder, server.url, live.Selection.parse(provinces=["64"]), settings=FAST)
    manifest = json.loads((folder / MANIFEST).read_bytes())
    manifest["files"]["/pilkada/hhcw/pkwkk/64/6472.json"]["fetched_at"] = "0001-01-01T00:00:00+00:00"
    manifest["races"].append(6472)  # not a race code: left out
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    run = live.replay_archive(folder, live.Selection())
    assert run.races == KALTIM_RACES
    assert [e.race for e in run.held_back] == ["pkwkk/6472"]
    assert str(run.held_back[0]).startswith(
        f'{folder / MANIFEST}: race pkwkk/6472: field files["/pilkada/hhcw/pkwkk/64/6472.json"].fetched_at: ')


def test_one_archive_per_source(server, tmp_path):
    folder = tmp_path / "archive"
    live.record_archive(folder, server.url, live.Selection.parse(["pkwkp/64"]), settings=FAST)
    with pytest.raises(ConfigError, match=r"holds files recorded from http://127\.0\.0\.1:"):
        Archive.for_recording(folder, "https://sirekappilkada-obj-data.kpu.go.id")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        Archive.for_recording(tmp_path / "file", server.url)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / MANIFEST).write_text('{"format": "something-else"}')
    with pytest.raises(ConfigError, match="not a newsgen archive manifest"):
        Archive.for_replay(tmp_path / "other")


def test_archive_paths_stay_inside_the_folder(tmp_path):
    archive = Archive.for_recording(tmp_path / "a", "http://x")
    assert archive.file_for("/pilkada/hhcw/pkwkp/64.json") == tmp_path / "a/pilkada/hhcw/pkwkp/64.json"
    for bad in ("/../etc/passwd", "/a/../../b.json", "//host/x.json", "/", "/a\\b.json"):
        with pytest.raises(ConfigError, match="refusing archive path"):
            archive.file_for(bad)


def test_library_modules_do_not_import_click():
    for rel in ("generator/fetch.py", "generator/archive.py", "generator/sources/live.py"):
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "click" not in names, rel
