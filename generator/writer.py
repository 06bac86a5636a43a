"""The one module that writes into the output folder.

Articles are Markdown with YAML front matter written exactly as PyYAML's
safe dumper writes it (see :mod:`generator.yamlsafe`), so a name can never
break it. Writes are atomic (temporary file in the same folder, then rename),
UTF-8 with ``\\n`` endings.
The writer refuses paths outside its folder and the same path twice in a run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import OutputError
from .yamlsafe import dump_block, safe_load

FRONT_MATTER_FENCE = "---"


def front_matter(data: dict[str, Any]) -> str:
    """YAML front matter block."""
    return f"{FRONT_MATTER_FENCE}\n{dump_block(data)}{FRONT_MATTER_FENCE}\n"


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Parse a file written by :func:`front_matter` back into (data, body)."""
    if not text.startswith(FRONT_MATTER_FENCE + "\n"):
        raise OutputError("no front matter")
    _, head, body = text.split(FRONT_MATTER_FENCE + "\n", 2)
    data = safe_load(head) or {}
    if not isinstance(data, dict):
        raise OutputError(f"the front matter is a {type(data).__name__}, not a mapping")
    return data, body


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (its folder made when missing): (descriptor, name).

    Named after the file and this process, which is enough for one writer per
    folder; a name left over by a crashed run falls back to a random one.
    """
    tmp = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}.tmp"
    try:
        return os.open(tmp, _CREATE, 0o644), tmp
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(tmp, _CREATE, 0o644), tmp
    except FileExistsError:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (never a half-written file).

    A temporary file in the same folder, renamed over the target: readers (the
    CMS, a web server) see the old file or the new one, never a mix. No fsync:
    a power cut may lose the newest version, which the next run writes again.
    The file is readable by all (0644) whatever the umask, for the web server.
    """
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o644)
            else:  # Windows
                os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Writer:
    """Owns one output folder for one run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._written: set[Path] = set()

    def path_for(self, relative: str) -> Path:
        """The file for a path relative to the folder; anything that could leave it is refused.

        Checked on the path's text (no absolute paths, no ``..``, no backslashes):
        fast, and independent of what is on disk.
        """
        if (not relative or relative.startswith("/") or ".." in relative.split("/") or "\\" in relative
                or "\0" in relative):
            raise OutputError(f"refusing to write {relative!r}: outside the output folder {self.folder}")
        return self.folder / relative

    def write_text(self, relative: str, text: str) -> tuple[Path, bool]:
        """Write a text file; returns (path, changed). Unchanged files are not touched."""
        path = self.path_for(relative)
        if path in self._written:
            raise OutputError(f"{relative} would be written twice in one run (two races with the same slug?)")
        self._written.add(path)
        data = text.replace("\r\n", "\n").encode("utf-8")
        try:
            if path.read_bytes() == data:
                return path, False
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot read {path}: {exc.strerror}") from None
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}; check the --out folder") from None
        return path, True

    def claim(self, relative: str) -> Path:
        """Reserve a path left as it is this run (so no other race can take it)."""
        path = self.path_for(relative)
        if path in self._written:
            raise OutputError(f"{relative} would be written twice in one run (two races with the same slug?)")
        self._written.add(path)
        return path

    def remove(self, relative: str) -> None:
        """Delete an article this folder no longer holds (its race moved to a new slug).

        A page bundle goes with its chart; folders are removed only when empty.
        """
        path = self.path_for(relative)
        if path in self._written:
            return
        if path.name == "index.md":
            for sibling in path.parent.glob("*.svg"):
                sibling.unlink(missing_ok=True)
        else:
            path.with_suffix(".svg").unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        if path.parent != self.folder and not any(path.parent.iterdir()):
            path.parent.rmdir()

    def read_existing(self, relative: str) -> str | None:
        path = self.path_for(relative)
        try:
            return path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None
