"""The one module that writes into the output folder.

Articles are Markdown with YAML front matter written exactly as PyYAML's
safe dumper writes it (see :mod:`generator.yamlsafe`), so a name can never
break it. Writes are atomic (temporary file in the same folder, then rename),
UTF-8 with ``\\n`` endings.
The writer refuses paths outside its folder and the same path twice in a run.
"""

from __future__ import annotations

import hashlib
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
    fence = FRONT_MATTER_FENCE + "\n"
    if not text.startswith(fence):
        raise OutputError("no front matter")
    end = text.find("\n" + fence, len(fence) - 1)  # a line that is only the fence, not "... ---" in a value
    if end < 0:
        raise OutputError("the front matter has no closing fence")
    head, body = text[len(fence): end + 1], text[end + 1 + len(fence):]
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
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Writer:
    """Owns one output folder for one run.

    Every path is checked to stay inside the folder, on its text (no absolute paths, no
    ``..``) and on disk (no symbolic link on the way), so a write or delete never lands
    outside ``--out``. With ``dry_run`` nothing is written or deleted: the writer only
    records what it would have done.
    """

    def __init__(self, folder: Path, *, dry_run: bool = False) -> None:
        self.folder = folder.resolve()
        self.dry_run = dry_run
        self.planned: list[str] = []  # what a dry run would have written or deleted
        self._written: set[Path] = set()

    def path_for(self, relative: str) -> Path:
        """The file for a path relative to the folder; anything that could leave it is refused."""
        if (not relative or relative.startswith("/") or ".." in relative.split("/") or "\\" in relative
                or "\0" in relative):
            raise OutputError(f"refusing to write {relative!r}: outside the output folder {self.folder}")
        path = self.folder / relative
        here = str(self.folder)  # walked as text: os.path is far cheaper than a Path per step
        for part in Path(relative).parts:
            here = os.path.join(here, part)
            if os.path.islink(here):
                raise OutputError(f"refusing to use {here}: a symbolic link inside the output folder "
                                  f"{self.folder} could lead outside it; replace it with a real folder or file")
        return path

    def _claim(self, relative: str) -> Path:
        path = self.path_for(relative)
        if path in self._written:
            raise OutputError(f"{relative} would be written twice in one run (two races with the same slug?)")
        self._written.add(path)
        return path

    def write_text(self, relative: str, text: str) -> tuple[Path, bool]:
        """Write a text file; returns (path, changed). Unchanged files are not touched."""
        ((path, changed),) = self.write_group([(relative, text)])
        return path, changed

    def write_group(self, files: list[tuple[str, str]]) -> list[tuple[Path, bool]]:
        """Write files that belong together (an article and its chart): all or none.

        Each changed file is first written to a temporary file beside it; only when all
        are written are they renamed into place, and if a rename fails the ones already
        renamed get their earlier content back. A full disk or a read-only folder costs
        this group only, and leaves it as it was.
        """
        plan: list[tuple[Path, bytes, bytes | None]] = []  # (path, new bytes, old bytes or None)
        results: list[tuple[Path, bool]] = []
        for relative, text in files:
            path = self._claim(relative)
            data = text.replace("\r\n", "\n").encode("utf-8")
            old = self._read(path)
            results.append((path, old != data))
            if old != data:
                plan.append((path, data, old))
        if not plan:
            return results
        if self.dry_run:
            self.planned.extend(f"write {p.relative_to(self.folder).as_posix()}" for p, _, _ in plan)
            return results
        staged: list[tuple[Path, str, bytes | None]] = []
        try:
            for path, data, old in plan:
                staged.append((path, _stage(path, data), old))
            done: list[tuple[Path, bytes | None]] = []
            try:
                for path, tmp, old in staged:
                    os.replace(tmp, path)
                    done.append((path, old))
            except OSError:
                for path, old in reversed(done):  # put back what this group changed already
                    if old is None:
                        path.unlink(missing_ok=True)
                    else:
                        atomic_write(path, old)
                raise
        except OSError as exc:
            for _, tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            raise OutputError(f"cannot write {plan[0][0].parent}: {exc.strerror or exc}; "
                              "nothing of this race was changed") from None
        return results

    def _read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise OutputError(f"cannot write {path}: a folder is in the way") from None
        except OSError as exc:
            raise OutputError(f"cannot read {path}: {exc.strerror}") from None

    def claim(self, relative: str) -> Path:
        """Reserve a path left as it is this run (so no other race can take it)."""
        return self._claim(relative)

    def remove(self, relative: str, *, expected_sha256: str | None) -> bool:
        """Delete a file newsgen wrote (its race moved to a new slug), and only if it is still
        exactly what newsgen wrote (``expected_sha256``); a page bundle goes with its chart.
        Returns whether it was deleted."""
        path = self.path_for(relative)
        if path in self._written or expected_sha256 is None:
            return False
        data = self._read(path)
        if data is None or hashlib.sha256(data).hexdigest() != expected_sha256:
            return False  # edited by someone, or gone: not ours to delete
        if self.dry_run:
            self.planned.append(f"delete {relative}")
            return True
        path.unlink(missing_ok=True)
        if path.parent != self.folder and not any(path.parent.iterdir()):
            path.parent.rmdir()
        return True

    def read_bytes(self, relative: str) -> bytes | None:
        """The file's bytes, None when there is none."""
        return self._read(self.path_for(relative))

    def read_existing(self, relative: str) -> str | None:
        path = self.path_for(relative)
        try:
            return path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError, IsADirectoryError):
            return None


def _stage(path: Path, data: bytes) -> str:
    """``data`` in a new temporary file beside ``path`` (its folder made when missing): the name."""
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o644)
            else:  # Windows
                os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp
