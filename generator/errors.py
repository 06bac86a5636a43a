"""Exceptions raised by newsgen.

The tree::

    NewsgenError
    ├── ConfigError      config/ YAML, command-line options, templates folder
    ├── DataError        input that cannot be trusted (a race is held back)
    │   └── FetchError   a URL could not be fetched (after retries)
    ├── TemplateError    a template failed to render (missing variable, syntax)
    └── OutputError      the output folder refused a write

The command line catches ``NewsgenError`` only: one line on stderr and an exit
code. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class NewsgenError(Exception):
    """Base class of every error newsgen reports to its user."""


class ConfigError(NewsgenError):
    """Configuration or usage is wrong; nothing can run (exit code 2)."""


class DataError(NewsgenError):
    """Input data for a race (or a whole file) cannot be used.

    ``where`` names the file or URL, ``race`` the race code and ``field`` the
    offending field; the message says what was expected and how to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        race: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.where = where
        self.race = race
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = []
        if self.where:
            parts.append(self.where)
        if self.race:
            parts.append(f"race {self.race}")
        if self.field:
            parts.append(f"field {self.field}")
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class FetchError(DataError):
    """A URL could not be fetched or did not hold what was expected."""


class TemplateError(NewsgenError):
    """A template could not be rendered."""


class OutputError(NewsgenError):
    """The writer refused to write (path outside the folder, written twice...)."""


#: What held a race back, by where it surfaced. ``template`` and ``config``
#: make a run exit 2 (the fix is in the configuration, not in the data).
PROBLEM_KINDS = ("data", "fetch", "suspicious", "audit", "template", "config", "output", "internal")


@dataclass(frozen=True)
class Problem:
    """Why one race was held back: structured, so reports, the manifest and the
    review page can show the race, the file or URL, the field and the reason."""

    race: str
    reason: str
    where: str | None = None  # the file or URL
    field: str | None = None
    kind: str = "data"

    def __str__(self) -> str:
        parts = [self.where, f"race {self.race}", f"field {self.field}" if self.field else None, self.reason]
        return ": ".join(p for p in parts if p)

    @classmethod
    def from_exception(cls, race: str, exc: BaseException) -> Problem:
        """The problem an exception raised while working on ``race`` amounts to."""
        if isinstance(exc, DataError):
            kind = "fetch" if isinstance(exc, FetchError) else "data"
            return cls(race, exc.message, where=exc.where, field=exc.field, kind=kind)
        if isinstance(exc, TemplateError):
            return cls(race, str(exc), kind="template")
        if isinstance(exc, ConfigError):
            return cls(race, str(exc), kind="config")
        if isinstance(exc, OutputError):
            return cls(race, str(exc), kind="output")
        if isinstance(exc, OSError):
            return cls(race, f"{exc.strerror or exc}", where=exc.filename, kind="output")
        return cls(race, f"unexpected {type(exc).__name__}: {exc} (a bug in newsgen; please report it "
                         "with the input that caused it)", kind="internal")
