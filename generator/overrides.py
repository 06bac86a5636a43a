"""A user's templates folder (``--templates DIR``) over newsgen's own ``templates/id/``.

The folder may hold any part of the wording: a ``phrases.yaml`` with the keys it
changes (merged by key over newsgen's own file), or single templates
(``paragraphs/lede.md.j2``, ``review/labels.j2``): a template is looked up in
the folder first, then in newsgen's own. Everything a user's folder touches runs
in Jinja's sandbox.

A bad override stops the run before any race (exit 2), naming the file and what
to fix: a file newsgen would never read, a template that does not parse, or a
variable no template of its kind is given. A mistake only rendering can show
(``story.no_such_field``) names the file and line it happened in.
"""

from __future__ import annotations

import difflib
import hashlib
import traceback
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError, meta, nodes
from jinja2 import TemplateError as JinjaError

from .config import data_path
from .errors import ConfigError, TemplateError

#: Templates of the review page (given ``page``); every other template belongs to the article.
_REVIEW = ("review.md.j2", "review.html.j2", "review/")
#: Files of a templates folder that are not Jinja templates.
PHRASES = "phrases.yaml"


def shipped() -> Path:
    """newsgen's own templates folder (``templates/id``)."""
    return data_path("templates", "id")


def check_folder(folder: Path | None) -> Path | None:
    """``folder`` when it is a folder without stray YAML files (a usage error otherwise)."""
    if folder is None:
        return None
    if not folder.is_dir():
        raise ConfigError(f"templates folder {folder} does not exist; give a folder holding the files to override "
                          f"(phrases.yaml, article.md.j2, paragraphs/lede.md.j2, ...)")
    for stray in _strays(folder):
        raise ConfigError(f"{folder / stray}: newsgen reads no {stray!r} in a templates folder; phrases go in "
                          f"{PHRASES} at its top (settings: --config)")
    return folder


def search_path(folder: Path | None) -> list[str]:
    """Where templates are looked up, in order: the user's folder, then newsgen's own."""
    return [*([str(folder)] if folder is not None else []), str(shipped())]


def _files(folder: Path) -> list[Path]:
    """The files of a templates folder newsgen reads: its templates (``*.j2``) and ``phrases.yaml``
    (notes of the user's own, a README, are left alone)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(folder).parts)
        and (p.suffix == ".j2" or p.relative_to(folder).as_posix() == PHRASES))


def _strays(folder: Path) -> list[str]:
    """YAML files that look meant for newsgen but that it does not read (``phrase.yaml``)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.y*ml")
                  if p.is_file() and p.relative_to(folder).as_posix() != PHRASES)


def fingerprint(folder: Path | None) -> str:
    """Hash of every file a run's wording depends on: the user's folder, then newsgen's own."""
    digest = hashlib.sha256()
    for label, base in (("override", folder), ("shipped", shipped())):
        if base is None:
            continue
        for path in _files(base):
            digest.update(f"{label}/{path.relative_to(base).as_posix()}".encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def override_fingerprint(folder: Path | None) -> str:
    """Hash of the user's folder alone ("" without one): what an article's own fingerprint adds."""
    if folder is None:
        return ""
    digest = hashlib.sha256()
    for path in _files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# -- checks ------------------------------------------------------------------------------


def _is_review(name: str) -> bool:
    return name in _REVIEW[:2] or name.startswith(_REVIEW[2])


def _assigned(ast: nodes.Template) -> set[str]:
    """Names a template sets at its top level (``{% set leader = ... %}``, imports)."""
    names: set[str] = set()
    for node in ast.body:
        if isinstance(node, nodes.Assign | nodes.AssignBlock) and isinstance(node.target, nodes.Name):
            names.add(node.target.name)
        elif isinstance(node, nodes.Import):
            names.add(node.target)
    return names


def _parse(env: Environment, path: Path, name: str) -> nodes.Template:
    try:
        return env.parse(path.read_text(encoding="utf-8"), name, str(path))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{path}:{exc.lineno}: {exc.message}; fix the Jinja syntax there") from None
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None


def check_templates(folder: Path, env: Environment) -> None:
    """Every template of the user's ``folder`` parses, is one newsgen reads, and uses only
    variables a template of its kind is given; raises :class:`TemplateError` naming the file."""
    own = shipped()
    asts: dict[str, nodes.Template] = {}
    for base in (own, folder):  # the user's file replaces newsgen's of the same name
        for path in _files(base):
            name = path.relative_to(base).as_posix()
            if name != PHRASES:
                asts[name] = _parse(env, path, name)
    # What each kind is given: its top-level values and what newsgen's own templates of that kind
    # use or set (loop variables of an including template reach its includes too).
    main: dict[bool, set[str]] = {True: {"page"}, False: {"story", "stock", "say", "publication"}}
    given = {kind: set(names) for kind, names in main.items()}
    for path in _files(own):
        name = path.relative_to(own).as_posix()
        if name != PHRASES:
            own_ast = env.parse(path.read_text(encoding="utf-8"))
            given[_is_review(name)] |= meta.find_undeclared_variables(own_ast) | _assigned(own_ast)
    main[False] |= _assigned(asts["article.md.j2"])  # the user's own article.md.j2, when it has one
    given[False] |= main[False]
    used = {ref for ast in asts.values() for ref in meta.find_referenced_templates(ast) if ref}
    for path in _files(folder):
        name = path.relative_to(folder).as_posix()
        if name == PHRASES:
            continue
        if not (own / name).is_file() and name not in used:
            raise TemplateError(f"{path}: newsgen reads no template {name!r} (nor does any template include it); "
                                f"{_did_you_mean(name, (p.relative_to(own).as_posix() for p in _files(own)))}")
        unknown = sorted(meta.find_undeclared_variables(asts[name]) - given[_is_review(name)])
        if unknown:
            raise TemplateError(f"{path}: unknown variable {', '.join(unknown)}; check the spelling (a template "
                                f"of this kind is given {', '.join(sorted(main[_is_review(name)]))})")


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else "name it after one of newsgen's templates in templates/id/"


def where_failed(exc: BaseException) -> str:
    """``DIR/paragraphs/lede.md.j2:3`` for an error raised while rendering a template: the
    innermost template frame of the traceback (Jinja maps it to the template's own line)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return ""
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno}"


def jinja_problem(exc: JinjaError, what: str) -> TemplateError:
    """A :class:`TemplateError` for a failure while rendering ``what``, naming the template file and line."""
    where = where_failed(exc)
    return TemplateError(f"{what}: {exc}" + (f" (in {where}; fix that template)" if where else ""))

