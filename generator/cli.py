"""Command line: parse, call the library, report. Exit codes::

    0  every race written (or unchanged)
    1  some races held back (each named on stderr with the reason)
    2  usage or configuration error
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import click

from . import __version__
from .config import data_path, load_config
from .helpers import read_and_generate
from .errors import ConfigError, DataError, NewsgenError
from .pipeline import Report, generate
from .sources.files import read_file
from .sources.sirekap import DEFAULT_BASE_URL

SOURCES = ("file", "sirekap", "archive")
#: Up to this many --race (and no --province), helper processes are not worth starting.
FEW_RACES = 4


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
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except ValueError:
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    return None


def _print_report(report: Report, out: Path) -> None:
    for race, path in report.written:
        click.echo(f"wrote {path} ({race})", err=True)
    for race, path in report.unchanged:
        click.echo(f"unchanged {path} ({race})", err=True)
    for race in report.no_data:
        click.echo(f"no data yet {race}: no TPS reported, no article written", err=True)
    for race, message in report.held_back:
        click.echo(f"held back {race}: {message}", err=True)
    click.echo(f"newsgen: {report.summary()} in {out}", err=True)


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


def _selection_options(command: Callable) -> Callable:
    command = click.option("--province", "provinces", multiple=True, metavar="PP",
                           help="Every race of a province: its governor race and each regent/mayor race "
                                "(2-digit code, repeatable), e.g. 64.")(command)
    command = click.option("--race", "races", multiple=True, metavar="RACE",
                           help="A race: pkwkp/PP (governor) or pkwkk/PPKK (regent/mayor), repeatable, "
                                "e.g. pkwkp/64. Default: every race.")(command)
    return command


def _fetch_options(command: Callable) -> Callable:
    for decorator in reversed([
        click.option("--base-url", metavar="URL",
                     help=f"Sirekap object store to fetch from (default {DEFAULT_BASE_URL})."),
        click.option("--concurrency", type=click.IntRange(min=1, max=64), metavar="N",
                     help="Requests in flight at once (default 8)."),
        click.option("--max-attempts", type=click.IntRange(min=1, max=20), metavar="N",
                     help="Tries per file before it is given up, the first included (default 5)."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                     help="Deadline of one try, body included (default 30)."),
        click.option("--backoff", type=click.FloatRange(min=0), metavar="SECONDS",
                     help="Wait before the first retry, doubled for each next one, with jitter (default 0.5). "
                          "A server's Retry-After is honoured (up to 120 s)."),
    ]):
        command = decorator(command)
    return command


def _settings(concurrency: int | None, max_attempts: int | None, timeout: float | None,
              backoff: float | None) -> Any:
    from .fetch import FetchSettings

    given = {"concurrency": concurrency, "max_attempts": max_attempts, "timeout": timeout, "backoff_base": backoff}
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


def _fail(exc: NewsgenError) -> None:
    click.echo(f"newsgen: error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, ConfigError) else 1)


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
      newsgen phrases
    """


@main.command("generate")
@click.option("--source", type=click.Choice(SOURCES),
              help="Where the figures come from (default: archive with --archive, sirekap with --base-url, "
                   "--race or --province, else editor files).")
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path),
              help="Snapshot file(s) in newsgen's YAML/JSON format (repeatable). "
                   "Default: the embedded example data.")
@click.option("--archive", type=click.Path(path_type=Path), metavar="DIR",
              help="Replay a folder recorded by `newsgen fetch` (no network).")
@_selection_options
@_fetch_options
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Keep fetched files here so the next run asks 'changed since?' "
                   "(default: $XDG_CACHE_HOME/newsgen/http/<host>).")
@click.option("--no-cache", is_flag=True, help="Fetch every file whole; keep nothing.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("articles"),
              show_default=True, help="Folder the Markdown articles are written to.")
@click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder with publication.yaml / regions.yaml / races.yaml overriding the defaults.")
@click.option("--now", "now_text", metavar="ISO8601",
              help="Pin the article date (default: SOURCE_DATE_EPOCH, else the data's own time).")
@click.option("--strict", is_flag=True,
              help="Hold back races whose data looks suspicious instead of writing them with a flag.")
@click.option("--jobs", type=click.IntRange(min=0, max=16), metavar="N",
              help="Helper processes that draft articles while Sirekap or an archive is still being read "
                   "(default: one per CPU, at most 4; none on one CPU or for a few races; 0: none).")
