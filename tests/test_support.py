"""Tests for the test-support helpers: the synthetic Sirekap tree and the local server."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.sirekap_server import SirekapServer
from tests.support.synthetic_tree import (
    ZERO_PROGRESS_ROW,
    build_tree,
    dump_json,
    iter_tree,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).parents[1].parent / "shared"
SAMPLES = SHARED / "data" / "sirekap"
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="needs ../shared/data/sirekap (KPU sample files)"
)

TALLY_KEYS = ["mode", "tungsura", "psu", "progres", "ts"]
NON_CANDIDATE = {"psu", "progres", "status_progress"}


# --------------------------------------------------------------------------- helpers


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes().decode("utf-8"))


def _candidates(mapping: dict[str, Any]) -> list[str]:
    return [key for key in mapping if key not in NON_CANDIDATE]


def _get(
    server: SirekapServer, path: str, headers: dict[str, str] | None = None, *, method: str = "GET", timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: (status, lower-cased headers, body)."""
    port = urlsplit(server.url).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The synthetic national tree, built once for the module."""
    out = tmp_path_factory.mktemp("tree")
    return out, build_tree(SHARED, out)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A tiny object-store tree plus a secret file outside it."""
    root = tmp_path / "root"
    (root / "pilkada" / "hhcw" / "pkwkp").mkdir(parents=True)
    (root / "pilkada" / "hhcw" / "pkwkp" / "64.json").write_bytes(
        dump_json({"mode": "hhcw", "nama": "Kalimantan Timur", "angka": list(range(50))})
    )
    (root / "pilkada" / "hhcw" / "pkwkp" / "65.json").write_bytes(b'{"mode":"hhcw"}')
    (tmp_path / "secret.json").write_bytes(b'{"secret":true}')
    return root


@pytest.fixture
def server(site: Path):
    """A running server on the tiny tree."""
    with SirekapServer(site) as srv:
        yield srv


P64 = "/pilkada/hhcw/pkwkp/64.json"
P65 = "/pilkada/hhcw/pkwkp/65.json"


# --------------------------------------------------------------------------- synthetic tree


@needs_shared
def test_tree_has_all_545_races(tree: tuple[Path, dict[str, int]]) -> None:
    out, summary = tree
    files = [p for p in out.rglob("*") if p.is_file()]
    assert summary == {"races": 545, "files": len(files), "governor": 37, "regent_mayor": 508}
    governor = sorted(p.stem for p in (out / "pilkada/hhcw/pkwkp").glob("*.json"))
    regent = sorted(p.stem for p in (out / "pilkada/hhcw/pkwkk").glob("*/*.json"))
    assert len(governor) == 37 and len(regent) == 508
    assert governor == sorted(_load(SAMPLES / "pilkada2024_paslon_pkwkp.json"))
    assert regent == sorted(_load(SAMPLES / "pilkada2024_paslon_pkwkk.json"))
    # one province-level pkwkk collection per province with regent/mayor races (all but DKI)
    assert len(list((out / "pilkada/hhcw/pkwkk").glob("*.json"))) == 37
    assert not (out / "pilkada/hhcw/pkwkk/31.json").exists()


