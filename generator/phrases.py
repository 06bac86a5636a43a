"""Wording variants (``templates/id/phrases.yaml``), chosen by a stable seed.

Sibling stories of one night should not read identically, yet a rerun must give
byte-identical text. So each phrase is picked by a hash of the race code and the
phrase key (sha256, not Python's per-process ``hash``).
"""

from __future__ import annotations

import hashlib
import re
import string
from pathlib import Path

from .config import data_path, read_yaml
from .errors import ConfigError

_DIGIT = re.compile(r"\d")


def variant_index(seed: str, key: str, count: int) -> int:
    """Which of ``count`` variants of ``key`` a race takes: a hash of its seed (the race code) and
    the key, stable across runs and machines (sha256, not Python's per-process ``hash``)."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % count


class Phrases:
    """The variants of every phrase key, validated on load."""

    def __init__(self, variants: dict[str, tuple[str, ...]], source: str = "phrases.yaml") -> None:
        self.variants = variants
        self.source = source

    @classmethod
    def load(cls, folder: Path | None = None) -> Phrases:
        path = (folder or data_path("templates", "id")) / "phrases.yaml"
        raw = read_yaml(path)
        problems = []
        variants: dict[str, tuple[str, ...]] = {}
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping of phrase key -> list of variants")
        for key, items in raw.items():
            if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
                problems.append(f"{path}: {key}: expected a non-empty list of strings")
                continue
            for item in items:
                if _DIGIT.search(item):
                    problems.append(f"{path}: {key}: {item!r} contains a digit; numbers must come from the data")
                try:
                    list(string.Formatter().parse(item))
                except ValueError as exc:
                    problems.append(f"{path}: {key}: {item!r}: {exc}")
            variants[str(key)] = tuple(items)
        if problems:
            raise ConfigError("phrases are invalid:\n  " + "\n  ".join(problems))
        return cls(variants, str(path))

    def choose(self, key: str, seed: str, nth: int = 0) -> str:
        """The variant of ``key`` for ``seed``, unfilled; ``nth`` > 0 steps on from it, so the
        sentences of one series (the third, fourth... ticket) take different variants."""
        try:
            options = self.variants[key]
        except KeyError:
            raise ConfigError(f"{self.source}: no phrase {key!r}; add it with at least one variant") from None
        return options[(variant_index(seed, key, len(options)) + nth) % len(options)]

    def pick(self, key: str, seed: str, **values: str) -> str:
        """The variant of ``key`` for ``seed``, with placeholders filled."""
        template = self.choose(key, seed)
        try:
            return template.format(**values)
        except (KeyError, IndexError) as exc:
            raise ConfigError(f"{self.source}: phrase {key!r} variant {template!r} "
                              f"uses unknown placeholder {exc}") from None

    def fitting(self, key: str, seed: str, limit: int, **values: str) -> str | None:
        """The variant of ``key`` for ``seed`` if it fits in ``limit`` characters, else the first
        other variant (in file order) that does; None when none fits."""
        chosen = self.pick(key, seed, **values)
        if len(chosen) <= limit:
            return chosen
        fits = (t.format(**values) for t in self.variants[key])
        return next((text for text in fits if len(text) <= limit), None)

    def listing(self) -> str:
        """Every variant of every phrase, for editorial review."""
        lines = []
        for key in sorted(self.variants):
            lines.append(key)
            lines.extend(f"  {i}. {text}" for i, text in enumerate(self.variants[key], start=1))
        return "\n".join(lines) + "\n"
