"""HTTP layer for KPU's public object store: one shared client, bounded, retried.

::

    build_client(settings)            the one factory of the shared httpx.AsyncClient
    build_transport(settings)         its transport: aiohttp's (default) or httpx's own
    Fetcher(client, base_url, ...)    GET an object-store path -> Fetched (raw bytes)

The API is httpx's everywhere; ``FetchSettings.transport`` (``--http-transport``)
chooses the connection layer underneath: ``"aiohttp"`` (the default,
httpx-aiohttp's transport over aiohttp, the faster on a national fetch) or
``"httpx"`` (httpx's own). Both raise the same httpx exceptions for the same
failures (see :class:`_HttpxErrors`), and neither retries nor follows redirects
by itself.

A :class:`Fetcher` keeps at most ``settings.concurrency`` requests in flight
(an ``asyncio.Semaphore``), retries connection errors, timeouts, 5xx and 429
with exponential backoff and jitter (``Retry-After`` honoured, capped), caps the
response size, and, given a ``store`` (an :class:`~generator.archive.Archive`
or the :class:`~generator.cache.HttpCache`), sends conditional requests (``If-None-Match`` / ``If-Modified-Since``) and
reuses the stored bytes on ``304 Not Modified``. A validator that is not a
plain ASCII header value is neither kept nor sent. Redirects are followed by
the Fetcher, at most :data:`MAX_REDIRECTS`, and only within the base URL's
origin (scheme, host and port); ``Fetched.url`` is the URL the bytes came from.
Anything that still fails is a :class:`~generator.errors.FetchError` naming the
URL, the status and the reason.

The client is passed in, so tests point it at a local server; nothing here
reads the environment or touches the network at import time.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Literal, Protocol

import httpx

from . import __version__
from .errors import ConfigError, FetchError

PUBLIC_SITE = "https://pilkada2024.kpu.go.id"
USER_AGENT = f"newsgen/{__version__} (+https://github.com/newsgen)"
#: What KPU's public site sends (FORMAT.md section 1), plus an honest User-Agent.
DEFAULT_HEADERS = {
    "User-Agent": USER_AGENT,
    "Referer": f"{PUBLIC_SITE}/",
    "Origin": PUBLIC_SITE,
    "Accept": "application/json, text/plain, */*",
}
MAX_BYTES = 20 * 1024 * 1024  # the national paslon master is ~317 KB; 20 MB is far beyond any real file
MAX_REDIRECTS = 10  # per attempt; more is a loop
TRANSPORTS = ("aiohttp", "httpx")


@dataclass(frozen=True)
class FetchSettings:
    """How hard and how fast to fetch. Every value is checked on construction."""

    concurrency: int = 8  # requests in flight at once
    max_attempts: int = 5  # per URL, the first try included
    backoff_base: float = 0.5  # seconds before the first retry; doubled each retry
    backoff_max: float = 30.0  # cap of one backoff delay
    retry_after_max: float = 120.0  # cap of an honoured Retry-After
    timeout: float = 30.0  # deadline of one attempt, body included (seconds)
    connect_timeout: float = 10.0
    max_bytes: int = MAX_BYTES
    transport: Literal["aiohttp", "httpx"] = "aiohttp"  # connection layer under the httpx API

    def __post_init__(self) -> None:
        problems = []
        if self.concurrency < 1:
            problems.append(f"concurrency must be at least 1, got {self.concurrency}")
        if self.max_attempts < 1:
            problems.append(f"max attempts must be at least 1, got {self.max_attempts}")
        for name in ("backoff_base", "backoff_max", "retry_after_max"):
            if getattr(self, name) < 0:
                problems.append(f"{name.replace('_', ' ')} must not be negative, got {getattr(self, name)}")
        for name in ("timeout", "connect_timeout"):
            if getattr(self, name) <= 0:
                problems.append(f"{name.replace('_', ' ')} must be more than 0 seconds, got {getattr(self, name)}")
        if self.max_bytes < 1:
            problems.append(f"max bytes must be at least 1, got {self.max_bytes}")
        if self.transport not in TRANSPORTS:
            problems.append(f"transport must be 'aiohttp' or 'httpx', got {self.transport!r}")
        if problems:
            raise ConfigError("; ".join(problems))


def build_client(settings: FetchSettings | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The shared client: headers, timeouts and a pool sized to the concurrency.

    ``transport`` replaces the one :func:`build_transport` makes (tests count or
    fault requests with it). Redirects are followed by :class:`Fetcher`, which
    keeps them on the object store's host, so the client follows none.
    """
    settings = settings or FetchSettings()
    return httpx.AsyncClient(
        headers=DEFAULT_HEADERS,
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        limits=_limits(settings),  # of the proxy transports httpx makes from HTTP(S)_PROXY
        follow_redirects=False,
        transport=transport or build_transport(settings),
    )


