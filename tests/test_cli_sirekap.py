"""`newsgen generate --source sirekap`, `newsgen fetch --archive` and replay, end to end.

Every run talks to a real HTTP server on 127.0.0.1 (tests/support/sirekap_server.py):
a small tree of real Kaltim files from ../shared/data/sirekap, and the synthetic
national tree of all 545 races (tests/support/synthetic_tree.py, built once here).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.cli as cli
from generator.cli import _ProgressBar, default_cache_dir, main
from tests.support.sirekap_server import SirekapServer
from tests.support.synthetic_tree import build_tree

from .test_live import KALTIM_RACES, REPO, SAMPLES, SHARED, make_kaltim_tree

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"needs the real KPU sample files in {SAMPLES} (the shared folder beside the repository)"
)

NOW = "2024-11-28T11:00:00+08:00"
FAST = ["--backoff", "0.01", "--now", NOW]
KALTIM = "pkwkp/64"
SAMARINDA = "pkwkk/6472"
TALLY = "/pilkada/hhcw/pkwkp/64.json"


@pytest.fixture(autouse=True)
def _cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default HTTP cache lands in the test's folder, never in the user's home."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_kaltim_tree(tmp_path / "tree")


@pytest.fixture
def server(tree: Path):
    with SirekapServer(tree) as srv:
        yield srv


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def files(folder: Path) -> dict[str, bytes]:
    """Every article file (and its assets) by path, whatever the output layout; bookkeeping left out."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("_")}


