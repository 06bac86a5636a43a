"""The HTTP cache (generator/cache.py): one SQLite file, a convenience, never a source.

A cache it cannot use (damaged, not SQLite at all, another layout) is set
aside as ``cache.sqlite3.broken`` and the run fetches everything whole from a
real server on 127.0.0.1; nothing is printed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from generator.cache import HttpCache
from generator.fetch import Fetcher, FetchSettings, build_client
from tests.support.sirekap_server import SirekapServer

PATH = "/pilkada/hhcw/pkwkp/64.json"
BODY = b'{"mode":"hhcw","ts":"2024-11-28 10:15:04"}'
FAST = FetchSettings(backoff_base=0.001, max_attempts=2, timeout=5)


@pytest.fixture
def server(tmp_path: Path):
    root = tmp_path / "site"
    (root / "pilkada/hhcw/pkwkp").mkdir(parents=True)
    (root / PATH.lstrip("/")).write_bytes(BODY)
    with SirekapServer(root) as srv:
        yield srv


def fetch(server: SirekapServer, cache: HttpCache):
    """One GET through ``cache``, which is then saved, as a run does."""
    async def run():
        async with build_client(FAST) as client:
            return await Fetcher(client, server.url, settings=FAST, store=cache).get(PATH)
    try:
        return asyncio.run(run())
    finally:
        cache.save()


def stored(folder: Path) -> dict[str, bytes]:
    with closing(sqlite3.connect(folder / "cache.sqlite3")) as db:
        return {path: bytes(body) for path, body in db.execute("SELECT path, body FROM responses")}


def test_a_second_run_revalidates(server, tmp_path):
    first = fetch(server, HttpCache(tmp_path / "cache", server.url))
    second = fetch(server, HttpCache(tmp_path / "cache", server.url))
    assert (first.status, second.status, second.body) == (200, 304, BODY)
    assert server.requests[-1].headers["If-None-Match"] == first.etag


def test_a_revalidation_that_changes_nothing_writes_nothing(server, tmp_path):
    """A poll in which KPU changed nothing (every answer 304) leaves the database as it was."""
    first = fetch(server, HttpCache(tmp_path / "cache", server.url))
    before = (tmp_path / "cache" / "cache.sqlite3").read_bytes()
    second = fetch(server, HttpCache(tmp_path / "cache", server.url))
    assert (first.status, second.status, second.body, second.etag) == (200, 304, BODY, first.etag)
    assert (tmp_path / "cache" / "cache.sqlite3").read_bytes() == before
    (tmp_path / "site" / PATH.lstrip("/")).write_bytes(BODY.replace(b"10:15:04", b"10:30:04"))
    third = fetch(server, HttpCache(tmp_path / "cache", server.url))
    assert third.status == 200 and stored(tmp_path / "cache") == {PATH: third.body}  # a change is stored


def test_a_damaged_cache_copy_is_not_trusted(server, tmp_path):
    fetch(server, HttpCache(tmp_path / "cache", server.url))
    with closing(sqlite3.connect(tmp_path / "cache" / "cache.sqlite3")) as db, db:
        db.execute("UPDATE responses SET body = ?", (b"tampered",))
    fetched = fetch(server, HttpCache(tmp_path / "cache", server.url))
    assert "If-None-Match" not in server.requests[-1].headers
    assert (fetched.status, fetched.body) == (200, BODY)


def test_a_cache_of_another_object_store_is_not_used(server, tmp_path):
    fetch(server, HttpCache(tmp_path / "cache", server.url))
    HttpCache(tmp_path / "cache", "http://127.0.0.1:9/elsewhere").save()
    assert stored(tmp_path / "cache") == {}
    fetch(server, HttpCache(tmp_path / "cache", server.url))
    assert "If-None-Match" not in server.requests[-1].headers


def expect_set_aside(server, folder: Path, capsys) -> HttpCache:
    """Open the cache in ``folder``: what was there is set aside, and two runs work as on a fresh cache."""
    cache = HttpCache(folder, server.url)
    assert cache.set_aside == folder / "cache.sqlite3.broken" and cache.set_aside.exists()
    first = fetch(server, cache)
    assert first.status == 200 and "If-None-Match" not in server.requests[-1].headers
    assert stored(folder) == {PATH: BODY}
    second = fetch(server, HttpCache(folder, server.url))  # the new database is used from then on
    assert second.status == 304
    assert capsys.readouterr().out == ""
    return cache


def test_a_cache_that_is_not_a_database_is_set_aside(server, tmp_path, capsys):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "cache.sqlite3").write_bytes(b"not a database at all" * 100)
    cache = expect_set_aside(server, tmp_path / "cache", capsys)
    assert cache.set_aside.read_bytes().startswith(b"not a database")


@pytest.mark.parametrize(
    "script",
    [
        # an older or newer layout: the same tables, other columns
        "CREATE TABLE responses (path TEXT PRIMARY KEY, body BLOB); CREATE TABLE settings (key TEXT, value TEXT);"
        "INSERT INTO responses VALUES ('/pilkada/hhcw/pkwkp/64.json', x'00');",
        # settings of another shape: the base URL check itself would fail
        "CREATE TABLE settings (name TEXT, setting TEXT, extra INTEGER); INSERT INTO settings VALUES ('a', 'b', 1);",
        # our tables and one more
        "CREATE TABLE responses (path TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT, "
        "sha256 TEXT NOT NULL, body BLOB NOT NULL, fetched_at TEXT);"
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE notes (x);",
        # another program's database altogether
        "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, name TEXT); CREATE VIEW v AS SELECT * FROM moz_cookies;",
    ],
    ids=["other-columns", "other-settings", "extra-table", "another-program"],
)
def test_a_cache_of_another_layout_is_set_aside(server, tmp_path, capsys, script):
    (tmp_path / "cache").mkdir()
    with closing(sqlite3.connect(tmp_path / "cache" / "cache.sqlite3")) as db:
        db.executescript(script)
    before = (tmp_path / "cache" / "cache.sqlite3").read_bytes()
    cache = expect_set_aside(server, tmp_path / "cache", capsys)
    assert cache.set_aside.read_bytes() == before  # kept as it was, for a look


def test_a_cache_row_of_another_type_is_fetched_whole(server, tmp_path):
    """SQLite keeps any type in any column: a row written by something else is not trusted."""
    fetch(server, HttpCache(tmp_path / "cache", server.url))
    with closing(sqlite3.connect(tmp_path / "cache" / "cache.sqlite3")) as db, db:
        db.execute("UPDATE responses SET body = 'text, not bytes', etag = 12")
    fetched = fetch(server, HttpCache(tmp_path / "cache", server.url))
    assert (fetched.status, fetched.body) == (200, BODY)
    assert "If-None-Match" not in server.requests[-1].headers
