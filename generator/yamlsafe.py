"""YAML, safely and fast.

Loading: libyaml's C safe loader when installed, the pure-Python safe loader
otherwise. Only safe loading exists in newsgen. Input typed by people (editor
files, config) is read with :func:`load_unique`: a key given twice in one
mapping is an error (:class:`DuplicateKeyError`, naming every duplicate with
its path and lines), never "the last one wins"; :func:`json_checked` finds the
same in JSON.

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

import contextlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


_MERGE_TAG = "tag:yaml.org,2002:merge"


def safe_load(text: str) -> object:
    return yaml.load(text, Loader=_Loader)


@dataclass(frozen=True)
class DuplicateKey:
    """A key given twice in one mapping."""

    path: tuple[str, ...]  # keys and list indexes down to the mapping: ("races", "0", "tickets", "1")
    key: str
    line: int = 0  # 1-based, where it is given again (0: not known, in JSON)
    first_line: int = 0  # 1-based, where it was first given

    @property
    def lines(self) -> str:
        if not self.line:
            return ""
        return f"line {self.line}" if self.line == self.first_line else f"lines {self.first_line} and {self.line}"

    def __str__(self) -> str:
        where = ".".join((*self.path, self.key))
        return f"key {where} is given twice" + (f" ({self.lines})" if self.line else "") + "; keep one"


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A document with a key given twice in a mapping; ``duplicates`` lists them all."""

    def __init__(self, duplicates: list[DuplicateKey], mark: yaml.Mark | None) -> None:
        first = duplicates[0]
        super().__init__(problem=f"found duplicate key {first.key!r}" + (f" ({first.lines})" if first.line else "")
                         + "; keep one",
                         problem_mark=mark)
        self.duplicates = duplicates


class _Checked(_Loader):  # type: ignore[misc, valid-type]
    """The safe loader, noting whether any mapping has a key twice."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicated = False
        self.root: Node | None = None

    def construct_document(self, node: Node) -> Any:
        self.root = node
        return super().construct_document(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not self.duplicated:
            keys = [self.construct_object(k, deep=True) for k, _ in node.value if k.tag != _MERGE_TAG]
            with contextlib.suppress(TypeError):  # an unhashable key: PyYAML's own error follows
                self.duplicated = len(set(keys)) != len(keys)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def load_unique(text: str) -> object:
    """:func:`safe_load`, refusing a key given twice in a mapping (:class:`DuplicateKeyError`)."""
    data, found = _load_checked(text)
    if found:
        raise DuplicateKeyError([d for d, _ in found], found[0][1])
    return data


def load_checked(text: str) -> tuple[object, list[DuplicateKey]]:
    """:func:`safe_load`, with every key given twice in a mapping (the document
    as PyYAML reads it, the last one kept, for a caller that refuses only the
    part that holds a duplicate)."""
    data, found = _load_checked(text)
    return data, [d for d, _ in found]


def _load_checked(text: str) -> tuple[object, list[tuple[DuplicateKey, yaml.Mark]]]:
    loader = _Checked(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    found: list[tuple[DuplicateKey, yaml.Mark]] = []
    if loader.duplicated and loader.root is not None:
        _find_duplicates(loader.root, (), SafeConstructor(), found)
    return data, found


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, in order."""


def json_checked(text: str) -> tuple[object, list[DuplicateKey]]:
    """A JSON document (``json.loads``), with every key given twice in an object and its path.

    ``ValueError`` (``json.JSONDecodeError``) for text that is not JSON.
    """
    found: list[DuplicateKey] = []
    return _from_pairs(json.loads(text, object_pairs_hook=_Pairs), (), found), found


def _from_pairs(value: Any, path: tuple[str, ...], found: list[DuplicateKey]) -> Any:
    if isinstance(value, _Pairs):
        out: dict[str, Any] = {}
        for key, item in value:
            if key in out:
                found.append(DuplicateKey(path, key))
            out[key] = _from_pairs(item, (*path, key), found)
        return out
    if isinstance(value, list):
        return [_from_pairs(item, (*path, str(index)), found) for index, item in enumerate(value)]
    return value


def _find_duplicates(node: Node, path: tuple[str, ...], constructor: SafeConstructor,
                     out: list[tuple[DuplicateKey, yaml.Mark]]) -> None:
    """Every duplicate key below ``node``, in document order (the rare path: a duplicate was seen)."""
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _find_duplicates(item, (*path, str(index)), constructor, out)
        return
    if not isinstance(node, MappingNode):
        return
    seen: dict[object, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        label = key_node.value if isinstance(key_node, ScalarNode) else "?"
        line = key_node.start_mark.line + 1
        try:
            key = constructor.construct_object(key_node, deep=True)
            if key in seen:
                out.append((DuplicateKey(path, str(label), line, seen[key]), key_node.start_mark))
            else:
                seen[key] = line
        except TypeError:
            pass  # an unhashable key: PyYAML has refused it already
        _find_duplicates(value_node, (*path, str(label)), constructor, out)


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