def articles(folder: Path) -> dict[str, Path]:
    """Article files by the race in their front matter."""
    found = {}
    for path in sorted(folder.rglob("*.md")):
        if path.relative_to(folder).as_posix().startswith("_"):
            continue
        match = re.search(r"^  race: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert match, path
        found[match.group(1)] = path
    return found


def live(server: SirekapServer, out: Path, *args: str):
    return run("generate", "--source", "sirekap", "--base-url", server.url, "--out", str(out), *FAST, *args)


# --------------------------------------------------------------------------- acceptance


def test_kaltim_article_with_the_server_figures(server, tree, tmp_path):
    result = live(server, tmp_path / "out", "--race", "pkwkp/64")
    assert result.exit_code == 0, result.output
    assert list(articles(tmp_path / "out")) == [KALTIM]
    text = articles(tmp_path / "out")[KALTIM].read_text(encoding="utf-8")
    for needle in ("962.804", "766.850", "55,66%", "44,34%", "6.048", "6.274", "96,39%",
                   f"source_url: {server.url}{TALLY}",
                   f"data_sha256: {hashlib.sha256((tree / TALLY[1:]).read_bytes()).hexdigest()}",
                   "data_timestamp: '2024-11-28T10:15:04+07:00'"):
        assert needle in text, needle
    assert f"newsgen: fetched 4 files from {server.url} (0 not modified)" in result.output
    assert "newsgen: 1 written, 0 unchanged, 0 held back, 0 without data yet in" in result.output


def test_figures_come_from_the_server(server, tree, tmp_path):
    earlier = SAMPLES / "pilkada2024_hhcw_pkwkp_64_snapshot_ts20241128T010000.json"
    (tree / TALLY[1:]).write_bytes(earlier.read_bytes())
    assert live(server, tmp_path / "out", "--race", "pkwkp/64").exit_code == 0
    text = articles(tmp_path / "out")[KALTIM].read_text(encoding="utf-8")
    assert "952.185" in text and "758.326" in text and "962.804" not in text


def test_first_two_requests_answered_503_still_succeeds(server, tmp_path):
    server.fault("*", "status", times=2, status=503)
    result = live(server, tmp_path / "out", "--race", "pkwkp/64")
    assert result.exit_code == 0, result.output
    assert [r.status for r in server.requests[:2]] == [503, 503]
    assert len(server.requests) == 6 and "962.804" in articles(tmp_path / "out")[KALTIM].read_text(encoding="utf-8")
    assert "(0 not modified, 2 failed tries)" in result.output


def test_whole_province(server, tmp_path):
    result = live(server, tmp_path / "out", "--province", "64")
    assert result.exit_code == 0, result.output
    assert sorted(articles(tmp_path / "out")) == KALTIM_RACES
    assert "newsgen: 11 written, 0 unchanged, 0 held back" in result.output
    for race in KALTIM_RACES:
        assert f"({race})" in result.output


def test_html_page_holds_back_one_race_and_keeps_its_article(server, tmp_path):
    out = tmp_path / "out"
    assert live(server, out, "--province", "64").exit_code == 0
    before = files(out)
    samarinda, kaltim = articles(out)[SAMARINDA], articles(out)[KALTIM]
    mtime = samarinda.stat().st_mtime_ns
    kaltim.unlink()  # shows the other races are still written
    server.fault("/pilkada/hhcw/pkwkk/64/6472.json", "html")
    result = live(server, out, "--province", "64")
    assert result.exit_code == 1
    assert (f"held back pkwkk/6472: {server.url}/pilkada/hhcw/pkwkk/64/6472.json: race pkwkk/6472: expected JSON "
            "but received an HTML page ('Sirekap - Sedang dalam pemeliharaan')") in result.output
    assert "1 held back" in result.output
    after = files(out)
    assert sorted(after) == sorted(before) and kaltim.is_file()
    assert samarinda.read_bytes() == before[samarinda.relative_to(out).as_posix()]
    assert samarinda.stat().st_mtime_ns == mtime


def test_truncated_json_is_held_back(server, tmp_path):
    server.fault(TALLY, "truncate")
    result = live(server, tmp_path / "out", "--race", "pkwkp/64", "--race", "pkwkk/6472")
    assert result.exit_code == 1
    assert f"held back pkwkp/64: {server.url}{TALLY}: race pkwkp/64: the JSON ends early after 1,388 bytes" \
           in result.output
    assert list(articles(tmp_path / "out")) == [SAMARINDA]


def test_429_retry_after_is_honoured(server, tmp_path):
    server.fault(TALLY, "status", times=1, status=429, headers={"Retry-After": "1"})
    start = time.monotonic()
    result = live(server, tmp_path / "out", "--race", "pkwkp/64")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start >= 1.0  # the backoff alone would be 0.01 s
    assert [r.status for r in server.requests if r.path == TALLY] == [429, 200]


def test_connection_reset_is_retried(server, tmp_path):
    server.fault(TALLY, "reset", times=2, abort=True)
    result = live(server, tmp_path / "out", "--race", "pkwkp/64")
    assert result.exit_code == 0, result.output
    assert [r.status for r in server.requests if r.path == TALLY] == [0, 0, 200]


def test_timeouts_after_retries_hold_back_the_race(server, tmp_path):
    server.fault(TALLY, "delay", seconds=5)
    result = live(server, tmp_path / "out", "--race", "pkwkp/64", "--race", "pkwkk/6472",
                  "--timeout", "0.2", "--max-attempts", "2")
    assert result.exit_code == 1
    assert (f"held back pkwkp/64: {server.url}{TALLY}: race pkwkp/64: gave up after 2 attempts, the last: "
            "no complete response within 0.2 s (timeout)") in result.output
    assert list(articles(tmp_path / "out")) == [SAMARINDA]


def test_repeat_run_asks_if_modified(server, tmp_path, _cache_home):
    out = tmp_path / "out"
    assert live(server, out, "--race", "pkwkp/64").exit_code == 0
    assert (default_cache_dir(server.url) / "cache.sqlite3").is_file()
    assert str(default_cache_dir(server.url)).startswith(str(_cache_home))
    before = files(out)
    server.clear_requests()
    result = live(server, out, "--race", "pkwkp/64")
    assert result.exit_code == 0, result.output
    assert [r.status for r in server.requests] == [304] * 4
    assert all(r.headers.get("If-None-Match") for r in server.requests)
    assert f"fetched 4 files from {server.url} (4 not modified)" in result.output
    assert files(out) == before
    server.clear_requests()
    assert live(server, out, "--race", "pkwkp/64", "--no-cache").exit_code == 0
    assert [r.status for r in server.requests] == [200] * 4


def test_candidate_master_failure_stops_the_run(server, tmp_path):
    server.fault("/pilkada/paslon/*", "status", status=404)
    result = live(server, tmp_path / "out", "--province", "64")
    assert result.exit_code == 1
    assert (f"newsgen: error: {server.url}/pilkada/paslon/pkwkp.json: cannot load KPU's candidate list, so no race "
            "can be written: HTTP 404 Not Found") in result.output
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- archive


def test_fetch_then_replay_gives_byte_identical_articles(server, tmp_path):
    archive = tmp_path / "night"
    assert live(server, tmp_path / "live", "--province", "64").exit_code == 0
    result = run("fetch", "--archive", str(archive), "--base-url", server.url, "--province", "64", "--backoff", "0.01")
    assert result.exit_code == 0, result.output
    assert (f"newsgen: recorded 15 files from {server.url} (0 not modified) into {archive}: "
            "11 races complete, 0 held back") in result.output
    assert (archive / "pilkada/hhcw/pkwkp/64.json").read_bytes() == (SAMPLES / "pilkada2024_hhcw_pkwkp_64.json").read_bytes()
    server.clear_requests()
    again = run("fetch", "--archive", str(archive), "--base-url", server.url, "--province", "64")
    assert "(15 not modified)" in again.output and {r.status for r in server.requests} == {304, 404}
    server.stop()  # replay is offline
    result = run("generate", "--archive", str(archive), "--out", str(tmp_path / "replay"), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert files(tmp_path / "replay") == files(tmp_path / "live")


def test_fetch_reports_races_it_could_not_record(server, tmp_path):
    server.fault("/pilkada/hhcw/pkwkk/64/6401.json", "status", status=404)
    result = run("fetch", "--archive", str(tmp_path / "a"), "--base-url", server.url, "--province", "64")
    assert result.exit_code == 1
    assert f"held back pkwkk/6401: {server.url}/pilkada/hhcw/pkwkk/64/6401.json: race pkwkk/6401: HTTP 404" \
           in result.output
    assert "10 races complete, 1 held back" in result.output


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "--race", "pkwkk/64"], "--race 'pkwkk/64': expected pkwkp/PP"),
        (["generate", "--province", "Kaltim"], "--province 'Kaltim': expected a 2-digit province code"),
        (["generate", "--input", "x.yaml", "--race", "pkwkp/64"], "--race/--province choose races of"),
        (["generate", "--source", "sirekap", "--archive", "night"], "to record one use `newsgen fetch --archive DIR`"),
        (["generate", "--source", "archive"], "--source archive needs --archive DIR"),
        (["generate", "--archive", "no-such-folder"], "--archive no-such-folder: no such folder"),
        (["generate", "--source", "sirekap", "--concurrency", "0"], "Invalid value for '--concurrency'"),
        (["fetch"], "Missing option '--archive'"),
    ],
)
def test_usage_errors_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_race_that_does_not_exist_is_a_usage_error(server, tmp_path):
    result = live(server, tmp_path / "out", "--race", "pkwkp/34")
    assert result.exit_code == 2
    assert "--race pkwkp/34: not in KPU's candidate list" in result.output


