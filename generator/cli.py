"""Command line: parse flags, call :func:`generator.runner.run`, report. Exit codes::

    0    every race written (or unchanged)
    1    some races held back (each named on stderr with the reason)
    2    usage, configuration or template error
    3    nothing changed (only with ``generate --exit-unchanged``)
    130  stopped by Ctrl-C (every file whole)
    143  stopped by SIGTERM (every file whole)

Nothing heavy is imported at module level, so ``newsgen --help`` is quick:
the library is imported by the command that needs it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO
from urllib.parse import urlsplit

import click

from . import __version__
from .errors import ConfigError, NewsgenError

if TYPE_CHECKING:
    from .config import Config
    from .fetch import FetchSettings
    from .render import Renderer
    from .runner import Report
    from .sources.read import Source

SOURCES = ("file", "sirekap", "archive")
#: Exit codes: 0 every race written or unchanged; 1 some held back; 2 usage,
#: configuration or template error; 130 stopped by Ctrl-C; 143 stopped by SIGTERM.
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_UNCHANGED = 130, 143, 3


def _parse_now(value: str | None) -> datetime | None:
    if value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not ISO 8601 (e.g. 2024-11-28T11:00:00+08:00)") from None
        if moment.tzinfo is None:
            raise click.BadParameter(f"{value!r} has no time zone; add one, e.g. +08:00")
        return moment
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    return None


def _print_report(report: Report, out: Path, *, quiet: bool = False, dry_run: bool = False) -> None:
    if not quiet:
        for race, path in report.written:
            click.echo(f"wrote {path} ({race})", err=True)
        for race, path in report.unchanged:
            click.echo(f"unchanged {path} ({race})", err=True)
        for race in report.no_data:
            click.echo(f"no data yet {race}: no TPS reported, no article written", err=True)
        for race, path in report.waiting:
            click.echo(f"waiting {path} ({race}): an editor changed the article; the update is in "
                       f"{report.state}/pending/", err=True)
        for line in report.planned:
            click.echo(f"would {line}", err=True)
    for problem in report.held_back:
        click.echo(f"held back {problem.race}: {problem}", err=True)
    if report.bookkeeping_error:
        click.echo(f"newsgen: the review page or manifest was not written: {report.bookkeeping_error}", err=True)
    dry = " (dry run: nothing written)" if dry_run else ""
    click.echo(f"newsgen: {report.summary()} in {out}{dry}", err=True)
    if report.state is not None and not quiet:
        click.echo(f"newsgen: review page: {report.state / 'review.html'}", err=True)


def report_json(report: Report, out: Path) -> dict[str, Any]:
    """The run as data (``newsgen generate --json``)."""
    return {
        "out": str(out), "state": str(report.state) if report.state else None,
        "changed": report.changed, "exit_code": report.exit_code,
        "written": [{"race": r, "path": str(p)} for r, p in report.written],
        "unchanged": [{"race": r, "path": str(p)} for r, p in report.unchanged],
        "waiting": [{"race": r, "path": str(p)} for r, p in report.waiting],
        "no_data": report.no_data,
        "held_back": [{"race": p.race, "where": p.where, "field": p.field, "reason": p.reason, "kind": p.kind}
                      for p in report.held_back],
        "planned": report.planned,
    }


# -- progress -------------------------------------------------------------------


def _progress_stream() -> TextIO:
    """Where the progress bar goes (a function so tests can hand in a terminal)."""
    return sys.stderr


class _ProgressBar:
    """A click progress bar on stderr for multi-race runs; nothing when stderr is not a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else _progress_stream()
        self._bar: Any = None

    def start(self, total: int) -> None:
        isatty = getattr(self.stream, "isatty", None)
        if total > 1 and isatty is not None and isatty():
            self._bar = click.progressbar(length=total, label=self.label, file=self.stream,
                                          show_pos=True, show_eta=False, width=30)
            self._bar.__enter__()

    def advance(self, race: str) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


# -- shared options ---------------------------------------------------------------


def _selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--province", "provinces", multiple=True, metavar="PP",
                           help="Every race of a province: its governor race and each regent/mayor race "
                                "(2-digit code, repeatable), e.g. 64.")(command)
    command = click.option("--race", "races", multiple=True, metavar="RACE",
                           help="A race: pkwkp/PP (governor) or pkwkk/PPKK (regent/mayor), repeatable, "
                                "e.g. pkwkp/64. Default: every race.")(command)
    return command


