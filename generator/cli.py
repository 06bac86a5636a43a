"""Command line: parse, call the library, report. Exit codes::

    0  every race written (or unchanged)
    1  some races held back (each named on stderr with the reason)
    2  usage or configuration error
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from . import __version__
from .config import data_path, load_config
from .errors import ConfigError, DataError, NewsgenError
from .pipeline import Report, generate
from .sources.files import read_file


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsgen")
def main() -> None:
    """Write Indonesian election-result articles from official KPU data.

    \b
    Example:
      newsgen generate                      # the embedded example, into articles/
    """


@main.command("generate")
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path),
              help="Snapshot file(s) in newsgen's YAML/JSON format (repeatable). "
                   "Default: the embedded example data.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("articles"),
              show_default=True, help="Folder the Markdown articles are written to.")
@click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder with publication.yaml / regions.yaml / races.yaml overriding the defaults.")
@click.option("--now", "now_text", metavar="ISO8601",
              help="Pin the article date (default: SOURCE_DATE_EPOCH, else the data's own time).")
def generate_command(inputs: tuple[Path, ...], out: Path, config_dir: Path | None, now_text: str | None) -> None:
    """Render articles from election data.

    \b
    Examples:
      newsgen generate
      newsgen generate --input quickcount.yaml --out site/content/pilkada --now 2024-11-28T11:00:00+08:00
    """
    try:
        now = _parse_now(now_text)
        config = load_config(config_dir)
        files = list(inputs) or sorted(data_path("examples", "data").glob("*.yaml"))
        items: list = []
        for path in files:
            if not path.exists():
                raise ConfigError(f"--input {path}: no such file")
            try:
                items.extend(read_file(path))
            except DataError as exc:
                items.append(exc)
        report = generate(items, config, out, now=now)
    except ConfigError as exc:
        click.echo(f"newsgen: error: {exc}", err=True)
        sys.exit(2)
    except NewsgenError as exc:
        click.echo(f"newsgen: error: {exc}", err=True)
        sys.exit(1)
    _print_report(report, out)
    sys.exit(report.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