def test_help_shows_examples():
    assert "newsgen generate --source sirekap --race pkwkp/64" in run("generate", "--help").output
    assert "newsgen fetch --archive night/2315" in run("fetch", "--help").output


def test_default_cache_folder(monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/x")
    assert default_cache_dir("https://sirekappilkada-obj-data.kpu.go.id") == \
        Path("/var/cache/x/newsgen/http/sirekappilkada-obj-data.kpu.go.id")
    assert default_cache_dir("http://127.0.0.1:8080/") == Path("/var/cache/x/newsgen/http/127.0.0.1_8080")


# --------------------------------------------------------------------------- progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal():
    screen = Terminal()
    bar = _ProgressBar("Fetching races", screen)
    bar.start(3)
    for race in ("a", "b", "c"):
        bar.advance(race)
    bar.close()
    assert "Fetching races" in screen.getvalue() and "3/3" in screen.getvalue()
    quiet = io.StringIO()
    bar = _ProgressBar("Fetching races", quiet)
    bar.start(3)
    bar.advance("a")
    bar.close()
    assert quiet.getvalue() == ""
    single = Terminal()
    bar = _ProgressBar("Fetching races", single)
    bar.start(1)
    bar.close()
    assert single.getvalue() == ""  # one race: no bar


def test_no_progress_bar_when_stderr_is_not_a_terminal(server, tmp_path):
    result = live(server, tmp_path / "out", "--province", "64")
    assert "Fetching races" not in result.output


# --------------------------------------------------------------------------- national


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    """The synthetic national tree, served once for this module."""
    root = tmp_path_factory.mktemp("national")
    summary = build_tree(SHARED, root)
    with SirekapServer(root) as srv:
        yield srv, summary


class Background(threading.Thread):
    """`newsgen fetch --archive` then `newsgen generate --archive`, in a child process.

    It runs while the live run below renders in this process, so the two
    national runs share the machine's cores instead of taking turns.
    """

    def __init__(self, url: str, folder: Path) -> None:
        super().__init__(daemon=True)
        self.archive, self.out = folder / "night", folder / "replay"
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "xdg-cache"), "XDG_STATE_HOME": str(folder / "xdg-state")}
        newsgen = [sys.executable, "-m", "generator.cli"]
        self.commands = [
            [*newsgen, "fetch", "--archive", str(self.archive), "--base-url", url, "--concurrency", "16"],
            # Rendered in this process, while the live run renders in a pool of two
            # workers: the comparison below also shows --jobs changes no byte of 545 articles.
            [*newsgen, "generate", "--archive", str(self.archive), "--out", str(self.out), "--now", NOW, "--jobs", "0"],
        ]
        self.env = env
        self.results: list[subprocess.CompletedProcess] = []

    def run(self) -> None:
        for command in self.commands:
            done = subprocess.run(command, capture_output=True, text=True, env=self.env, cwd=REPO, timeout=300)
            self.results.append(done)
            if done.returncode != 0:
                return


