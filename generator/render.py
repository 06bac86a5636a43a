"""Stories to Markdown text through the Jinja templates in ``templates/id/``.

One sandboxed :class:`~jinja2.sandbox.SandboxedEnvironment` per run, with
``StrictUndefined`` (a missing variable fails, it never prints ""). Every value
printed goes through :func:`escape_markdown` unless it is marked safe, so a
name or an editor note can never start a heading, a list, a code block, a
link or emphasis, never becomes a Hugo shortcode or a Liquid tag, and data is
never evaluated as template code. Stock sentences from ``config/`` are
rendered in the same sandbox.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
from collections.abc import MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, meta
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .config import Config, stock_texts
from .errors import TemplateError
from .formatting import count_words, format_percent, format_votes, join_words, ordinal
from .overrides import check_folder, check_templates, fingerprint, jinja_problem, override_fingerprint, search_path
from .phrases import Phrases, variant_index
from .text import one_line

if TYPE_CHECKING:
    from .story import Story

#: Anywhere in a value: emphasis, code spans, links and images, raw HTML and <autolinks>,
#: table cells, strikethrough, backslashes, entity references (``&lt;``), Hugo shortcodes
#: and Go/Liquid template tags (every ``{``, and a ``%`` after one: ``{{%``, ``{{<``,
#: ``{%``, ``{{`` cannot survive), and what goldmark's linkify turns into links:
#: ``scheme://``, ``www.`` and e-mail addresses (every ``@``). Every alternative is one
#: literal character, then what must follow or precede it (a lookbehind after it:
#: ``%(?<=\{%)`` is a ``%`` after a ``{``), so the regex engine skips ahead to the next
#: candidate character instead of trying each alternative at every position (a character
#: class or a leading lookbehind would defeat that; about four times faster on a sentence).
_INLINE = re.compile("|".join(map(re.escape, "\\`*_[]<>|~{@"))
                     + r"|%(?<=\{%)|&(?=#?[A-Za-z0-9]+;)|:(?=//)|\.(?<=[Ww]{3}\.)")
#: Same, leaving URLs to become links: for the publication's own URLs (config).
_INLINE_LINKS = re.compile("|".join(map(re.escape, "\\`*_[]<>|~{")) + r"|%(?<=\{%)|&(?=#?[A-Za-z0-9]+;)")
#: At the start of a value, which may be the start of a line: an ATX heading (#), a
#: bullet (- +), a thematic break (---), a setext underline (=), a definition (:), an
#: ordered list item (1. 1)), or a % that would close a Liquid tag after a preceding {.
_FORMATTER = string.Formatter()
_LINE_START = re.compile(r"^(?:([#\-+=:%])|(\d{1,9})([.)])(?=\s|$))")
_STARTERS = "#-+=:%"


def escape_markdown(value: object, *, links: bool = False) -> str:
    """``value`` as one line of Markdown text that renders as exactly that text.

    The value is made one clean line first (:func:`~generator.models.one_line`:
    no control, bidi or zero-width characters, no line breaks). Then every
    character Markdown, Hugo or Liquid could read as syntax is backslash-escaped
    (CommonMark renders ``\\x`` as ``x`` for any ASCII punctuation ``x``), so no
    shortcode runs, no block, link or emphasis appears that a template did not
    write. ``links=True`` leaves URLs to become links: only for the
    publication's own URLs from ``config/``.
    """
    text = one_line(str(value))
    text = (_INLINE_LINKS if links else _INLINE).sub(_backslash, text)
    if not (text[:1] in _STARTERS or text[:1].isdigit()):  # what _LINE_START can match first
        return text
    return _LINE_START.sub(_escape_start, text, count=1)


def _backslash(match: re.Match[str]) -> str:
    return "\\" + match.group()


def _escape_start(match: re.Match[str]) -> str:
    marker, digits, dot = match.groups()
    return "\\" + marker if marker else f"{digits}\\{dot}"  # "1. " -> "1\. ": the escape goes on the dot


def _finalize(value: object) -> object:
    """What a template prints for ``{{ value }}``: Markup as it is, numbers as they are,
    anything else escaped (:func:`escape_markdown`)."""
    if type(value) is str:  # the most common first
        # A figure in house style ("59.177", "55,66%") has nothing Markdown could read: it is
        # printed as it is (escape_markdown would return it unchanged; a test holds them equal).
        return value if _FIGURE.fullmatch(value) else _escaped(value)
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return escape_markdown(value)


#: A number as formatting.py prints it: digits with dots or commas inside, an optional %. It
#: never ends in "." or ")" (an ordered-list marker) and holds no character Markdown reads.
_FIGURE = re.compile(r"[0-9](?:[0-9.,]*[0-9])?%?")


@functools.lru_cache(maxsize=32768)
def _escaped(text: str) -> str:
    """:func:`escape_markdown` of a string, worked out once: a night's articles print the
    same names, places and phrases over and over (a pure function, so the cache changes no byte).

    Sized for a whole night: the 545 races of the national tree print about 9,400 distinct
    strings, so a watch's next polls find every name and place of the races they re-render
    (at 8,192 entries a full pass evicted each string before its next use)."""
    return escape_markdown(text)


def _plain_globals(env: Environment, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
    """A template's globals as a plain dict: the environment's, then its own. Jinja keeps
    them as a ``ChainMap`` over the environment's, which every ``{% include %}`` and every
    render iterates (a ``Context`` takes the set of its keys): about a tenth of a render. A
    copy serves as well here, since newsgen sets every global before the first template loads."""
    return {**env.globals, **(d or {})}


class _Plain(Environment):
    """Jinja's environment (newsgen's own templates), with :func:`_plain_globals`."""

    make_globals = _plain_globals


class _Sandboxed(SandboxedEnvironment):
    """Jinja's sandbox (a user's templates, stock sentences), with :func:`_plain_globals`."""

    make_globals = _plain_globals


def _environment(folders: list[str] | None, *, sandboxed: bool) -> Environment:
    cls = _Sandboxed if sandboxed else _Plain
    env = cls(
        loader=FileSystemLoader(folders) if folders else None,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=_finalize,
        auto_reload=False,  # a Renderer serves one run (or one watch): no stat of every template per article
        cache_size=-1,  # every template kept in a plain dict: an include is a lookup, not an LRU reshuffle
    )
    env.filters.update(votes=format_votes, percent=format_percent, words=count_words, ordinal=ordinal,
                       series=join_words)  # "A", "A dan B", "A, B, dan C"
    env.filters["safe"] = Markup
    return env


class Renderer:
    """Renders stories; build one per run (templates compile once).

    newsgen's own templates run in a plain Jinja environment. A templates folder
    given by the user (``--templates DIR``) may hold any part of them: a template
    is looked up there first, then in newsgen's own, and its ``phrases.yaml`` is
    merged by key over newsgen's (:attr:`phrases`). With such a folder every
    template runs in Jinja's sandbox, as the stock sentences of
    ``publication.yaml`` (editable config) always do.
    """

    def __init__(self, config: Config, templates: Path | None = None) -> None:
        """Templates, phrases and stock sentences load here, so a broken one stops the run before any race."""
        self.config = config
        #: newsgen's own templates only (no user folder).
        self.builtin = templates is None
        self.templates = check_folder(templates)
        #: Everything besides the data and config that the text depends on (both folders' files).
        self.fingerprint = _fingerprint(templates, config)
        #: The user's own wording ("" without any): their templates folder and, with a publication.yaml
        #: of theirs, the publication settings (stock sentences). An article's fingerprint adds it, so a
        #: changed override rewrites the articles, while an upgrade of newsgen's own wording alone does not.
        self.overrides = _overrides(templates, config)
        self.phrases = Phrases.load(templates)
        self.env = _environment(search_path(templates), sandboxed=not self.builtin)
        self.stock_env = _environment(None, sandboxed=True)
        if templates is not None:
            check_templates(templates, self.env)
        try:
            self._article = self.env.get_template("article.md.j2")
        except JinjaError as exc:
            raise jinja_problem(exc, "article.md.j2") from None
        self._public_site = Markup(escape_markdown(config.publication.public_site, links=True))
        self._stock: dict[str, tuple[Template, ...]] = {}
        self._stock_vars: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._stock_cache: dict[tuple[str, ...], Markup] = {}
        for name, variants in stock_texts(config.publication).items():
            try:
                self._stock[name] = tuple(self.stock_env.from_string(v) for v in variants)
                self._stock_vars[name] = tuple(tuple(sorted(meta.find_undeclared_variables(self.stock_env.parse(v))))
                                               for v in variants)
            except JinjaError as exc:
                raise TemplateError(f"publication.yaml: stock sentence {name}: {exc}") from None

    @property
    def stock_names(self) -> tuple[str, ...]:
        return tuple(self._stock)

    def stock(self, name: str, story: Story) -> Markup:
        """A stock sentence of the publication, rendered for a story (its variant by the race's seed)."""
        variants = self._stock.get(name)
        if variants is None:
            raise TemplateError(
                f"publication.yaml: no stock sentence {name!r}; add it under stock "
                f"(needed for stage {story.stage})"
            )
        index = variant_index(story.race, f"stock.{name}", len(variants))
        # A sentence that does not look into the story is the same for every race of a
        # KPU body: render it once per distinct set of the values it uses.
        uses = self._stock_vars[name][index]
        values = self._stock_values(story, uses)
        key = None if "story" in uses else (name, str(index), *(str(values.get(v, "")) for v in uses))
        if key is not None and key in self._stock_cache:
            return self._stock_cache[key]
        try:
            text = Markup(variants[index].render(**values).strip())
        except JinjaError as exc:
            raise TemplateError(f"publication.yaml: stock sentence {name} for race {story.race}: {exc}") from None
        if key is not None:
            self._stock_cache[key] = text
        return text

    def _stock_values(self, story: Story, uses: tuple[str, ...]) -> dict[str, object]:
        """What a stock sentence may use. The publication's site and the data file (an http(s)
        URL, checked by the model) may become links; every other value is escaped by _finalize,
        links defused. The data file is escaped only for a sentence that prints it."""
        pub = self.config.publication
        values: dict[str, object] = {"story": story, "kpu": story.kpu_body, "outlet": pub.outlet,
                                     "public_site": self._public_site}
        if "source_url" in uses:
            values["source_url"] = Markup(escape_markdown(story.source_url, links=True))
        return values

    def say(self, story: Story, key: str, nth: int = 0, **values: object) -> Markup:
        """A sentence of phrases.yaml in the race's variant, for templates: ``say("tps.partial",
        tps=story.tps_reported)``. The phrase's own words and each value are escaped apart, so
        a value that is already Markdown (a macro's output) is not escaped twice; ``nth`` steps
        to the next variants for the sentences of one series (see :meth:`Phrases.choose`)."""
        template = self.phrases.choose(key, story.race, nth)
        out = []
        try:
            for literal, field in _phrase_parts(template):
                out.append(literal)
                if field is not None:
                    out.append(str(_finalize(values[field])))
        except KeyError as exc:
            raise TemplateError(f"{self.phrases.sources.get(key, self.phrases.source)}: phrase {key!r} variant "
                                f"{template!r} uses {exc}, "
                                f"which the template does not give (race {story.race})") from None
        return Markup("".join(out))

    def render(self, story: Story) -> tuple[str, tuple[str, ...]]:
        """The article text (Markdown, without front matter) and the stock sentences it printed."""
        printed: list[str] = []

        def stock(name: str) -> Markup:
            text = self.stock(name, story)
            printed.append(str(text))
            return text

        say = functools.partial(self.say, story)  # say(key, nth=0, **values) for the templates
        try:
            text = self._article.render(story=story, stock=stock, say=say, publication=self.config.publication)
        except JinjaError as exc:
            raise jinja_problem(exc, f"template article.md.j2 for race {story.race}") from None
        return tidy(text), tuple(printed)

    def body(self, story: Story) -> str:
        """The article text (Markdown, without front matter)."""
        return self.render(story)[0]


@functools.lru_cache(maxsize=4096)
def _phrase_parts(template: str) -> tuple[tuple[str, str | None], ...]:
    """A phrase variant as (its own words escaped, the field that follows or None), parsed once
    per variant: our own words are one line already, their spaces kept (a pure function)."""
    return tuple((_INLINE.sub(_backslash, literal), field) for literal, field, _spec, _conversion
                 in _FORMATTER.parse(template))


def _fingerprint(templates: Path | None, config: Config) -> str:
    """Hash of the templates (the user's folder and newsgen's own) and the publication settings."""
    digest = hashlib.sha256(config.publication.model_dump_json().encode())
    digest.update(fingerprint(templates).encode())
    return digest.hexdigest()


def _overrides(templates: Path | None, config: Config) -> str:
    own = override_fingerprint(templates)
    if "publication.yaml" not in config.files:
        return own
    settings = hashlib.sha256(config.publication.model_dump_json().encode()).hexdigest()[:16]
    return f"{own}+{settings}"


def tidy(text: str) -> str:
    """One blank line between paragraphs, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
