"""Wording variants (``templates/id/phrases.yaml``), chosen by a stable seed.

Sibling stories of one night should not read identically, yet a rerun must give
byte-identical text. So each phrase is picked by a hash of the race code and the
phrase key (sha256, not Python's per-process ``hash``).
"""

from __future__ import annotations

import difflib
import functools
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
    if count == 1:  # most keys have one variant: no hash needed to choose it
        return 0
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % count


class Phrases:
    """The variants of every phrase key, validated on load."""

    def __init__(self, variants: dict[str, tuple[str, ...]], source: str = "phrases.yaml",
                 sources: dict[str, str] | None = None) -> None:
        self.variants = variants
        self.source = source
        #: The file each key was read from (a user's phrases.yaml for the keys it overrides).
        self.sources = sources or {}
        self.own = str(data_path("templates", "id") / "phrases.yaml")
        self.fingerprint = hashlib.sha256(repr(sorted(variants.items())).encode()).hexdigest()

    @classmethod
    def load(cls, folder: Path | None = None) -> Phrases:
        """newsgen's own ``phrases.yaml``, with the keys of ``folder``'s ``phrases.yaml`` (when
        there is one) replacing newsgen's: a user's file holds only the phrases it changes."""
        own = data_path("templates", "id") / "phrases.yaml"
        variants = _read(own)
        sources = dict.fromkeys(variants, str(own))
        user = folder / "phrases.yaml" if folder is not None else None
        if user is not None and user != own and user.is_file():
            overrides = _read(user)
            _check_override(user, overrides, variants)
            variants |= overrides
            sources |= dict.fromkeys(overrides, str(user))
        return cls(variants, str(user if user is not None and user.is_file() else own), sources)

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
            raise ConfigError(f"{self.sources.get(key, self.source)}: phrase {key!r} variant {template!r} "
                              f"uses unknown placeholder {exc}; this phrase is given "
                              f"{', '.join('{' + v + '}' for v in sorted(values)) or 'no placeholders'}") from None

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
            source = self.sources.get(key)
            lines.append(f"{key}  ({source})" if source and source != self.own else key)
            lines.extend(f"  {i}. {text}" for i, text in enumerate(self.variants[key], start=1))
        return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=1)
def shipped_phrases() -> Phrases:
    """newsgen's own phrases, loaded once (for callers not handed a run's :class:`Phrases`)."""
    return Phrases.load()


def _read(path: Path) -> dict[str, tuple[str, ...]]:
    """The phrases of one file, each key a non-empty list of strings without digits."""
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
    return variants


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a variant fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _family(key: str) -> str:
    """Phrases given the same values: every ``headline.*`` the leader, runner, race, region...;
    the chart's and the tickets' phrases by their first two parts (``chart.note``)."""
    parts = key.split(".")
    base = ".".join(parts[:2]) if parts[0] in ("chart", "ticket") else parts[0]
    return _SAME_VALUES.get(base, base)


#: Families given the same values as another (story.py fills them from one set).
_SAME_VALUES = {"tag": "race", "seo_title": "search", "description": "search", "chart.title": "headline"}


def _check_override(path: Path, overrides: dict[str, tuple[str, ...]], own: dict[str, tuple[str, ...]]) -> None:
    """A user's phrase replaces one of newsgen's and fills in only names newsgen's phrases use:
    those of its family (a headline may name the {region} though newsgen's headline of that
    situation does not), or of another family, which rendering then checks."""
    problems = []
    anywhere = set().union(*(placeholders(v) for vs in own.values() for v in vs))
    for key, items in overrides.items():
        if key not in own:
            close = difflib.get_close_matches(key, list(own), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "`newsgen phrases` lists every key"
            problems.append(f"{path}: {key}: newsgen has no phrase of that name; {hint}")
            continue
        family = _family(key)
        known = set().union(*(placeholders(v) for k, vs in own.items() if _family(k) == family for v in vs))
        for item in items:
            # A name no phrase of newsgen's uses is a typo ({vots}, {leader.__class__}); one that another
            # family uses may be given to this phrase too, which only rendering can tell (it names the
            # file, the key and what the phrase is given).
            unknown = sorted(placeholders(item) - known - anywhere)
            if unknown:
                offer = ", ".join("{" + n + "}" for n in sorted(known)) or "none"
                problems.append(f"{path}: {key}: {item!r} uses unknown placeholder "
                                f"{', '.join('{' + n + '}' for n in unknown)}; this phrase can use {offer}")
    if problems:
        raise ConfigError("phrases are invalid:\n  " + "\n  ".join(problems))