@pytest.fixture(scope="module")
def national_replay(national, tmp_path_factory: pytest.TempPathFactory) -> Background:
    server, _ = national
    job = Background(server.url, tmp_path_factory.mktemp("national-replay"))
    job.start()
    yield job
    job.join()


@pytest.fixture(scope="module")
def national_live(national, national_replay, tmp_path_factory: pytest.TempPathFactory):
    """One live run over every race, its progress bar drawn on a pretend terminal."""
    server, _ = national
    out = tmp_path_factory.mktemp("national-live")
    screen = Terminal()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "_progress_stream", lambda: screen)
        # A module fixture runs before the per-test environment is set: its state folder is given.
        result = run("generate", "--source", "sirekap", "--base-url", server.url, "--out", str(out),
                     "--state", str(tmp_path_factory.mktemp("national-state")),
                     "--no-cache", "--concurrency", "16", "--jobs", "2", *FAST)
    return result, out, screen.getvalue()


def test_national_run_writes_every_race(national, national_live):
    _, summary = national
    result, out, screen = national_live
    assert result.exit_code == 0, result.output[-2000:]
    assert summary["races"] == 545
    assert len(articles(out)) == 545
    assert "newsgen: 545 written, 0 unchanged, 0 held back, 0 without data yet" in result.output
    assert "Fetching races" in screen and "545/545" in screen


def test_national_fetch_then_replay_is_byte_identical(national_live, national_replay):
    _, live_out, _ = national_live
    national_replay.join(timeout=300)
    fetch, replay = national_replay.results
    assert fetch.returncode == 0, fetch.stderr[-2000:]
    assert "545 races complete, 0 held back" in fetch.stderr
    assert replay.returncode == 0, replay.stderr[-2000:]
    assert "newsgen: 545 written, 0 unchanged, 0 held back" in replay.stderr
    replayed = files(national_replay.out)
    assert len(articles(national_replay.out)) == 545 and replayed == files(live_out)


#: A degree or title KPU writes without its closing period (EYD wants "S.H.", "M.Si.", "Dr. (H.C.)").
_BARE_DEGREE = re.compile(r"(?<![\w.])(?:S\.?H|S\.?T|S\.?E|M\.?M|M\.?H|M\.Si|M\.Pd|S\.Pd|S\.Sos|S\.Ag|M\.Ag|S\.Kom|"
                          r"S\.I\.Kom|S\.Ikom|S\.IP|S\.I\.P|M\.Kes|HC|Purn)(?![\w.])")


def test_national_names_in_house_style(national_live):
    """Every national article: titles and degrees close with a period, no short form printed
    in a headline or tag has dots, brackets, runs of capitals or "Alias" unless it is the full
    name standing in for one flagged for editors, and the review page lists the flagged ones."""
    from generator.names import short_form_problem
    from generator.writer import split_front_matter

    _, out, _ = national_live
    flagged_races = set()
    for race, path in articles(out).items():
        text = path.read_text(encoding="utf-8")
        meta, body = split_front_matter(text)
        assert not _BARE_DEGREE.search(body), (race, _BARE_DEGREE.search(body).group())
        if any("_short: the short form" in f for f in meta["params"].get("review_flags", [])):
            flagged_races.add(race)
            continue
        for tag in meta["tags"][3:]:
            if tag == "Kolom Kosong":
                continue
            for person in tag.split("-"):
                assert short_form_problem(person) is None, (race, tag)
                assert not re.search(r"\S Alias \S", person), (race, tag)  # "Alias Wello" is a name
            assert "(" not in tag and "." not in tag, (race, tag)
    review = (out.parent / out.name.replace("national-live", "national-state") / "review.md").read_text(
        encoding="utf-8")
    assert "## Nama yang perlu diperiksa" in review
    assert all(f"- {race}: " in review for race in flagged_races)
    assert 0 < len(flagged_races) <= 5  # the few names whose short form the data cannot decide
