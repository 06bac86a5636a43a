"""A local HTTP server that serves a folder the way KPU's Sirekap object store does.

Used by fetch tests and benchmarks: it binds to ``127.0.0.1`` on an ephemeral port,
maps ``GET /pilkada/hhcw/pkwkp/64.json`` to ``root/pilkada/hhcw/pkwkp/64.json``, sends
``ETag``/``Last-Modified`` and honours conditional requests, records every request,
and can inject faults (error statuses, delays, dropped connections, HTML error pages,
truncated or arbitrary bodies, raw bytes that are not HTTP) on paths matching an
``fnmatch`` pattern.

Example::

    with SirekapServer(tree) as server:
        server.fault("/pilkada/hhcw/pkwkp/64.json", "status", times=2, status=503,
                     headers={"Retry-After": "1"})
        ...  # fetch f"{server.url}/pilkada/hhcw/pkwkp/64.json"
        assert server.count("/pilkada/hhcw/pkwkp/64.json") == 3

Only the standard library is used; nothing is logged to stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import socketserver
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from fnmatch import fnmatchcase
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

__all__ = ["FAULT_KINDS", "Fault", "Headers", "RequestRecord", "SirekapServer"]

FAULT_KINDS = frozenset({"status", "delay", "reset", "html", "truncate", "body", "raw"})
"""The fault kinds :meth:`SirekapServer.fault` accepts."""

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"

NO_RESPONSE = 0
"""``RequestRecord.status`` of a request whose connection was closed without a reply."""

_HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sirekap - Sedang dalam pemeliharaan</title></head>"
    b"<body><h1>Mohon maaf</h1><p>Layanan sedang sibuk. Silakan coba beberapa saat lagi.</p>"
    b"</body></html>"
)


def _status_page(status: int) -> bytes:
    """A small nginx-style HTML error page for ``status``."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = f"{status} {phrase}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode("ascii")


class Headers(dict[str, str]):
    """Request headers by name in any case: HTTP header names are case-insensitive.

    Clients differ in the case they send (httpx's own transport keeps
    ``If-None-Match``, aiohttp's sends ``if-none-match``), so the names are kept
    in lower case and looked up in lower case; the last value of a repeated
    name wins.
    """

    def __init__(self, items: Any = ()) -> None:
        super().__init__((str(name).lower(), value) for name, value in items)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class RequestRecord:
    """One request the server saw.

    Attributes:
        method: HTTP method (``GET``, ``HEAD``, ...).
        path: URL-decoded request path without the query string.
        headers: request headers, looked up in any case (:class:`Headers`).
        status: status code sent, or ``0`` when the connection was closed without one.
        query: the raw query string (without ``?``), usually empty.
        fault: kind of the fault applied to this request, if any.
    """

    method: str
    path: str
    headers: Headers
    status: int
    query: str = ""
    fault: str | None = None


