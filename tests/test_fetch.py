"""The HTTP layer against a real server on 127.0.0.1 (tests/support/sirekap_server.py).

Retries never really wait here: ``sleep`` is replaced by a recorder, so the
tests can assert what the backoff and Retry-After asked for.
"""

from __future__ import annotations

import asyncio
import gzip
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from generator import __version__
from generator.cache import HttpCache
from generator.errors import ConfigError, FetchError
from generator.fetch import (
    DEFAULT_HEADERS,
    Fetcher,
    FetchSettings,
    build_client,
    parse_retry_after,
)
from tests.support.sirekap_server import SirekapServer

PATH = "/pilkada/hhcw/pkwkp/64.json"
OTHER = "/pilkada/hhcw/pkwkp/65.json"
BODY = b'{"mode":"hhcw","ts":"2024-11-28 10:15:04"}'
FAST = FetchSettings(backoff_base=0.01, max_attempts=4, timeout=2)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "pilkada/hhcw/pkwkp").mkdir(parents=True)
    (root / PATH.lstrip("/")).write_bytes(BODY)
    (root / OTHER.lstrip("/")).write_bytes(b'{"mode":"hhcw"}')
    return root


@pytest.fixture
def server(site: Path):
    with SirekapServer(site) as srv:
        yield srv


