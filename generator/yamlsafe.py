"""YAML, safely and fast.

Loading: libyaml's C safe loader when installed, the pure-Python safe loader
otherwise. Only safe loading exists in newsgen.

Dumping front matter: :func:`dump_block` writes the same bytes as
``yaml.dump(data, Dumper=SafeDumper, allow_unicode=True, sort_keys=False,
width=1000, default_flow_style=False)`` (``tests/test_yamlsafe.py`` compares
the two on generated data), in a fraction of the time. PyYAML's representer
and its parse-back check were a third of the work of drafting an article.
Only two kinds of text are written by this module itself: scalars with one
spelling (numbers, ``true``/``false``/``null``) and strings made of letters,
digits and harmless punctuation that PyYAML's resolver reads back as strings.
Every other string is quoted by PyYAML's own emitter, one scalar at a time,
and anything else (a multi-line scalar, an empty list, another type) makes
the whole document go through PyYAML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when installed: 10x faster
YAMLError = yaml.YAMLError

#: Strings written unquoted without asking PyYAML: ASCII letters, digits, slashes and
#: punctuation that is no YAML indicator inside a scalar; a colon only when
#: followed by something other than a space; no space at the end. Short enough
#: that the line never reaches the dump width.
_PLAIN = re.compile(r"[A-Za-z0-9/](?:[A-Za-z0-9 .,'()/_+%&-]|:(?=[^ ]))*(?<! )")
_PLAIN_MAX = 400
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def safe_load(text: str) -> object:
    return yaml.load(text, Loader=_Loader)


def dump(data: object) -> str:
    """PyYAML's dump with newsgen's front matter options."""
    return str(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                         default_flow_style=False))


class _Unusual(Exception):
    """Something :func:`dump_block` leaves to PyYAML."""


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    """``text`` as PyYAML writes it as a block sequence item (style, quotes and escapes)."""
    line = dump([text])
    if not line.startswith("- ") or len(line.splitlines()) != 1 or len(line) > _PLAIN_MAX * 2:
        # A multi-line scalar (or one long enough to be folded somewhere else in the
        # document): its line breaks depend on the indentation.
        raise _Unusual
    return line[2:-1]


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return _string(value)
    raise _Unusual


@lru_cache(maxsize=8192)
def _string(value: str) -> str:
    """A string scalar: as it is when plain-safe, else as PyYAML quotes it.

    Cached: keys, tags, categories and names come back in every article of a run.
    """
    if (len(value) <= _PLAIN_MAX and _PLAIN.fullmatch(value)
            and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG):  # type: ignore[no-untyped-call]
        return value
    return _quoted(value)


def _mapping(data: dict[str, Any], indent: str, out: list[str]) -> None:
    for key, value in data.items():
        if type(key) is not str or len(key) > 100 or key.splitlines() != [key]:
            raise _Unusual  # PyYAML writes long, empty and multi-line keys in the "? key" form
        head = f"{indent}{_scalar(key)}:"
        if type(value) is dict:
            if not value:
                raise _Unusual
            out.append(head + "\n")
            _mapping(value, indent + "  ", out)
        elif type(value) is list:
            if not value:
                raise _Unusual
            out.append(head + "\n")
            for item in value:  # PyYAML does not indent a sequence inside a mapping
                out.append(f"{indent}- {_scalar(item)}\n")
        else:
            out.append(f"{head} {_scalar(value)}\n")


def dump_block(data: dict[str, Any]) -> str:
    """``data`` as a YAML block mapping, byte for byte what :func:`dump` writes (see the module docs)."""
    out: list[str] = []
    try:
        if type(data) is not dict or not data:
            raise _Unusual
        _mapping(data, "", out)
    except _Unusual:
        return dump(data)
    return "".join(out)