def _fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed([
        click.option("--base-url", metavar="URL",
                     help="Sirekap object store to fetch from (default: KPU's, https://sirekappilkada-obj-data.kpu.go.id)."),
        click.option("--concurrency", type=click.IntRange(min=1, max=64), metavar="N",
                     help="Requests in flight at once (default 8)."),
        click.option("--max-attempts", type=click.IntRange(min=1, max=20), metavar="N",
                     help="Tries per file before it is given up, the first included (default 5)."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                     help="Deadline of one try, body included (default 30)."),
        click.option("--backoff", type=click.FloatRange(min=0), metavar="SECONDS",
                     help="Wait before the first retry, doubled for each next one, with jitter (default 0.5). "
                          "A server's Retry-After is honoured (up to 120 s)."),
        click.option("--http-transport", type=click.Choice(["aiohttp", "httpx"]),
                     help="HTTP stack under the httpx client: aiohttp (default, fast) or httpx's own."),
    ]):
        command = decorator(command)
    return command


def _settings(concurrency: int | None, max_attempts: int | None, timeout: float | None,
              backoff: float | None, transport: str | None) -> FetchSettings:
    from .fetch import FetchSettings

    given: dict[str, Any] = {"concurrency": concurrency, "max_attempts": max_attempts, "timeout": timeout,
                             "backoff_base": backoff, "transport": transport}
    return FetchSettings(**{k: v for k, v in given.items() if v is not None})


def default_cache_dir(base_url: str) -> Path:
    """``$XDG_CACHE_HOME/newsgen/http/<host>`` (``~/.cache`` without XDG_CACHE_HOME)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(base_url).netloc or "local")
    return Path(root) / "newsgen" / "http" / host


def _choose_source(source: str | None, inputs: tuple[Path, ...], archive: Path | None, base_url: str | None,
                   races: tuple[str, ...], provinces: tuple[str, ...]) -> str:
    """Which source the options ask for; contradictions are usage errors (exit 2)."""
    if source is None:
        if archive is not None:
            source = "archive"
        elif base_url is not None or ((races or provinces) and not inputs):
            source = "sirekap"
        else:
            source = "file"
    problems = []
    if source == "file":
        if archive is not None or base_url is not None:
            problems.append("--archive and --base-url need --source archive or sirekap, not editor files")
        if races or provinces:
            problems.append("--race/--province choose races of --source sirekap or --archive; an --input file "
                            "renders every race it holds")
    elif source == "sirekap":
        if inputs:
            problems.append("--input is for editor files; leave it out with --source sirekap")
        if archive is not None:
            problems.append("--archive replays a recorded folder; to record one use `newsgen fetch --archive DIR`, "
                            "then `newsgen generate --archive DIR`")
    else:
        if archive is None:
            problems.append("--source archive needs --archive DIR")
        if inputs or base_url is not None:
            problems.append("--archive replays offline; leave out --input and --base-url")
    if problems:
        raise click.UsageError("; ".join(problems))
    return source


def _source(options: dict[str, Any]) -> Source:
    """The :class:`~generator.sources.read.Source` the options ask for."""
    from .sources.live import Selection
    from .sources.read import Source

    kind = _choose_source(options["source"], options["inputs"], options["archive"], options["base_url"],
                          options["races"], options["provinces"])
    settings = _settings(options["concurrency"], options["max_attempts"], options["timeout"], options["backoff"],
                         options["http_transport"])
    base_url = options["base_url"] or Source.base_url
    cache = None if options.get("no_cache") else options["cache_dir"] or default_cache_dir(base_url)
    return Source(kind=kind, inputs=options["inputs"], archive=options["archive"], base_url=base_url,  # type: ignore[arg-type]
                  selection=Selection.parse(options["races"], options["provinces"]), settings=settings, cache=cache)


def _fail(exc: NewsgenError) -> NoReturn:
    """One line on stderr; exit 2 for configuration and template errors, else 1."""
    from .errors import TemplateError

    click.echo(f"newsgen: error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, (ConfigError, TemplateError)) else 1)


def _interrupted(signal_name: str) -> NoReturn:
    click.echo(f"newsgen: stopped ({signal_name}); every file written is whole, the rest as before", err=True)
    sys.exit(EXIT_INTERRUPTED if signal_name == "Ctrl-C" else EXIT_TERMINATED)


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so the run unwinds like after Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def _stoppable(work: Callable[[], int]) -> NoReturn:
    """Run ``work``; Ctrl-C and SIGTERM end it with one line and exit 130 / 143, no traceback."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if threading.current_thread() is threading.main_thread() \
        else None
    try:
        code = work()
    except KeyboardInterrupt:
        _interrupted("Ctrl-C")
    except _Terminated:
        _interrupted("SIGTERM")
    except NewsgenError as exc:
        _fail(exc)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    sys.exit(code)