def generate_command(source: str | None, inputs: tuple[Path, ...], archive: Path | None, races: tuple[str, ...],
                     provinces: tuple[str, ...], base_url: str | None, concurrency: int | None,
                     max_attempts: int | None, timeout: float | None, backoff: float | None,
                     cache_dir: Path | None, no_cache: bool, out: Path, config_dir: Path | None,
                     now_text: str | None, strict: bool, jobs: int | None) -> None:
    """Render articles from election data.

    \b
    Examples:
      newsgen generate
      newsgen generate --input quickcount.yaml --out site/content/pilkada --now 2024-11-28T11:00:00+08:00
      newsgen generate --source sirekap --race pkwkp/64 --race pkwkk/6472 --out site/content/pilkada
      newsgen generate --archive night/2315 --out site/content/pilkada
    """
    source = _choose_source(source, inputs, archive, base_url, races, provinces)
    try:
        now = _parse_now(now_text)
        config = load_config(config_dir)
        load = _loader(source, inputs, archive, races, provinces, base_url,
                       _settings(concurrency, max_attempts, timeout, backoff),
                       None if no_cache else cache_dir or default_cache_dir(base_url or DEFAULT_BASE_URL))
        if source == "file":
            items, fetch_note = load()
            report = generate(items, config, out, now=now, strict=strict)
        else:
            notes: list[str | None] = []

            def read(on_files: Callable | None) -> list:
                items, note = load(on_files=on_files)
                notes.append(note)
                return items

            few = 0 < len(races) <= FEW_RACES and not provinces
            processes = jobs if jobs is not None else (0 if few else None)
            report = read_and_generate(read, config, out, now=now, strict=strict, processes=processes)
            fetch_note = notes[0] if notes else None
    except NewsgenError as exc:
        _fail(exc)
    if fetch_note:
        click.echo(fetch_note, err=True)
    _print_report(report, out)
    sys.exit(report.exit_code)


def _loader(source: str, inputs: tuple[Path, ...], archive: Path | None, races: tuple[str, ...],
            provinces: tuple[str, ...], base_url: str | None, settings: Any,
            cache: Path | None) -> Callable[..., tuple[list, str | None]]:
    """A function that reads the chosen source once: (items, note about the fetch).

    It takes ``on_item``, called with each race as soon as it is read, or
    ``on_files``, to build the snapshots elsewhere (see :func:`live.collect`).
    """
    if source == "file":
        return lambda on_item=None, on_files=None: (_read_inputs(inputs), None)
    from .sources import live  # only the Sirekap paths need the HTTP stack

    selection = live.Selection.parse(races, provinces)

    def load(on_item: Callable | None = None, on_files: Callable | None = None) -> tuple[list, str | None]:
        bar = _ProgressBar("Fetching races" if source == "sirekap" else "Reading races")
        try:
            if source == "sirekap":
                url = base_url or DEFAULT_BASE_URL
                run = live.fetch_live(url, selection, settings=settings, cache=cache, progress=bar, on_item=on_item,
                                      on_files=on_files)
                return run.items, _fetch_note("fetched", run.stats, url)
            run = live.replay_archive(archive, selection, progress=bar,  # type: ignore[arg-type]
                                      on_item=on_item, on_files=on_files)
            return run.items, None
        finally:
            bar.close()

    return load


def _read_inputs(inputs: tuple[Path, ...]) -> list:
    files = list(inputs) or sorted(data_path("examples", "data").glob("*.yaml"))
    items: list = []
    for path in files:
        if not path.exists():
            raise ConfigError(f"--input {path}: no such file")
        try:
            items.extend(read_file(path))
        except DataError as exc:
            items.append(exc)
    return items


def _fetch_note(verb: str, stats: Any, url: str) -> str:
    ok = sum(n for status, n in stats.items() if 200 <= status < 300)
    line = f"newsgen: {verb} {ok + stats.get(304, 0)} files from {url} ({stats.get(304, 0)} not modified"
    retried = sum(n for status, n in stats.items() if status == 0 or status == 429 or status >= 500)
    return line + (f", {retried} failed tries)" if retried else ")")


@main.command("fetch")
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path), metavar="DIR", required=True,
              help="Folder to record into (created if needed); what it already holds is only re-sent if changed.")
