"""The HTTP layer against a real server on 127.0.0.1 (tests/support/sirekap_server.py).

Every test that talks to the server runs twice, once per transport
(``FetchSettings.transport``: aiohttp's, the default, and httpx's own), so
neither rots. Retries never really wait here: ``sleep`` is replaced by a
recorder, so the tests can assert what the backoff and Retry-After asked for.
The HTTP cache's own tests are in tests/test_cache.py.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from httpx_aiohttp import AiohttpTransport

from generator import __version__
from generator.archive import Archive
from generator.cache import HttpCache
from generator.errors import ConfigError, FetchError
from generator.fetch import (
    DEFAULT_HEADERS,
    MAX_REDIRECTS,
    TRANSPORTS,
    Fetcher,
    FetchSettings,
    build_client,
    build_transport,
    parse_retry_after,
    validator,
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


@pytest.fixture(params=TRANSPORTS)
def server(site: Path, request: pytest.FixtureRequest):
    """The server; ``server.transport`` is the transport the test's requests use (each test runs with both)."""
    with SirekapServer(site) as srv:
        srv.transport = request.param  # type: ignore[attr-defined]
        yield srv


class Sleeps(list):
    """Stands in for asyncio.sleep: records the delays, waits for nothing."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(server: SirekapServer, path: str = PATH, *, settings: FetchSettings = FAST, store=None,
          sleeps: Sleeps | None = None, rand=lambda: 0.5, base_url: str | None = None):
    """One GET through a fresh client of the server's transport; returns (Fetched or FetchError, fetcher)."""
    settings = replace(settings, transport=server.transport)

    async def run():
        async with build_client(settings) as client:
            fetcher = Fetcher(client, base_url or server.url, settings=settings, store=store,
                              sleep=sleeps if sleeps is not None else Sleeps(), rand=rand)
            try:
                return await fetcher.get(path), fetcher
            except FetchError as exc:
                return exc, fetcher
    return asyncio.run(run())


def test_the_transport_is_aiohttps_unless_httpx_is_asked_for():
    assert FetchSettings().transport == "aiohttp"
    default = build_transport(FetchSettings())
    assert isinstance(getattr(default, "inner", None), AiohttpTransport)  # wrapped: see test_malformed_response
    assert isinstance(build_transport(FetchSettings(transport="httpx")), httpx.AsyncHTTPTransport)
    with pytest.raises(ConfigError, match="transport must be 'aiohttp' or 'httpx', got 'curl'"):
        FetchSettings(transport="curl")  # type: ignore[arg-type]


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
        async with build_client(replace(FAST, transport=server.transport)) as client:
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
    now = datetime(2024, 11, 28, 3, 0, tzinfo=UTC)
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
    assert server.count(PATH) == 3  # the transport does not retry behind the Fetcher's back
    server.fault(PATH, "reset", abort=abort)
    error, _ = fetch(server, settings=replace(FAST, max_attempts=2))
    expected = "RemoteProtocolError" if not abort else "ReadError"  # as httpx's own transport says, not a timeout
    assert f"gave up after 2 attempts, the last: connection failed ({expected}: " in str(error)


