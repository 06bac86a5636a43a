"""newsgen's bookkeeping for one output folder, kept outside it.

The output folder (``--out``) holds only what readers may see: articles and
their charts. Everything else lives in a state folder (``--state``, default
``$XDG_STATE_HOME/newsgen/<name>-<hash of the output folder's path>``)::

    manifest.json      every race: status, path, hashes, flags; every file newsgen wrote, with its sha256
    review.md, .html   the night's review page for editors
    pending/<path>     an update newsgen could not write because an editor changed the article
    lock               held by the run working on the output folder

A run takes the lock for its whole length; a second run waits for it (up to
``LOCK_WAIT`` seconds) and then refuses with a message, so two runs never
interleave their writes or lose each other's manifest entries.
"""

from __future__ import annotations

import contextlib
import fcntl  # POSIX only, as newsgen's runs are
import hashlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

#: Seconds a run waits for another run on the same output folder before it refuses.
LOCK_WAIT = 120.0
PENDING = "pending"


def default_state_dir(out: Path) -> Path:
    """``$XDG_STATE_HOME/newsgen/<name>-<hash>`` (``~/.local/state`` without XDG_STATE_HOME)."""
    root = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    resolved = out.resolve()
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", resolved.name) or "root"
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:10]
    return Path(root) / "newsgen" / f"{name}-{digest}"


def check_outside(state: Path, out: Path) -> None:
    """Refuse a state folder inside the output folder (it would be published) or the other way round."""
    state_real, out_real = state.resolve(), out.resolve()
    if state_real == out_real or out_real in state_real.parents or state_real in out_real.parents:
        raise OutputError(f"--state {state} and --out {out} must be separate folders, neither inside the other: "
                          "the output folder is published, newsgen's bookkeeping must not be")


@contextlib.contextmanager
def locked(state: Path, *, wait: float = LOCK_WAIT, say: object = None) -> Iterator[None]:
    """Hold the output folder's lock; wait for another run up to ``wait`` seconds, then refuse."""
    state.mkdir(parents=True, exist_ok=True)
    handle = open(state / "lock", "a+")  # noqa: SIM115 - held for the whole run
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"another newsgen run is working on this output folder (lock {state / 'lock'} held for "
                        f"{wait:g} s); try again when it has finished") from None
                if callable(say):
                    say("waiting for another newsgen run on this output folder to finish")
                    say = None
                time.sleep(0.1)
        yield
    finally:
        handle.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