def _limits(settings: FetchSettings) -> httpx.Limits:
    return httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)


def build_transport(settings: FetchSettings | None = None) -> httpx.AsyncBaseTransport:
    """The transport ``settings.transport`` names, with a pool sized to the concurrency.

    Retries are done by :class:`Fetcher` (a transport's own retries cover only
    failed connects), so the transport gets none.
    """
    settings = settings or FetchSettings()
    limits = _limits(settings)
    if settings.transport == "httpx":
        return httpx.AsyncHTTPTransport(limits=limits)
    from httpx_aiohttp import AiohttpTransport  # aiohttp costs ~0.2 s to import: only when used

    def session() -> Any:  # made by the transport on its first request, inside the event loop
        import aiohttp

        connector = aiohttp.TCPConnector(limit=settings.concurrency, keepalive_timeout=limits.keepalive_expiry,
                                         ssl=transport.ssl_context)
        made = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())  # httpx keeps cookies
        # aiohttp sends a GET again at once when its connection drops; the Fetcher
        # retries (with backoff, counted in max_attempts), so aiohttp must not. A private
        # switch: test_dropped_connection_is_retried counts the requests, should it go.
        made._retry_connection = False
        return made

    transport = AiohttpTransport(limits=limits, client=session)
    return _HttpxErrors(transport)


class _HttpxErrors(httpx.AsyncBaseTransport):
    """httpx-aiohttp's transport, failing as httpx's own transport fails.

    httpx-aiohttp 0.2 raises ``httpx.ConnectTimeout`` for every dropped, reset
    or refused connection (they would read as timeouts) and lets a malformed
    response through as a bare ``aiohttp.ClientResponseError``.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _as_httpx_errors():
            response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _HttpxErrorsStream(response.stream)
        return response

    async def aclose(self) -> None:
        with _as_httpx_errors():
            await self.inner.aclose()


class _HttpxErrorsStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self.inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self.inner:
                yield chunk

    async def aclose(self) -> None:
        with _as_httpx_errors():
            await self.inner.aclose()


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """An aiohttp failure, bare or wrapped, as the httpx error it is (timeouts are mapped right already)."""
    try:
        yield
    except Exception as exc:
        import aiohttp  # imported already: only the aiohttp transport gets here

        cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
        if not isinstance(cause, aiohttp.ClientError) or isinstance(cause, TimeoutError):
            raise
        if isinstance(cause, aiohttp.ClientConnectorError):
            kind: type[httpx.TransportError] = httpx.ConnectError  # refused, unreachable, DNS
        elif isinstance(cause, (aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError)):
            kind = httpx.RemoteProtocolError  # closed without a response, or a malformed one
        elif isinstance(cause, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)):
            kind = httpx.ReadError  # reset, or the body cut short
        elif isinstance(exc, httpx.TransportError):
            raise
        else:
            kind = httpx.TransportError
        raise kind(" ".join(str(cause).split()) or type(cause).__name__) from cause


def join_url(base_url: str, path: str) -> str:
    """``https://host`` + ``/pilkada/paslon/pkwkp.json``."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Fetched:
    """One object-store file as received (or as revalidated from the store)."""

    path: str  # "/pilkada/hhcw/pkwkp/64.json"
    url: str
    body: bytes
    status: int  # 200, or 304 when a stored copy was revalidated
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    attempts: int = 1

    @functools.cached_property
    def sha256(self) -> str:
        """The body's hash, worked out once (a run asks for it several times per file)."""
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Cached:
    """A stored copy a conditional request can revalidate."""

    body: bytes
    etag: str | None
    last_modified: str | None