@needs_shared
def test_copies_of_real_files_are_byte_identical(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    for race_type in ("pkwkp", "pkwkk"):
        copy = (out / f"pilkada/paslon/{race_type}.json").read_bytes()
        assert copy == (SAMPLES / f"pilkada2024_paslon_{race_type}.json").read_bytes()
    assert (out / "wilayah/pilkada/pkwkp/0.json").read_bytes() == (
        SAMPLES / "pilkada2024_wilayah_pkwkp_0.json"
    ).read_bytes()


@needs_shared
def test_every_chart_equals_the_sum_of_its_rows(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    files = sorted((out / "pilkada/hhcw").rglob("*.json"))
    assert len(files) == 37 + 508 + 37
    for path in files:
        raw = path.read_bytes()
        data = json.loads(raw)
        assert raw == dump_json(data), path  # compact wire serialisation
        assert list(data) == TALLY_KEYS, path
        assert list(data["tungsura"]) == ["chart", "table"]
        chart, table = data["tungsura"]["chart"], data["tungsura"]["table"]
        assert list(table) == sorted(table)
        for cid in _candidates(chart):
            assert chart[cid] == sum(row.get(cid, 0) for row in table.values()), (path, cid)
        total = sum(row["progres"]["total"] for row in table.values())
        done = sum(row["progres"]["progres"] for row in table.values())
        assert chart["progres"] == {"total": total, "persen": round(done / total * 100, 2), "progres": done}
        assert list(chart["progres"]) == ["total", "persen", "progres"]
        assert data["progres"] == {"total": total, "progres": done}
        assert data["psu"] == "Reguler" and data["mode"] == "hhcw" and data["ts"] == "2024-11-28 10:15:04"
        for row in table.values():
            assert next(iter(row)) == "psu" and list(row)[-2:] == ["progres", "status_progress"]
            progres = row["progres"]
            assert progres["persen"] == round(progres["progres"] / progres["total"] * 100, 2)
            if row["status_progress"]:
                assert 0.9 * progres["total"] <= progres["progres"] <= progres["total"]
                assert 150 * progres["progres"] <= sum(row[c] for c in _candidates(row)) <= 450 * progres["progres"]


@needs_shared
def test_candidates_follow_the_paslon_master(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    governor = _load(out / "pilkada/paslon/pkwkp.json")
    regent = _load(out / "pilkada/paslon/pkwkk.json")
    kolom_kosong_votes = 0
    for province, candidates in governor.items():
        data = _load(out / f"pilkada/hhcw/pkwkp/{province}.json")
        assert _candidates(data["tungsura"]["chart"]) == list(candidates)
        kabkota = [e["kode"] for e in _load(out / f"wilayah/pilkada/pkwkp/{province}.json")]
        assert sorted(data["tungsura"]["table"]) == sorted(kabkota)
    for code, candidates in regent.items():
        data = _load(out / f"pilkada/hhcw/pkwkk/{code[:2]}/{code}.json")
        assert _candidates(data["tungsura"]["chart"]) == list(candidates)
        kecamatan = [e["kode"] for e in _load(out / f"wilayah/pilkada/pkwkk/{code[:2]}/{code}.json")]
        assert list(data["tungsura"]["table"]) == kecamatan == [f"{code}{i:02d}" for i in range(1, 7)]
        for row in data["tungsura"]["table"].values():
            assert _candidates(row) == list(candidates)
        collection = _load(out / f"pilkada/hhcw/pkwkk/{code[:2]}.json")["tungsura"]
        row = collection["table"][code]
        assert _candidates(row) == list(candidates)
        assert {c: row[c] for c in candidates} == {c: data["tungsura"]["chart"][c] for c in candidates}
        assert row["progres"] == data["tungsura"]["chart"]["progres"]
        for cid, entry in candidates.items():
            if entry["nama"].startswith("KOLOM KOSONG"):
                kolom_kosong_votes += data["tungsura"]["chart"][cid]
    assert kolom_kosong_votes > 0
    assert list(_load(out / "pilkada/hhcw/pkwkk/64.json")["tungsura"]["chart"]) == ["progres"]


@needs_shared
def test_exactly_one_row_without_progress(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    silent = []
    for path in sorted((out / "pilkada/hhcw").rglob("*.json")):
        for code, row in _load(path)["tungsura"]["table"].items():
            if not row["status_progress"]:
                silent.append((path.relative_to(out).as_posix(), code, row))
    assert len(silent) == 1
    race_type, province, kabkota = ZERO_PROGRESS_ROW
    rel, code, row = silent[0]
    assert (rel, code) == (f"pilkada/hhcw/{race_type}/{province}.json", kabkota)
    assert row["progres"]["progres"] == 0 and row["progres"]["persen"] == 0.0
    assert _candidates(row) == []


@needs_shared
def test_region_lists(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    for race_type in ("pkwkp", "pkwkk"):
        lists = sorted((out / f"wilayah/pilkada/{race_type}").glob("*.json"))
        expected = 38 + (race_type == "pkwkp")  # every province incl. DKI (31), DIY (34); 0.json
        assert len(lists) == expected
        assert len(list((out / f"wilayah/pilkada/{race_type}").glob("*/*.json"))) == 508 + 6
    kaltim = _load(out / "wilayah/pilkada/pkwkp/64.json")
    assert kaltim == _load(SAMPLES / "pilkada2024_wilayah_pkwkp_64.json")
    assert _load(out / "wilayah/pilkada/pkwkk/64.json") == kaltim
    dki = _load(out / "wilayah/pilkada/pkwkp/31.json")
    assert [e["kode"] for e in dki] == ["3171", "3172", "3173", "3174", "3175", "3101"]
    assert dki[0]["nama"] == "KOTA SINTETIS 3171" and dki[-1]["nama"] == "SINTETIS 3101"
    aceh = _load(out / "wilayah/pilkada/pkwkk/11.json")
    assert [e["nama"] for e in aceh] == sorted(e["nama"] for e in aceh)
    assert all(e["tingkat"] == 2 and isinstance(e["id"], int) for e in aceh)
    kec = _load(out / "wilayah/pilkada/pkwkp/31/3171.json")
    assert kec[0] == {"nama": "KECAMATAN SINTETIS 317101", "id": kec[0]["id"], "kode": "317101", "tingkat": 3}
    assert len(kec) == 6


@needs_shared
def test_build_is_deterministic(tree: tuple[Path, dict[str, int]]) -> None:
    out, _ = tree
    on_disk = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert dict(iter_tree(SHARED)) == on_disk  # a second build gives the same bytes
    other = dict(iter_tree(SHARED, seed=7))
    assert other.keys() == on_disk.keys()
    assert other["pilkada/paslon/pkwkk.json"] == on_disk["pilkada/paslon/pkwkk.json"]
    assert other["pilkada/hhcw/pkwkp/64.json"] != on_disk["pilkada/hhcw/pkwkp/64.json"]


def _load_cli() -> Any:
    """Import scripts/make_synthetic_tree.py as a module."""
    spec = importlib.util.spec_from_file_location("make_synthetic_tree", REPO / "scripts/make_synthetic_tree.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_passes_arguments_and_prints_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _load_cli()
    (tmp_path / "shared/data/sirekap").mkdir(parents=True)
    calls: list[tuple[Any, ...]] = []

    def fake_build(shared: Path, out: Path, **kwargs: Any) -> dict[str, int]:
        calls.append((shared, out, kwargs))
        return {"races": 545, "files": 1689, "governor": 37, "regent_mayor": 508}

    monkeypatch.setattr(module, "build_tree", fake_build)
    argv = [str(tmp_path / "t"), "--shared", str(tmp_path / "shared"), "--seed", "7", "--kecamatan", "2"]
    assert module.main(argv) == 0
    assert calls == [
        (tmp_path / "shared", tmp_path / "t", {"seed": 7, "kecamatan_per_race": 2, "ts": "2024-11-28 10:15:04"})
    ]
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "1689 files" in out and "545 races" in out
    if (REPO.parent / "shared" / "data" / "sirekap").is_dir():  # default: the shared folder beside the repo
        capsys.readouterr()
        assert module.main([str(tmp_path / "u")]) == 0
        assert calls[-1][0] == REPO.parent / "shared"


def test_cli_fails_clearly_without_shared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = _load_cli()
    with pytest.raises(SystemExit) as exc:
        module.main([str(tmp_path / "u"), "--shared", str(tmp_path / "nowhere")])
    assert exc.value.code == 2
    assert "KPU sample folder not found" in capsys.readouterr().err
    assert not (tmp_path / "u").exists()


def test_build_tree_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="KPU sample files missing"):
        build_tree(tmp_path / "nowhere", tmp_path / "out")
    with pytest.raises(ValueError):
        iter_tree(SHARED, kecamatan_per_race=0)
    with pytest.raises(ValueError):
        iter_tree(SHARED, ts="28/11/2024 10:15")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- server


def test_serves_files_byte_for_byte(server: SirekapServer, site: Path) -> None:
    assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith("/")
    status, headers, body = _get(server, P64, {"Referer": "https://pilkada2024.kpu.go.id/"})
    assert status == 200
    assert body == (site / "pilkada/hhcw/pkwkp/64.json").read_bytes()
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == str(len(body))
    assert headers["etag"].startswith('"') and headers["etag"].endswith('"')
    assert headers["last-modified"].endswith("GMT")
    record = server.requests[-1]
    assert (record.method, record.path, record.status) == ("GET", P64, 200)
    assert record.headers["Referer"] == "https://pilkada2024.kpu.go.id/"
    with urllib.request.urlopen(server.url + P65, timeout=5) as resp:  # plain urllib client works too
        assert resp.read() == b'{"mode":"hhcw"}'


def test_reads_files_at_request_time(server: SirekapServer, site: Path) -> None:
    _, first, _ = _get(server, P65)
    (site / "pilkada/hhcw/pkwkp/65.json").write_bytes(b'{"mode":"hhcw","baru":1}')
    status, second, body = _get(server, P65, {"If-None-Match": first["etag"]})
    assert (status, body) == (200, b'{"mode":"hhcw","baru":1}')
    assert second["etag"] != first["etag"]


def test_missing_file_and_traversal_are_404(server: SirekapServer) -> None:
    for path in ("/pilkada/hhcw/pkwkp/99.json", "/../secret.json", "/pilkada/../../secret.json",
                 "/%2e%2e/secret.json", "/pilkada/hhcw/", "/"):
        status, headers, body = _get(server, path)
        assert status == 404, path
        assert headers["content-type"].startswith("text/html") and b"404" in body
    assert server.count("*secret.json") == 3


def test_conditional_requests(server: SirekapServer, site: Path) -> None:
    os.utime(site / "pilkada/hhcw/pkwkp/64.json", (1732763704, 1732763704))
    _, headers, _ = _get(server, P64)
    assert headers["last-modified"] == "Thu, 28 Nov 2024 03:15:04 GMT"
    status, h304, body = _get(server, P64, {"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"") and h304["etag"] == headers["etag"]
    assert _get(server, P64, {"If-None-Match": '"other", ' + headers["etag"]})[0] == 304
    assert _get(server, P64, {"If-None-Match": '"other"'})[0] == 200
    assert _get(server, P64, {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert _get(server, P64, {"If-Modified-Since": "Wed, 27 Nov 2024 00:00:00 GMT"})[0] == 200
    assert [r.status for r in server.requests] == [200, 304, 304, 200, 304, 200]


def test_etags_can_be_switched_off(site: Path) -> None:
    with SirekapServer(site, etags=False) as srv:
        status, headers, body = _get(srv, P64, {"If-None-Match": "*"})
    assert status == 200 and body and "etag" not in headers and "last-modified" not in headers


def test_head_request(server: SirekapServer, site: Path) -> None:
    status, headers, body = _get(server, P64, method="HEAD")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len((site / "pilkada/hhcw/pkwkp/64.json").read_bytes()))


def test_fault_status_applies_times_then_serves(server: SirekapServer) -> None:
    server.fault(P64, "status", times=2, status=503, headers={"Retry-After": "1"})
    first, second, third = (_get(server, P64) for _ in range(3))
    assert first[0] == second[0] == 503
    assert first[1]["retry-after"] == "1" and b"503" in first[2]
    assert third[0] == 200 and third[2].startswith(b'{"mode"')
    assert _get(server, P65)[0] == 200  # pattern does not match
    assert server.count(P64) == 3 and server.count("/pilkada/hhcw/pkwkp/*") == 4
    assert [(r.status, r.fault) for r in server.requests[:3]] == [(503, "status"), (503, "status"), (200, None)]


def test_faults_apply_in_order_and_clear(server: SirekapServer) -> None:
    server.fault("*", "status", times=1, status=500)
    server.fault(P64, "status", status=429)
    assert [_get(server, P64)[0] for _ in range(3)] == [500, 429, 429]
    assert _get(server, P65)[0] == 200
    server.clear_faults()
    assert _get(server, P64)[0] == 200


def test_fault_delay(server: SirekapServer) -> None:
    server.fault(P64, "delay", times=1, seconds=0.2)
    start = time.monotonic()
    status, _, body = _get(server, P64)
    assert time.monotonic() - start >= 0.15
    assert status == 200 and body.startswith(b'{"mode"')


def test_delay_does_not_block_shutdown(site: Path) -> None:
    srv = SirekapServer(site)
    with srv:
        srv.fault("*", "delay", seconds=30)
        with pytest.raises(TimeoutError):
            _get(srv, P64, timeout=0.1)
        start = time.monotonic()
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("abort", [False, True])
def test_fault_reset(server: SirekapServer, abort: bool) -> None:
    server.fault(P64, "reset", times=1, abort=abort)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        _get(server, P64)
    assert server.requests[-1].status == 0
    assert _get(server, P64)[0] == 200


def test_fault_html(server: SirekapServer) -> None:
    server.fault(P64, "html")
    status, headers, body = _get(server, P64)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body.lstrip().lower().startswith(b"<!doctype html")
    with pytest.raises(ValueError):
        json.loads(body)


def test_fault_truncate(server: SirekapServer, site: Path) -> None:
    data = (site / "pilkada/hhcw/pkwkp/64.json").read_bytes()
    server.fault(P64, "truncate")
    status, headers, body = _get(server, P64)
    assert status == 200 and headers["content-type"] == "application/json"
    assert body == data[: len(data) // 2] and headers["content-length"] == str(len(body))
    with pytest.raises(ValueError):
        json.loads(body)


def test_fault_body(server: SirekapServer) -> None:
    server.fault(P64, "body", body=b'{"tungsura":null}')
    status, headers, body = _get(server, P64)
    assert (status, body) == (200, b'{"tungsura":null}')
    assert headers["content-type"] == "application/json"


def test_fault_arguments_are_checked(server: SirekapServer) -> None:
    with pytest.raises(ValueError):
        server.fault("*", "explode")
    with pytest.raises(ValueError):
        server.fault("*", "status")
    with pytest.raises(ValueError):
        server.fault("*", "delay")


def test_concurrent_requests_count_faults_exactly(server: SirekapServer) -> None:
    server.fault(P64, "status", times=10, status=503)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _get(server, P64)[0], range(40)))
    assert statuses.count(503) == 10 and statuses.count(200) == 30
    assert server.count(P64) == 40 and len(server.requests) == 40


def test_server_is_silent_and_stops_cleanly(site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    threads_before = threading.active_count()
    with SirekapServer(site) as srv:
        srv.fault("/boom", "reset")
        _get(srv, "/missing.json")
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            _get(srv, "/boom")
        url = srv.url
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    with pytest.raises(OSError):
        urllib.request.urlopen(url + P64, timeout=1)
    deadline = time.monotonic() + 2
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() <= threads_before