# -- commands ----------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsgen")
def main() -> None:
    """Write Indonesian election-result articles from official KPU data.

    \b
    Examples:
      newsgen generate                      # the embedded example, into articles/
      newsgen generate --source sirekap --race pkwkp/64 --out site/content/pilkada
      newsgen fetch --archive night/2315 --province 64
      newsgen watch --province 64 --out site/content/pilkada-2024
      newsgen generate --templates our-wording --config our-config
      newsgen phrases

    \b
    Exit codes: 0 every race written or unchanged; 1 some races held back
    (each named on stderr); 2 usage, configuration or template error;
    3 nothing changed (generate --exit-unchanged); 130 stopped by Ctrl-C;
    143 stopped by SIGTERM.
    """


_TEMPLATES_HELP = ("Folder with your own wording: a phrases.yaml holding only the phrases you change (merged by "
                   "key over newsgen's) and/or single templates (paragraphs/lede.md.j2, review/labels.j2...) "
                   "used instead of newsgen's; everything else comes from newsgen's templates/id. Runs sandboxed.")


def _templates_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--templates", "templates", type=click.Path(path_type=Path), metavar="DIR",
                        help=_TEMPLATES_HELP)(command)


def _source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by generate and watch: what to read and where to write."""
    decorators: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--source", type=click.Choice(SOURCES),
                     help="Where the figures come from (default: archive with --archive, sirekap with --base-url, "
                          "--race or --province, else editor files)."),
        click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path),
                     help="Snapshot file(s) in newsgen's YAML/JSON format (repeatable). "
                          "Default: the embedded example data."),
        click.option("--archive", type=click.Path(path_type=Path), metavar="DIR",
                     help="Replay a folder recorded by `newsgen fetch` (no network)."),
        _selection_options,
        _fetch_options,
        click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                     help="Keep fetched files here so the next run asks 'changed since?' "
                          "(default: $XDG_CACHE_HOME/newsgen/http/<host>)."),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("articles"),
                     show_default=True, help="Folder the Markdown articles are written to (only articles and charts)."),
        click.option("--state", "state_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                     help="Folder for newsgen's bookkeeping, outside --out: manifest, review page, updates waiting "
                          "for articles an editor changed (default: $XDG_STATE_HOME/newsgen/<out>-<hash>)."),
        click.option("--config", "config_dir", type=click.Path(path_type=Path), metavar="DIR",
                     help="Folder with your publication.yaml / regions.yaml / races.yaml (or one such file), each "
                          "holding only the settings you change: merged over newsgen's defaults (mappings key by "
                          "key, lists and values replaced)."),
        click.option("--strict", is_flag=True,
                     help="Hold back races whose data looks suspicious instead of writing them with a flag."),
        click.option("--stories", "stories", default="races", show_default=True, metavar="LIST",
                     help="Story types, comma-separated: races (one story per race, always written), local (the "
                          "governor race in each kab/kota with data), roundups (one page per province and one of "
                          "the governor races). Example: --stories races,local,roundups"),
        _templates_option,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _prepare(options: dict[str, Any]) -> tuple[Source, Config, Renderer]:
    """The source, the configuration and the renderer (templates and phrases) the options ask for;
    a bad config file or template stops here, before anything is read (exit 2)."""
    from .config import load_config
    from .render import Renderer
    from .runner import parse_stories

    options["stories"] = parse_stories(options["stories"])  # a ConfigError (exit 2) names an unknown type
    source = _source(options)
    config = load_config(options["config_dir"])
    return source, config, Renderer(config, options["templates"])


@main.command("generate")
@_source_options
@click.option("--no-cache", is_flag=True, help="Fetch every file whole; keep nothing.")
@click.option("--now", "now_text", metavar="ISO8601",
              help="Pin the article date (default: SOURCE_DATE_EPOCH, else the data's own time).")
@click.option("--jobs", type=click.IntRange(min=0, max=64), default=0, show_default=True, metavar="N",
              help="Render articles in N worker processes (0: in this process). Same bytes either way.")
@click.option("--dry-run", is_flag=True, help="Work out every race and list what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary of the run on stdout.")
@click.option("--quiet", is_flag=True, help="Print only held-back races, errors and the summary line.")
@click.option("--exit-unchanged", is_flag=True,
              help="Exit with 3 when the run changed nothing (for cron jobs and scripts).")
def generate_command(now_text: str | None, jobs: int, dry_run: bool, as_json: bool, quiet: bool,
                     exit_unchanged: bool, **options: Any) -> None:
    """Render articles from election data.

    \b
    Examples:
      newsgen generate
      newsgen generate --input quickcount.yaml --out site/content/pilkada --now 2024-11-28T11:00:00+08:00
      newsgen generate --source sirekap --race pkwkp/64 --race pkwkk/6472 --out site/content/pilkada
      newsgen generate --archive night/2315 --out site/content/pilkada
    """
    source, out = None, options["out"]

    def work() -> int:
        from .runner import run

        nonlocal source
        now = _parse_now(now_text)
        source, config, renderer = _prepare(options)
        bar = _ProgressBar("Fetching races" if source.kind == "sirekap" else "Reading races")
        try:
            report = run(source, config, out, now=now, strict=options["strict"], jobs=jobs, renderer=renderer,
                         progress=None if source.kind == "file" else bar, state=options["state_dir"],
                         dry_run=dry_run, stories=options["stories"])
        finally:
            bar.close()
        if report.fetch_note and not quiet:
            click.echo(report.fetch_note, err=True)
        _print_report(report, out, quiet=quiet, dry_run=dry_run)
        if as_json:
            click.echo(json.dumps(report_json(report, out), ensure_ascii=False, indent=2))
        if exit_unchanged and report.exit_code == 0 and not report.changed:
            return EXIT_UNCHANGED
        return report.exit_code

    _stoppable(work)


@main.command("fetch")
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), metavar="DIR", required=True,
              help="Folder to record into (created if needed); what it already holds is only re-sent if changed.")
@_selection_options
@_fetch_options
def fetch_command(archive: Path, races: tuple[str, ...], provinces: tuple[str, ...], base_url: str | None,
                  concurrency: int | None, max_attempts: int | None, timeout: float | None,
                  backoff: float | None, http_transport: str | None) -> None:
    """Record the selected races' KPU files, byte for byte, for replay.

    Files land under DIR in the object store's own layout
    (DIR/pilkada/hhcw/pkwkp/64.json ...) with DIR/manifest.json listing each
    URL, when it was fetched, its status, ETag/Last-Modified and sha256.
    Replay with `newsgen generate --archive DIR`.

    \b
    Examples:
      newsgen fetch --archive night/2315
      newsgen fetch --archive night/2315 --province 64 --race pkwkp/65
    """

    def work() -> int:
        from .sources import live
        from .sources.read import Source, fetch_note

        url = base_url or Source.base_url
        selection = live.Selection.parse(races, provinces)
        settings = _settings(concurrency, max_attempts, timeout, backoff, http_transport)
        bar = _ProgressBar("Fetching races")
        try:
            recorded = live.record_archive(archive, url, selection, settings=settings, progress=bar)
        finally:
            bar.close()
        for error in recorded.held_back:
            click.echo(f"held back {error.race}: {error}", err=True)
        complete = len(recorded.races) - len(recorded.held_back)
        click.echo(f"{fetch_note('recorded', recorded.stats, url)} into {archive}: "
                   f"{complete} races complete, {len(recorded.held_back)} held back", err=True)
        return 1 if recorded.held_back else 0

    _stoppable(work)


@main.command("watch")
@_source_options
@click.option("--interval", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds between the starts of two polls (KPU refreshes about every 15 minutes).")
@click.option("--cycles", type=click.IntRange(min=1), help="Stop after this many polls (default: until Ctrl-C).")
def watch_command(interval: float, cycles: int | None, **options: Any) -> None:
    """Poll the source and keep the articles current.

    Each cycle fetches with conditional requests (ETag / If-Modified-Since, from
    --cache), rewrites only the races whose data changed and logs one line; a
    race that fails is held back and logged, the others go on. A failed cycle
    (network down, KPU answering errors) is logged and the next one tries
    again; Ctrl-C or SIGTERM stops it, leaving every file whole.

    \b
    Examples:
      newsgen watch --province 64 --out site/content/pilkada-2024
      newsgen watch --source sirekap --interval 120 --out site/content/pilkada-2024
    """
    from .runner import run
    from .watch import watch

    def log(line: str) -> None:
        click.echo(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S%z} newsgen watch: {line}", err=True)

    def work() -> int:
        source, config, renderer = _prepare(options)
        out, strict = options["out"], options["strict"]
        try:
            watch(lambda: run(source, config, out, strict=strict, renderer=renderer,
                          state=options["state_dir"], stories=options["stories"]),
                  interval=interval, log=log, max_cycles=cycles)
        except KeyboardInterrupt:
            log("stopped (Ctrl-C); every file is whole")
            return EXIT_INTERRUPTED
        except _Terminated:
            log("stopped (SIGTERM); every file is whole")
            return EXIT_TERMINATED
        return 0

    _stoppable(work)


@main.command("flags")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("articles"),
              show_default=True, help="The output folder whose races' flags to list or clear.")
@click.option("--state", "state_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Its state folder, when not the default ($XDG_STATE_HOME/newsgen/<out>-<hash>).")
@click.option("--race", "races", multiple=True, metavar="RACE", help="Only this race (repeatable).")
@click.option("--clear", is_flag=True, help="Clear the flags: an editor has checked them.")
def flags_command(out: Path, state_dir: Path | None, races: tuple[str, ...], clear: bool) -> None:
    """List the review flags of the races, or clear them once an editor has checked them.

    Flags (suspicious figures, a count going backwards, a short form to check) stay on a
    race, in its front matter, the manifest and the review page, until cleared here; the
    next run writes the article without them.

    \b
    Examples:
      newsgen flags --out site/content/pilkada-2024
      newsgen flags --out site/content/pilkada-2024 --race pkwkp/64 --clear
    """

    def work() -> int:
        from .output import load_manifest
        from .pipeline import clear_flags
        from .state import default_state_dir
        from .writer import Writer

        if clear:
            cleared = clear_flags(out, races, state=state_dir)
            for race, flags in sorted(cleared.items()):
                click.echo(f"cleared {len(flags)} flag(s) of {race}", err=True)
            click.echo(f"newsgen: cleared the flags of {len(cleared)} race(s); the next run rewrites their articles",
                       err=True)
            return 0
        entries = load_manifest(Writer(state_dir or default_state_dir(out)))
        for race, entry in sorted(entries.items()):
            if (not races or race in races) and entry.get("flags"):
                for flag in entry["flags"]:
                    click.echo(f"{race}: {flag}")
        return 0

    _stoppable(work)


@main.command("phrases")
@_templates_option
@click.option("--config", "config_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Folder with your publication.yaml (or that file): its stock sentences, merged over "
                   "newsgen's, are listed.")
def phrases_command(templates: Path | None, config_dir: Path | None) -> None:
    """List every variant of every phrase and stock sentence, for editorial review.

    Phrases come from phrases.yaml, stock sentences (``stock.*``: attribution,
    caveat, disclosure) from config/publication.yaml.
    Each race uses one variant per phrase, chosen by its race code, so sibling
    stories read differently while a rerun gives the same text. With --templates,
    the phrases of your folder's phrases.yaml replace newsgen's and are marked
    with the file they come from.

    \b
    Examples:
      newsgen phrases > phrases.txt
      newsgen phrases --templates our-wording
    """

    def work() -> int:
        from .config import load_config, stock_texts
        from .overrides import check_folder
        from .phrases import Phrases

        click.echo(Phrases.load(check_folder(templates)).listing(), nl=False)
        stock = {f"stock.{name}": texts for name, texts in stock_texts(load_config(config_dir).publication).items()}
        click.echo(Phrases(stock, "publication.yaml").listing(), nl=False)
        return 0

    _stoppable(work)


if __name__ == "__main__":  # pragma: no cover
    main()