@dataclass
class Fault:
    """A registered fault; ``remaining`` counts down (None = applies forever)."""

    pattern: str
    kind: str
    remaining: int | None
    options: dict[str, Any] = field(default_factory=dict)

    def active(self) -> bool:
        """True while the fault still applies to matching requests."""
        return self.remaining is None or self.remaining > 0


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server bound to one :class:`SirekapServer`; silent on handler errors."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SirekapServer) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup ``HTTPServer.server_bind`` does."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Swallow handler exceptions (e.g. the client hung up); never print."""


class _Handler(BaseHTTPRequestHandler):
    """Serves files from the app's root with ETags and injected faults."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    server_version = "SirekapTestServer/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""

    def setup(self) -> None:
        """Register the connection so the app can close it on shutdown."""
        super().setup()
        self.server.app._connection_opened(self.connection)

    def finish(self) -> None:
        """Unregister the connection."""
        try:
            super().finish()
        finally:
            self.server.app._connection_closed(self.connection)

    def do_GET(self) -> None:
        """Serve a GET."""
        self._respond(head=False)

    def do_HEAD(self) -> None:
        """Serve a HEAD (same headers as GET, no body)."""
        self._respond(head=True)

    # ------------------------------------------------------------------ internals

    def _respond(self, *, head: bool) -> None:
        app = self.server.app
        raw_path, _, query = self.path.partition("?")
        path = unquote(raw_path)
        headers = Headers(self.headers.items())
        fault = app._take_fault(path)
        kind = fault.kind if fault else None

        def record(status: int) -> None:
            app._record(RequestRecord(self.command, path, headers, status, query, kind))

        if fault is not None:
            opts = fault.options
            if kind == "delay":
                if app._stopping.wait(float(opts["seconds"])):
                    self._drop(record)
                    return
            elif kind == "reset":
                self._drop(record, abort=bool(opts.get("abort", False)))
                return
            elif kind == "status":
                status = int(opts["status"])
                body = opts.get("body", _status_page(status))
                self._send(record, status, _as_bytes(body), HTML_TYPE, opts.get("headers"), head)
                return
            elif kind == "html":
                body = _as_bytes(opts.get("body", _HTML_ERROR_PAGE))
                self._send(record, int(opts.get("status", 200)), body, HTML_TYPE, opts.get("headers"), head)
                return
            elif kind == "body":
                ctype = str(opts.get("content_type", JSON_TYPE))
                body = _as_bytes(opts["body"])
                self._send(record, int(opts.get("status", 200)), body, ctype, opts.get("headers"), head)
                return
            elif kind == "raw":
                record(NO_RESPONSE)
                self.wfile.write(_as_bytes(opts["data"]))
                self.wfile.flush()
                self.close_connection = True
                return
        target = app._resolve(path)
        data: bytes | None = None
        mtime = 0.0
        if target is not None:
            try:
                mtime = target.stat().st_mtime
                data = target.read_bytes()
            except OSError:
                data = None
        if data is None:
            self._send(record, 404, _status_page(404), HTML_TYPE, None, head)
            return
        if kind == "truncate":
            self._send(record, 200, data[: len(data) // 2], JSON_TYPE, fault.options.get("headers"), head)
            return
        extra: dict[str, str] = {}
        if app.etags:
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            extra = {"ETag": etag, "Last-Modified": formatdate(int(mtime), usegmt=True)}
            if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, mtime):
                self._send(record, 304, None, None, extra, head)
                return
        self._send(record, 200, data, JSON_TYPE, extra, head)

    def _send(
        self,
        record: Callable[[int], None],
        status: int,
        body: bytes | None,
        content_type: str | None,
        headers: dict[str, str] | None,
        head: bool,
    ) -> None:
        """Record, then write status, headers and (unless HEAD/304) the body."""
        merged: dict[str, str] = {}
        if content_type is not None:
            merged["Content-Type"] = content_type
        if body is not None:
            merged["Content-Length"] = str(len(body))
        lower = {k.lower(): k for k in merged}
        for name, value in (headers or {}).items():
            merged.pop(lower.get(name.lower(), name), None)
            merged[name] = str(value)
        record(status)
        self.send_response(status)
        for name, value in merged.items():
            self.send_header(name, value)
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def _drop(self, record: Callable[[int], None], *, abort: bool = False) -> None:
        """Close the connection without sending anything (RST first when ``abort``)."""
        record(NO_RESPONSE)
        self.close_connection = True
        if abort:
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # Close before socketserver's shutdown(SHUT_WR) can send a FIN: the
                # descriptor goes when finish() drops the file objects, with an RST.
                self.connection.close()
            except OSError:
                pass


def _as_bytes(value: bytes | str) -> bytes:
    """Body option as bytes (str is encoded as UTF-8)."""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: float) -> bool:
    """Evaluate conditional headers as RFC 9110 says (If-None-Match wins)."""
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return any(t == "*" or t.removeprefix("W/") == etag for t in tags)
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return int(mtime) <= since.timestamp()
    return False