class Store(Protocol):
    """Where responses are kept between runs (:class:`generator.archive.Archive`)."""

    def lookup(self, path: str) -> Cached | None: ...

    def record(self, fetched: Fetched) -> None: ...

    def record_failure(self, path: str, url: str, status: int | None, reason: str, fetched_at: datetime) -> None: ...


class _Refused(Exception):
    """A response that is no use and would be the same again: a :class:`FetchError`, no retry."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


class _Retry(Exception):
    """One attempt failed in a way worth another try."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _phrase(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


_HEADER_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,1022}[\x21-\x7e])?")


def validator(value: str | None) -> str | None:
    """An ``ETag`` or ``Last-Modified`` value worth keeping and sending back; None otherwise.

    Only printable ASCII (what every server and both transports accept in a
    request header), at most 1,024 characters. A server that sends another
    (``"café"``, a control character) gets plain requests, never a request
    that cannot be encoded.
    """
    return value if value is not None and _HEADER_VALUE.fullmatch(value) else None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - now).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN -> None


@dataclass
class Fetcher:
    """GET object-store paths through a shared client; see the module docstring.

    ``sleep``, ``rand`` and ``clock`` are injectable so tests neither wait nor
    depend on chance.
    """

    client: httpx.AsyncClient
    base_url: str
    settings: FetchSettings = field(default_factory=FetchSettings)
    store: Store | None = None
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    rand: Callable[[], float] = random.random
    clock: Callable[[], datetime] = utc_now
    #: responses seen, by status (0 = no response: connection error or timeout)
    stats: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._semaphore: asyncio.Semaphore | None = None

    def url_for(self, path: str) -> str:
        return join_url(self.base_url, path)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Delay before retry number ``attempt`` (1 = first retry).

        Exponential (``base * 2**(attempt-1)``, capped) with "equal jitter": half
        the delay fixed, half random, so clients that failed together do not
        retry together. A server's ``Retry-After`` is a floor, capped at
        ``retry_after_max``.
        """
        s = self.settings
        delay: float = min(s.backoff_max, s.backoff_base * 2 ** (attempt - 1))
        delay = delay / 2 + delay / 2 * self.rand()
        if retry_after is not None:
            delay = max(delay, min(retry_after, s.retry_after_max))
        return delay

    async def get(self, path: str) -> Fetched:
        """The file at ``path``; raises :class:`FetchError` after the last attempt."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.settings.concurrency)
        url = self.url_for(path)
        cached = self.store.lookup(path) if self.store is not None else None
        last: _Retry | None = None
        for attempt in range(1, self.settings.max_attempts + 1):
            if attempt > 1:
                await self.sleep(self.backoff(attempt - 1, last.retry_after if last else None))
            try:
                async with self._semaphore:
                    fetched = await self._attempt(path, url, cached, attempt)
            except _Retry as retry:
                last = retry
                continue
            except FetchError as exc:
                self._record_failure(path, url, getattr(exc, "status", None), exc.message)
                raise
            if self.store is not None:
                self.store.record(fetched)
            return fetched
        assert last is not None
        tries = "1 attempt" if self.settings.max_attempts == 1 else f"{self.settings.max_attempts} attempts"
        message = (
            f"gave up after {tries}, the last: {last.reason}; the server is overloaded or unreachable, "
            "try again later (or allow more with --max-attempts / --timeout)"
        )
        self._record_failure(path, url, last.status, message)
        raise fetch_error(message, url, last.status)

    def _record_failure(self, path: str, url: str, status: int | None, message: str) -> None:
        if self.store is not None:
            self.store.record_failure(path, url, status, message, self.clock())

    async def _attempt(self, path: str, url: str, cached: Cached | None, attempt: int) -> Fetched:
        headers = {}
        if cached is not None:
            if etag := validator(cached.etag):
                headers["If-None-Match"] = etag
            if last_modified := validator(cached.last_modified):
                headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(self.settings.timeout):
                final_url, status, resp_headers, body = await self._send(url, headers)
        except _Refused as exc:
            self.stats[exc.status] += 1
            raise fetch_error(exc.message, url, None) from None
        except (TimeoutError, httpx.TimeoutException):
            self.stats[0] += 1
            raise _Retry(f"no complete response within {self.settings.timeout:g} s (timeout)") from None
        except httpx.TransportError as exc:
            self.stats[0] += 1
            detail = str(exc) or "no details"
            raise _Retry(f"connection failed ({type(exc).__name__}: {detail})") from None
        self.stats[status] += 1
        now = self.clock()
        etag = validator(resp_headers.get("etag"))
        last_modified = validator(resp_headers.get("last-modified"))
        if status == 304 and cached is not None:
            return Fetched(path, final_url, cached.body, 304, etag or validator(cached.etag),
                           last_modified or validator(cached.last_modified), now, attempt)
        if 200 <= status < 300:
            return Fetched(path, final_url, body, status, etag, last_modified, now, attempt)
        if status == 429 or status >= 500:
            raise _Retry(_phrase(status), status, parse_retry_after(resp_headers.get("retry-after"), now))
        if status == 404:
            hint = "the file does not exist on the server; check --base-url and the race code"
        elif status == 304:
            hint = "the server answered 'not modified' to a request that was not conditional"
        else:
            hint = "the server refused the request; check --base-url"
        if final_url != url:
            hint = f"{hint} (redirected to {final_url})"
        raise fetch_error(f"{_phrase(status)}: {hint}", url, status)

    async def _send(self, url: str, headers: dict[str, str]) -> tuple[str, int, httpx.Headers, bytes]:
        """(final URL, status, headers, body) of a GET, redirects within the base URL's origin followed."""
        origin = _base_origin(self.base_url)
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            async with self.client.stream("GET", target, headers=headers, follow_redirects=False) as resp:
                status, body = await self._read(resp)
                if resp.next_request is None:  # not a redirect
                    return target, status, resp.headers, body
                location = resp.next_request.url
            if _origin(location) != origin:
                raise _Refused(status, f"{_phrase(status)} redirects to {location}, away from the host of the "
                                       f"base URL {self.base_url}; newsgen follows redirects only within it, "
                                       "check --base-url")
            target = str(location)
        raise _Refused(status, f"more than {MAX_REDIRECTS} redirects, the last to {target} (a redirect loop); "
                               "the server is misconfigured, check --base-url")

    async def _read(self, resp: httpx.Response) -> tuple[int, bytes]:
        """Status and body of a response; the body only of a 2xx, up to ``max_bytes``."""
        limit = self.settings.max_bytes
        if not (200 <= resp.status_code < 300):
            # Drain the (small) body of a 304, 404, 5xx or redirect so the connection goes
            # back to the pool instead of being closed: a watch poll is mostly 304s.
            size = 0
            async for chunk in resp.aiter_raw():
                size += len(chunk)
                if size > 65536:
                    break
            return resp.status_code, b""
        def too_large(size: int) -> _Refused:
            return _Refused(resp.status_code, f"the response is larger than the {limit:,}-byte limit ({size:,} bytes "
                                              "or more); check that --base-url points at the Sirekap object store")

        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise too_large(int(length))
        chunks, size = [], 0
        try:
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise too_large(size)
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            raise _Refused(resp.status_code, f"the body cannot be unpacked ({' '.join(str(exc).split())}); "
                                             "the server sent a damaged compressed response") from None
        return resp.status_code, b"".join(chunks)


@functools.lru_cache(maxsize=8)
def _base_origin(base_url: str) -> tuple[str, str, int | None]:
    """:func:`_origin` of a base URL, parsed once (every request of a run checks its redirects against it)."""
    return _origin(httpx.URL(base_url))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, port


def fetch_error(message: str, url: str, status: int | None) -> FetchError:
    """A :class:`FetchError` for ``url`` that also carries the HTTP ``status`` (None: no response)."""
    exc = FetchError(message, where=url)
    exc.status = status  # type: ignore[attr-defined]  # read by the archive's failure record
    return exc