def test_malformed_response_is_retried(server):
    """aiohttp passes a response it cannot parse on as a bare aiohttp error; it is an httpx error here."""
    server.fault(PATH, "raw", times=2, data=b"HELLO THERE\r\n\r\n")
    fetched, fetcher = fetch(server)
    assert fetched.body == BODY and fetched.attempts == 3 and fetcher.stats[0] == 2
    server.fault(PATH, "raw", data=b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n")
    error, _ = fetch(server, settings=replace(FAST, max_attempts=1))
    assert isinstance(error, FetchError)
    assert "gave up after 1 attempt, the last: connection failed (RemoteProtocolError: " in str(error)


def test_refused_connection_is_retried_then_reported(server):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    error, fetcher = fetch(server, settings=replace(FAST, max_attempts=2), base_url=f"http://127.0.0.1:{port}",
                           sleeps=sleeps)
    assert isinstance(error, FetchError) and error.status is None
    assert str(error).startswith(f"http://127.0.0.1:{port}{PATH}: gave up after 2 attempts, the last: "
                                 "connection failed (ConnectError: ")
    assert len(sleeps) == 1 and fetcher.stats == {0: 2}


def test_a_damaged_compressed_body_is_not_retried(server):
    server.fault(PATH, "body", body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    error, fetcher = fetch(server)
    assert isinstance(error, FetchError) and server.count(PATH) == 1
    assert str(error).startswith(f"{server.url}{PATH}: the body cannot be unpacked (")
    assert fetcher.stats == {200: 1}


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


# --------------------------------------------------------------------------- redirects


def test_redirects_within_the_host_are_followed_and_the_final_url_recorded(server, site):
    moved = "/pilkada/hhcw/pkwkp/moved.json"
    (site / moved.lstrip("/")).write_bytes(b'{"moved":1}')
    server.fault(PATH, "status", status=301, headers={"Location": f"{server.url}/step"})  # absolute
    server.fault("/step", "status", status=302, headers={"Location": moved})  # relative
    fetched, fetcher = fetch(server)
    assert (fetched.status, fetched.body) == (200, b'{"moved":1}')
    assert fetched.url == f"{server.url}{moved}" and fetched.path == PATH  # source_url: where the bytes came from
    assert [(r.path, r.status) for r in server.requests] == [(PATH, 301), ("/step", 302), (moved, 200)]
    assert fetcher.stats == {200: 1}


def test_a_redirect_loop_is_a_fetch_error_naming_the_url(server):
    server.fault(PATH, "status", status=302, headers={"Location": PATH})
    error, fetcher = fetch(server)
    assert isinstance(error, FetchError)
    assert str(error) == (f"{server.url}{PATH}: more than {MAX_REDIRECTS} redirects, the last to {server.url}{PATH} "
                          "(a redirect loop); the server is misconfigured, check --base-url")
    assert server.count(PATH) == MAX_REDIRECTS + 1  # not retried
    assert fetcher.stats == {302: 1}


@pytest.mark.parametrize("elsewhere", ["http://localhost:{port}", "http://127.0.0.1:{other}", "https://127.0.0.1:{port}"],
                         ids=["host", "port", "scheme"])
def test_a_redirect_to_another_host_is_refused(server, site, elsewhere):
    with SirekapServer(site) as other:
        target = elsewhere.format(port=server.port, other=other.port) + PATH
        server.fault(PATH, "status", status=302, headers={"Location": target})
        error, _ = fetch(server)
        assert other.requests == []
    assert isinstance(error, FetchError)
    assert str(error) == (f"{server.url}{PATH}: HTTP 302 Found redirects to {target}, away from the host of the "
                          f"base URL {server.url}; newsgen follows redirects only within it, check --base-url")
    assert server.count(PATH) == 1 and len(server.requests) == 1


def test_a_redirect_to_a_missing_file_names_both_urls(server):
    server.fault(PATH, "status", status=307, headers={"Location": "/gone.json"})
    error, _ = fetch(server)
    assert str(error) == (f"{server.url}{PATH}: HTTP 404 Not Found: the file does not exist on the server; check "
                          f"--base-url and the race code (redirected to {server.url}/gone.json)")
    assert error.status == 404


# --------------------------------------------------------------------------- conditional requests


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


def stored(folder: Path) -> dict[str, tuple]:
    """What the cache in ``folder`` holds: path -> (body, etag, last_modified)."""
    with closing(sqlite3.connect(folder / "cache.sqlite3")) as db:
        return {path: (bytes(body), etag, last_modified)
                for path, body, etag, last_modified in db.execute("SELECT path, body, etag, last_modified FROM responses")}


def test_archive_conditional_requests_reuse_the_recorded_copy(server, tmp_path):
    archive = Archive.for_recording(tmp_path / "night", server.url)
    first, _ = fetch(server, store=archive)
    archive.save()
    archive = Archive.for_recording(tmp_path / "night", server.url)
    second, _ = fetch(server, store=archive)
    assert server.requests[-1].headers["If-None-Match"] == first.etag
    assert (second.status, second.body) == (304, BODY)
    assert archive.entries[PATH].status == 304 and archive.entries[PATH].etag == first.etag


@pytest.mark.parametrize(
    ("etag", "last_modified"),
    [('"caf\u00e9"', "Thu, 28 Nov 2024 02:15:04 GMT"),  # sent as the byte E9 (latin-1)
     ('"v1"', "Kamis, 28 Nov 2024 \u00c3\u00a9"),  # sent as UTF-8 bytes
     ('"a\tb"', "")],
    ids=["etag", "last-modified", "control"],
)
def test_a_validator_that_is_not_a_header_value_is_neither_stored_nor_sent(server, tmp_path, etag, last_modified):
    server.fault(PATH, "body", body=BODY, headers={"ETag": etag, "Last-Modified": last_modified})
    for run in range(3):  # three runs in a row through the same cache
        cache = HttpCache(tmp_path / "cache", server.url)
        fetched, _ = fetch(server, store=cache)
        cache.save()
        assert (fetched.status, fetched.body) == (200, BODY), run
        sent = server.requests[-1].headers
        assert sent.get("If-None-Match") == (validator(etag) if run else None)
        assert sent.get("If-Modified-Since") == (validator(last_modified) if run else None)
    kept = stored(tmp_path / "cache")[PATH]
    assert kept == (BODY, validator(etag), validator(last_modified))
    assert None in kept and all(value is None or value.isascii() for value in kept[1:])


def test_a_stored_validator_that_is_not_a_header_value_is_not_sent(server, tmp_path):
    """A cache (or archive) written before validators were checked may hold one."""
    cache = HttpCache(tmp_path / "cache", server.url)
    first, _ = fetch(server, store=cache)
    cache.save()
    with closing(sqlite3.connect(tmp_path / "cache" / "cache.sqlite3")) as db, db:
        db.execute("UPDATE responses SET etag = ?", ('"caf\u00e9"',))
    second, _ = fetch(server, store=HttpCache(tmp_path / "cache", server.url))
    sent = server.requests[-1].headers
    assert "If-None-Match" not in sent and sent["If-Modified-Since"] == first.last_modified
    assert (second.status, second.body, second.etag) == (304, BODY, first.etag)


def test_changed_file_is_fetched_whole(server, site, tmp_path):
    cache = HttpCache(tmp_path / "cache", server.url)
    fetch(server, store=cache)
    cache.save()
    (site / PATH.lstrip("/")).write_bytes(b'{"mode":"hhcw","baru":1}')
    cache = HttpCache(tmp_path / "cache", server.url)
    fetched, _ = fetch(server, store=cache)
    cache.save()
    assert (fetched.status, fetched.body) == (200, b'{"mode":"hhcw","baru":1}')
    assert stored(tmp_path / "cache")[PATH][0] == b'{"mode":"hhcw","baru":1}'


class CountingTransport(httpx.AsyncBaseTransport):
    """The real transport, counting requests in flight."""

    def __init__(self, settings: FetchSettings) -> None:
        self.inner = build_transport(settings)
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
    settings = FetchSettings(concurrency=3, transport=server.transport)
    transport = CountingTransport(settings)

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
        ({"transport": "requests"}, "transport must be 'aiohttp' or 'httpx', got 'requests'"),
    ],
)
def test_settings_are_checked(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        FetchSettings(**kwargs)