@_selection_options
@_fetch_options
def fetch_command(archive: Path, races: tuple[str, ...], provinces: tuple[str, ...], base_url: str | None,
                  concurrency: int | None, max_attempts: int | None, timeout: float | None,
                  backoff: float | None) -> None:
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
    from .sources import live  # only the Sirekap paths need the HTTP stack

    url = base_url or DEFAULT_BASE_URL
    bar = _ProgressBar("Fetching races")
    try:
        selection = live.Selection.parse(races, provinces)
        try:
            run = live.record_archive(archive, url, selection,
                                      settings=_settings(concurrency, max_attempts, timeout, backoff), progress=bar)
        finally:
            bar.close()
    except NewsgenError as exc:
        _fail(exc)
    for error in run.held_back:
        click.echo(f"held back {error.race}: {error}", err=True)
    fetched = len(run.races) - len(run.held_back)
    click.echo(
        f"{_fetch_note('recorded', run.stats, url)} into {archive}: "
        f"{fetched} races complete, {len(run.held_back)} held back",
        err=True,
    )
    sys.exit(1 if run.held_back else 0)


@main.command("watch")
@click.option("--source", type=click.Choice(SOURCES), help="As for generate.")
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path),
              help="Snapshot file(s) to re-read every cycle (repeatable).")
@click.option("--archive", type=click.Path(path_type=Path), metavar="DIR", help="Replay a recorded folder.")
@_selection_options
@_fetch_options
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where fetched files are kept between cycles (conditional requests).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("articles"), show_default=True)
@click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Hold back races whose data looks suspicious.")
@click.option("--interval", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds between the starts of two polls (KPU refreshes about every 15 minutes).")
@click.option("--cycles", type=click.IntRange(min=1), help="Stop after this many polls (default: until Ctrl-C).")
def watch_command(source: str | None, inputs: tuple[Path, ...], archive: Path | None, races: tuple[str, ...],
                  provinces: tuple[str, ...], base_url: str | None, concurrency: int | None,
                  max_attempts: int | None, timeout: float | None, backoff: float | None,
                  cache_dir: Path | None, out: Path, config_dir: Path | None, strict: bool,
                  interval: float, cycles: int | None) -> None:
    """Poll the source and keep the articles current.

    Each cycle fetches with conditional requests, regenerates only the races
    whose data changed and logs one line. A failed cycle (network down, KPU
    answering errors) is logged and the next one tries again; Ctrl-C stops
    cleanly after the cycle in progress is abandoned, leaving every file whole.

    
    Examples:
      newsgen watch --province 64 --out site/content/pilkada-2024
      newsgen watch --source sirekap --interval 120 --out site/content/pilkada-2024
    """
    from .phrases import Phrases
    from .render import Renderer
    from .watch import Poll, watch

    source = _choose_source(source, inputs, archive, base_url, races, provinces)
    try:
        config = load_config(config_dir)
        renderer, phrases = Renderer(config), Phrases.load()
        load = _loader(source, inputs, archive, races, provinces, base_url,
                       _settings(concurrency, max_attempts, timeout, backoff),
                       cache_dir or default_cache_dir(base_url or DEFAULT_BASE_URL))
    except NewsgenError as exc:
        _fail(exc)

    def run(items: list) -> Report:
        return generate(items, config, out, renderer=renderer, phrases=phrases, strict=strict, memo=memo)

    memo: dict = {}
    cycle = Poll(lambda on_item: load(on_item)[0], run)

    def log(line: str) -> None:
        click.echo(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S%z} newsgen watch: {line}", err=True)

    try:
        watch(cycle, interval=interval, log=log, max_cycles=cycles)
    except KeyboardInterrupt:
        log("stopped (Ctrl-C); every file is whole")
    sys.exit(0)


@main.command("phrases")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path),
              help="A templates folder with its own phrases.yaml (default: newsgen's templates/id).")
def phrases_command(templates: Path | None) -> None:
    """List every variant of every phrase, for editorial review.

    Each race uses one variant per phrase, chosen by its race code, so sibling
    stories read differently while a rerun gives the same text.

    \b
    Example:
      newsgen phrases > phrases.txt
    """
    from .phrases import Phrases

    try:
        click.echo(Phrases.load(templates).listing(), nl=False)
    except NewsgenError as exc:
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
