"""The benchmark's object store: the synthetic tree served from a separate process, with an access log.

``tests/support/static_server.py`` (a lean asyncio server that answers as the tests'
fault-injecting server does) serves the tree on 127.0.0.1. This process adds a log of
what it answered: (``time.monotonic()``, path, status) per request, kept in memory.
KPU's object store is not on the newsroom's machine, so it runs in its own process and
does not share an interpreter lock with the client being measured.

Protocol (``bench.py`` drives it): the first line on stdout is the URL; each line read
on stdin is answered with one line of JSON, the log since the last answer; end of
stdin stops the server. On Linux ``time.monotonic()`` is one clock for every process,
so the log's times can be compared with the benchmark's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def serve(root: Path) -> None:
    if str(REPO) not in sys.path:
        sys.path.append(str(REPO))
    from tests.support.static_server import StaticServer

    log: list[tuple[float, str, int]] = []

    class LoggedServer(StaticServer):
        def _answer(self, head: bytes) -> tuple[bytes, bool]:
            response, keep_alive = super()._answer(head)
            target = head.split(b" ", 2)[1].decode("latin-1").partition("?")[0]
            log.append((time.monotonic(), target, int(response[9:12])))
            return response, keep_alive

    server = LoggedServer(root)
    server.start()
    print(server.url, flush=True)
    try:
        for _ in sys.stdin:
            taken = log[:]
            del log[: len(taken)]
            print(json.dumps(taken), flush=True)
    finally:
        server.stop()


class Server:
    """The server process, seen from the benchmark."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(root)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
        self.url = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("the benchmark's server did not start (see its traceback above)")

    def take_log(self) -> list[tuple[float, str, int]]:
        """What the server answered since the last call: (monotonic time, path, status)."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("log\n")
        self.proc.stdin.flush()
        return [tuple(entry) for entry in json.loads(self.proc.stdout.readline())]

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
