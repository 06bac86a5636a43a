"""A lean HTTP server for the benchmark: a folder served as the object store serves it.

KPU's object store is not on the newsroom's machine, so on election night the
fetch has the machine to itself. The benchmark's server has to share the two
CPUs with the run it serves; :class:`~tests.support.sirekap_server.SirekapServer`
(threads, the standard library's request parsing, a file read, a stat and a
sha256 per request) takes 0.4 to 0.65 s of CPU per national fetch, a third of
the second CPU. This one answers from memory on one asyncio loop: about 0.2 s
of CPU per national fetch, and a round trip of 80 to 110 µs where the threaded
server takes 290 to 330 µs (so the fetch floor is not slowed by it either).

For a plain GET or HEAD it answers what ``SirekapServer`` answers: the same
body, ``ETag``, ``Last-Modified`` and ``Content-Type``, 304 to a conditional
request (``tests/test_static_server.py`` compares the two). It has no faults,
keeps no record of requests and follows symbolic links (it serves a tree the
benchmark generates). A file is read again when its size, mtime or
inode changes, so a file changed on disk is served changed from the next
request on.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat as stat_mode
import threading
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote

from .sirekap_server import HTML_TYPE, JSON_TYPE, _not_modified, _status_page

__all__ = ["StaticServer"]

_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
_MAX_HEAD = 64 * 1024


def _response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}", "Server: StaticServer/1.0"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_NOT_FOUND = _status_page(404)


class _Connection(asyncio.Protocol):
    """One client connection: answers each request head as it comes in (no request bodies)."""

    def __init__(self, server: StaticServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) != -1:
            head, self.buffer = self.buffer[: end + 4], self.buffer[end + 4:]
            response, keep_alive = self.server._answer(head)
            self.transport.write(response)  # type: ignore[union-attr]
            if not keep_alive:
                self.transport.close()  # type: ignore[union-attr]
                return
        if len(self.buffer) > _MAX_HEAD:
            self.transport.close()  # type: ignore[union-attr]


class StaticServer:
    """Serves ``root`` on 127.0.0.1 from an asyncio loop in a daemon thread.

    ``with StaticServer(root) as server: ...`` or :meth:`start` / :meth:`stop`.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._files: dict[str, tuple[tuple[int, int, int], bytes, str, float]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    def __enter__(self) -> StaticServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("server already started")
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    loop.create_server(lambda: _Connection(self), "127.0.0.1", 0, backlog=128))
                self._port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:
                failed.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                self._server.close()
                loop.run_until_complete(self._server.wait_closed())
                loop.close()

        self._thread = threading.Thread(target=run, name="StaticServer", daemon=True)
        self._thread.start()
        ready.wait()
        if failed:
            self._thread = None
            raise failed[0]

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        self._loop = self._thread = self._server = None

    # -- serving -----------------------------------------------------------------

    def _answer(self, head: bytes) -> tuple[bytes, bool]:
        """The whole response to one request head, and whether the connection stays open."""
        lines = head[:_MAX_HEAD].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return _response(400, {"Content-Length": "0", "Connection": "close"}, b""), False
        method, target, _ = parts
        fields = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                fields[name.strip().lower()] = value.strip()
        keep_alive = fields.get("connection", "").lower() != "close" and parts[2] == "HTTP/1.1"
        if method not in ("GET", "HEAD"):
            return _response(405, {"Content-Length": "0", "Allow": "GET, HEAD"}, b""), keep_alive
        found = self._file(unquote(target.partition("?")[0]))
        if found is None:
            body = _NOT_FOUND
            headers = {"Content-Type": HTML_TYPE, "Content-Length": str(len(body))}
            return _response(404, headers, b"" if method == "HEAD" else body), keep_alive
        data, etag, mtime = found
        validators = {"ETag": etag, "Last-Modified": formatdate(int(mtime), usegmt=True)}
        if _not_modified(fields.get("if-none-match"), fields.get("if-modified-since"), etag, mtime):
            return _response(304, validators, b""), keep_alive
        headers = {"Content-Type": JSON_TYPE, "Content-Length": str(len(data)), **validators}
        return _response(200, headers, b"" if method == "HEAD" else data), keep_alive

    def _file(self, path: str) -> tuple[bytes, str, float] | None:
        """(bytes, ETag, mtime) of the file at a request path; None when there is none or it is unsafe."""
        if not path.startswith("/") or "\\" in path or "\x00" in path:
            return None
        parts = path[1:].split("/")
        if any(part in ("", ".", "..") for part in parts):
            return None
        name = os.path.join(self.root, *parts)
        try:
            stat = os.stat(name)
        except OSError:
            return None
        if not stat_mode.S_ISREG(stat.st_mode):
            return None
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._files.get(path)
        if cached is None or cached[0] != key:
            try:
                with open(name, "rb") as handle:
                    data = handle.read()
            except OSError:
                return None
            cached = (key, data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"', stat.st_mtime)
            self._files[path] = cached
        return cached[1], cached[2], cached[3]
