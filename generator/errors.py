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