class SirekapServer:
    """A threaded HTTP server on 127.0.0.1 serving ``root`` like the Sirekap object store.

    Use as a context manager (``with SirekapServer(root) as server: ...``) or call
    :meth:`start` and :meth:`stop`. Files are read at request time, so tests may change
    them between requests. All methods are thread-safe.
    """

    def __init__(self, root: Path, *, etags: bool = True) -> None:
        """Prepare (but do not start) a server for ``root``; ``etags`` enables caching headers."""
        self.root = Path(root)
        self.etags = etags
        self.requests: list[RequestRecord] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> SirekapServer:
        """Start serving in a daemon thread."""
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving and close every socket."""
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._httpd is not None else "stopped"
        return f"SirekapServer(root={str(self.root)!r}, {state})"

    def start(self) -> None:
        """Bind an ephemeral port on 127.0.0.1 and serve in a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", 0), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"SirekapServer:{self._httpd.server_port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, drop open connections (waking delayed requests) and close the socket."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def url(self) -> str:
        """Base URL, ``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_port}"

    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_port)

    # ------------------------------------------------------------------ faults

    def fault(self, pattern: str, kind: str, *, times: int | None = None, **options: Any) -> None:
        """Inject a fault on request paths matching ``pattern`` (fnmatch, case-sensitive).

        Faults are checked in the order added; the first active match applies and
        ``times`` (None = forever) counts down. Kinds and options:

        * ``"status"``: reply ``options["status"]`` with a small HTML body;
          optional ``headers`` (e.g. ``{"Retry-After": "1"}``) and ``body``.
        * ``"delay"``: wait ``options["seconds"]``, then serve normally (cut short,
          with the connection dropped, when the server stops).
        * ``"reset"``: close the connection without a response (clean close: the
          client sees ``RemoteDisconnected`` / ``httpx.RemoteProtocolError``);
          ``abort=True`` sends a TCP RST instead (``ConnectionResetError`` /
          ``httpx.ReadError``).
        * ``"html"``: 200 with ``text/html`` and an HTML error page (``body``,
          ``status``, ``headers`` optional).
        * ``"truncate"``: 200 JSON with the first half of the file's bytes (404 if missing).
        * ``"body"``: 200 with ``options["body"]`` (bytes or str); optional
          ``content_type`` (default ``application/json``), ``status``, ``headers``.
        * ``"raw"``: write ``options["data"]`` (bytes or str) as it is, status line and
          headers included or not, then close the connection (recorded with status 0).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        required = {"status": "status", "delay": "seconds", "body": "body", "raw": "data"}.get(kind)
        if required is not None and required not in options:
            raise ValueError(f"fault kind {kind!r} needs the {required!r} option")
        if times is not None and times < 0:
            raise ValueError("times must be >= 0 or None")
        with self._lock:
            self._faults.append(Fault(pattern, kind, times, dict(options)))

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    # ------------------------------------------------------------------ inspection

    def count(self, pattern: str) -> int:
        """Number of requests so far whose path matches ``pattern`` (fnmatch)."""
        with self._lock:
            return sum(1 for r in self.requests if fnmatchcase(r.path, pattern))

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self.requests.clear()

    # ------------------------------------------------------------------ used by the handler

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.active() and fnmatchcase(path, fault.pattern):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _resolve(self, path: str) -> Path | None:
        """Map a request path to a file under ``root``; None if absent or unsafe."""
        if not path.startswith("/") or "\\" in path or "\x00" in path:
            return None
        parts = path[1:].split("/")
        if any(part in ("", ".", "..") for part in parts):
            return None
        target = self.root.joinpath(*parts)
        try:
            resolved = target.resolve()
            if not resolved.is_relative_to(self.root.resolve()) or not resolved.is_file():
                return None
        except OSError:
            return None
        return resolved