class Sleeps(list):
    """Stands in for asyncio.sleep: records the delays, waits for nothing."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(server: SirekapServer, path: str = PATH, *, settings: FetchSettings = FAST, store=None,
          sleeps: Sleeps | None = None, rand=lambda: 0.5, transport=None):
    """One GET through a fresh client; returns (Fetched or FetchError, fetcher)."""
    async def run():
        async with build_client(settings, transport=transport) as client:
            fetcher = Fetcher(client, server.url, settings=settings, store=store,
                              sleep=sleeps if sleeps is not None else Sleeps(), rand=rand)
            try:
                return await fetcher.get(path), fetcher
            except FetchError as exc:
                return exc, fetcher
    return asyncio.run(run())


def test_sends_the_public_site_headers_and_an_honest_user_agent(server):
    fetched, _ = fetch(server)
    assert fetched.body == BODY and fetched.status == 200 and fetched.attempts == 1
    assert fetched.url == f"{server.url}{PATH}" and fetched.path == PATH
    headers = server.requests[-1].headers
    assert headers["User-Agent"] == f"newsgen/{__version__} (+https://github.com/newsgen)"
    assert headers["Referer"] == "https://pilkada2024.kpu.go.id/"
    assert headers["Origin"] == "https://pilkada2024.kpu.go.id"
    assert headers["Accept"] == "application/json, text/plain, */*"
    assert DEFAULT_HEADERS["User-Agent"].startswith("newsgen/")


def test_5xx_is_retried_with_exponential_backoff(server):
    server.fault(PATH, "status", times=3, status=503)
    sleeps = Sleeps()
    fetched, fetcher = fetch(server, settings=FetchSettings(backoff_base=1, backoff_max=30, max_attempts=4),
                             sleeps=sleeps, rand=lambda: 1.0)
    assert fetched.body == BODY and fetched.attempts == 4
    assert sleeps == [1, 2, 4]  # base * 2**(n-1), jitter at its top
    assert [r.status for r in server.requests] == [503, 503, 503, 200]
    assert fetcher.stats == {503: 3, 200: 1}


def test_backoff_has_jitter_and_a_cap(server):
    async def make():
        async with build_client(FAST) as client:
            low = Fetcher(client, server.url, settings=FetchSettings(backoff_base=1, backoff_max=5), rand=lambda: 0.0)
            high = Fetcher(client, server.url, settings=FetchSettings(backoff_base=1, backoff_max=5), rand=lambda: 1.0)
            return [low.backoff(n) for n in range(1, 6)], [high.backoff(n) for n in range(1, 6)]
    low, high = asyncio.run(make())
    assert low == [0.5, 1, 2, 2.5, 2.5]  # half the delay is fixed, half random
    assert high == [1, 2, 4, 5, 5]


def test_gives_up_after_max_attempts_with_a_clear_error(server):
    server.fault(PATH, "status", status=502)
    error, _ = fetch(server, settings=FetchSettings(backoff_base=0.001, max_attempts=3))
    assert isinstance(error, FetchError)
    assert server.count(PATH) == 3
    text = str(error)
    assert text.startswith(f"{server.url}{PATH}: gave up after 3 attempts, the last: HTTP 502 Bad Gateway")
    assert "try again later" in text and "--max-attempts" in text
    assert error.status == 502


def test_429_honours_retry_after_and_caps_it(server):
    server.fault(PATH, "status", times=1, status=429, headers={"Retry-After": "7"})
    server.fault(PATH, "status", times=1, status=429, headers={"Retry-After": "86400"})
    sleeps = Sleeps()
    fetched, _ = fetch(server, settings=FetchSettings(backoff_base=0.01, retry_after_max=60), sleeps=sleeps)
    assert fetched.body == BODY and fetched.attempts == 3
    assert sleeps == [7, 60]


def test_retry_after_forms():
    now = datetime(2024, 11, 28, 3, 0, tzinfo=timezone.utc)
    assert parse_retry_after("5", now) == 5
    assert parse_retry_after(" 2.5 ", now) == 2.5
    assert parse_retry_after("Thu, 28 Nov 2024 03:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 28 Nov 2024 02:00:00 GMT", now) == 0  # in the past: retry now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize("abort", [False, True], ids=["closed", "reset"])
def test_dropped_connection_is_retried(server, abort):
    server.fault(PATH, "reset", times=2, abort=abort)
    fetched, fetcher = fetch(server)
    assert fetched.body == BODY and fetched.attempts == 3
    assert fetcher.stats[0] == 2


def test_timeout_is_retried_then_reported(server):
    server.fault(PATH, "delay", times=1, seconds=2)
    fetched, _ = fetch(server, settings=FetchSettings(timeout=0.2, backoff_base=0.001))
    assert fetched.body == BODY and fetched.attempts == 2
    server.fault(OTHER, "delay", seconds=2)
    error, _ = fetch(server, OTHER, settings=FetchSettings(timeout=0.2, backoff_base=0.001, max_attempts=2))
    assert isinstance(error, FetchError)
    assert "gave up after 2 attempts, the last: no complete response within 0.2 s (timeout)" in str(error)
    assert error.status is None


def test_404_is_not_retried(server):
    error, _ = fetch(server, "/pilkada/hhcw/pkwkp/99.json")
    assert isinstance(error, FetchError)
    assert server.count("/pilkada/hhcw/pkwkp/99.json") == 1
    assert str(error) == (f"{server.url}/pilkada/hhcw/pkwkp/99.json: HTTP 404 Not Found: the file does not exist "
                          "on the server; check --base-url and the race code")
    assert error.status == 404


def test_403_is_not_retried(server):
    server.fault(PATH, "status", status=403)
    error, _ = fetch(server)
    assert isinstance(error, FetchError) and "HTTP 403 Forbidden: the server refused the request" in str(error)
    assert server.count(PATH) == 1


def test_response_size_is_capped(server):
    error, _ = fetch(server, settings=FetchSettings(max_bytes=10))
    assert isinstance(error, FetchError)
    assert f"larger than the 10-byte limit ({len(BODY)} bytes or more)" in str(error)
    assert server.count(PATH) == 1  # not retried: it would be as large again
    # The limit also holds for what a small compressed body unpacks to.
    packed = gzip.compress(b"[" + b"0," * 5000 + b"0]")
    server.fault(PATH, "body", body=packed, headers={"Content-Encoding": "gzip"})
    error, _ = fetch(server, settings=FetchSettings(max_bytes=1000))
    assert len(packed) < 1000
    assert isinstance(error, FetchError) and "larger than the 1,000-byte limit" in str(error)


def test_conditional_requests_reuse_the_stored_copy(server, tmp_path):
    cache = HttpCache(tmp_path / "cache", server.url)
    first, _ = fetch(server, store=cache)
    cache.save()
    cache = HttpCache(tmp_path / "cache", server.url)  # the next run
    assert first.status == 200 and first.etag
    assert "If-None-Match" not in server.requests[-1].headers
    second, fetcher = fetch(server, store=cache)
    sent = server.requests[-1].headers
    assert sent["If-None-Match"] == first.etag and sent["If-Modified-Since"] == first.last_modified
    assert (second.status, second.body) == (304, BODY)
    assert [r.status for r in server.requests] == [200, 304]
    assert fetcher.stats == {304: 1}


def stored(folder: Path) -> dict[str, bytes]:
    with closing(sqlite3.connect(folder / "cache.sqlite3")) as db:
        return {path: bytes(body) for path, body in db.execute("SELECT path, body FROM responses")}


def test_changed_file_is_fetched_whole(server, site, tmp_path):
    cache = HttpCache(tmp_path / "cache", server.url)
    fetch(server, store=cache)
    cache.save()
    (site / PATH.lstrip("/")).write_bytes(b'{"mode":"hhcw","baru":1}')
    cache = HttpCache(tmp_path / "cache", server.url)
    fetched, _ = fetch(server, store=cache)
    cache.save()
    assert (fetched.status, fetched.body) == (200, b'{"mode":"hhcw","baru":1}')
    assert stored(tmp_path / "cache") == {PATH: b'{"mode":"hhcw","baru":1}'}


def test_a_damaged_cache_copy_is_not_trusted(server, tmp_path):
    cache = HttpCache(tmp_path / "cache", server.url)
    fetch(server, store=cache)
    cache.save()
    with closing(sqlite3.connect(tmp_path / "cache" / "cache.sqlite3")) as db, db:
        db.execute("UPDATE responses SET body = ?", (b"tampered",))
    fetched, _ = fetch(server, store=HttpCache(tmp_path / "cache", server.url))
    assert "If-None-Match" not in server.requests[-1].headers
    assert (fetched.status, fetched.body) == (200, BODY)


def test_a_cache_that_is_not_a_database_is_set_aside(server, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "cache.sqlite3").write_bytes(b"not a database at all" * 100)
    cache = HttpCache(tmp_path / "cache", server.url)
    fetch(server, store=cache)
    cache.save()
    assert (tmp_path / "cache" / "cache.sqlite3.broken").read_bytes().startswith(b"not a database")
    assert stored(tmp_path / "cache") == {PATH: BODY}


def test_a_cache_of_another_object_store_is_not_used(server, tmp_path):
    cache = HttpCache(tmp_path / "cache", server.url)
    fetch(server, store=cache)
    cache.save()
    HttpCache(tmp_path / "cache", "http://127.0.0.1:9/elsewhere").save()
    assert stored(tmp_path / "cache") == {}
    fetch(server, store=HttpCache(tmp_path / "cache", server.url))
    assert "If-None-Match" not in server.requests[-1].headers


class CountingTransport(httpx.AsyncBaseTransport):
    """The real transport, counting requests in flight."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.now = self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.now -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_concurrency_is_bounded(server):
    server.fault("*", "delay", seconds=0.05)
    transport = CountingTransport()
    settings = FetchSettings(concurrency=3)

    async def run():
        async with build_client(settings, transport=transport) as client:
            fetcher = Fetcher(client, server.url, settings=settings)
            return await asyncio.gather(*(fetcher.get(PATH) for _ in range(12)))

    results = asyncio.run(run())
    assert len(results) == 12 and all(r.body == BODY for r in results)
    assert transport.peak == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"concurrency": 0}, "concurrency must be at least 1"),
        ({"max_attempts": 0}, "max attempts must be at least 1"),
        ({"timeout": 0}, "timeout must be more than 0 seconds"),
        ({"backoff_base": -1}, "backoff base must not be negative"),
    ],
)
def test_settings_are_checked(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        FetchSettings(**kwargs)
