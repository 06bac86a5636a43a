"""End to end through the command line, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import main

from .conftest import EXAMPLE_DATA, NOW, state_of

KALTIM = "pilgub-kaltim-2024/index.md"
KALTENG = "pilgub-kalteng-2024/index.md"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def snapshot_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generate_defaults_to_the_example_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("generate")
    assert result.exit_code == 0, result.output
    files = sorted(snapshot_of(tmp_path / "articles"))
    assert files == [  # only what readers may see: bookkeeping lives in the state folder
        "pilgub-kaltara-2024/chart.svg", "pilgub-kaltara-2024/index.md",
        "pilgub-kalteng-2024/chart.svg", KALTENG, "pilgub-kaltim-2024/chart.svg", KALTIM,
    ]
    assert sorted(snapshot_of(state_of(tmp_path / "articles"))) == ["lock", "manifest.json", "review.html",
                                                                    "review.md"]
    assert f"review page: {state_of(tmp_path / 'articles') / 'review.html'}" in result.output
    assert "newsgen: 3 written, 0 unchanged, 0 held back, 0 without data yet in articles" in result.output
    text = (tmp_path / "articles" / KALTIM).read_text(encoding="utf-8")
    for needle in ["962.804", "55,66%", "766.850", "44,34%", "6.048", "96,39%", "H. Rudy Mas'ud, S.E., M.E.",
                   "Dr. Ir. H. Isran Noor, M.Si.", "Gubernur Kalimantan Timur periode 2018-2023", "belum final"]:
        assert needle in text, needle
    assert "Baca Juga" not in text  # no sibling is published yet: no link a reader could not open


def test_same_run_twice_is_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run("generate", "--out", str(first)).exit_code == 0
    assert run("generate", "--out", str(second)).exit_code == 0
    assert snapshot_of(first) == snapshot_of(second)


def test_now_pins_the_date(tmp_path):
    assert run("generate", "--out", str(tmp_path), "--now", NOW).exit_code == 0
    text = (tmp_path / KALTIM).read_text(encoding="utf-8")
    assert "date: '2024-11-28T11:00:00+08:00'" in text
    kalteng = (tmp_path / KALTENG).read_text(encoding="utf-8")
    assert "date: '2024-11-28T10:00:00+07:00'" in kalteng  # the region's own zone


def test_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1732762800")  # 2024-11-28T03:00:00Z
    assert run("generate", "--out", str(tmp_path)).exit_code == 0
    assert "date: '2024-11-28T11:00:00+08:00'" in (tmp_path / KALTIM).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("votes: 962804", "votes: -962804", "race pkwkp/64: field tickets.1.votes"),
        ("    tps:\n      reported: 6048", "    tps:\n      reported: 7000", "race pkwkp/64: field tps: TPS reported (7000) exceeds TPS total (6274)"),
        ("    stage: real_count\n    timestamp: '2024-11-28T10:15:04+07:00'\n    source_url: https://sirekappilkada-obj-data.kpu.go.id/pilkada/hhcw/pkwkp/64.json",
         "    stage: real_count\n    timestamp: '2024-11-28T10:15:04+07:00'\n    sorce_url: x", "race pkwkp/64: field source_url"),
        ("          1: 56043", "          3: 56043", "race pkwkp/64: field sub_regions.0.votes"),
    ],
)
def test_bad_race_is_held_back_and_its_file_kept(tmp_path, old, new, needle):
    out = tmp_path / "out"
    assert run("generate", "--out", str(out)).exit_code == 0
    before = snapshot_of(out)
    text = EXAMPLE_DATA.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    (out / KALTENG).unlink()  # proves the other races are still written
    mtime = (out / KALTIM).stat().st_mtime_ns
    result = run("generate", "--input", str(bad), "--out", str(out))
    assert result.exit_code == 1
    assert f"held back pkwkp/64: {bad}: {needle}" in result.output
    after = snapshot_of(out)
    assert after[KALTIM] == before[KALTIM] and (out / KALTIM).stat().st_mtime_ns == mtime
    assert after["pilgub-kaltim-2024/chart.svg"] == before["pilgub-kaltim-2024/chart.svg"]
    assert sorted(after) == sorted(before)
    assert "1 ditahan" in (state_of(out) / "review.md").read_text(encoding="utf-8")
    assert b"pilgub-kaltim-2024" not in after[KALTENG]  # Kaltim is a draft: nobody links it


def test_malformed_yaml_exits_1_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: newsgen/1\nraces: [\n", encoding="utf-8")
    result = run("generate", "--input", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{bad}:3: malformed YAML" in result.output
    # No article; the bookkeeping, outside the output folder, names the held-back file.
    assert not (tmp_path / "out").exists() or snapshot_of(tmp_path / "out") == {}
    manifest = json.loads((state_of(tmp_path / "out") / "manifest.json").read_text(encoding="utf-8"))
    assert str(bad) in manifest["articles"][0]["race"]


def test_usage_errors_exit_2(tmp_path):
    assert run("generate", "--now", "yesterday").exit_code == 2
    assert run("generate", "--now", "2024-11-28T11:00:00").exit_code == 2
    result = run("generate", "--input", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "no such file" in result.output
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "publication.yaml").write_text("outlet: X\ndatelin: Y\nthresholds: {narrow_margin: dua}\n",
                                                       encoding="utf-8")
    result = run("generate", "--config", str(tmp_path / "cfg"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "publication.yaml: datelin: unknown key" in result.output
    assert "publication.yaml: thresholds.narrow_margin: Input should be a valid decimal" in result.output  # all at once


def test_version_and_help():
    assert run("--version").output.strip() == f"newsgen, version {__version__}"
    help_text = run("generate", "--help").output
    assert "newsgen generate --input" in help_text
    assert "Example" in run("--help").output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_and_option_has_help(command):
    """Each command shows an example, and every option of it says what it does."""
    cmd = main.commands[command]
    text = run(command, "--help").output
    assert f"newsgen {command}" in text and "Example" in text
    undocumented = [p.opts[0] for p in cmd.params if isinstance(p, click.Option) and not p.help]
    assert undocumented == []


def test_help_imports_nothing_heavy():
    """`newsgen --help` loads click, not the HTTP stack, pydantic, Jinja or babel."""
    code = ("import sys; from generator.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('httpx', 'aiohttp', 'pydantic', 'jinja2', 'babel', 'yaml') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stdout


def test_console_script_runs_as_a_module(tmp_path):
    result = subprocess.run([sys.executable, "-m", "generator.cli", "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and __version__ in result.stdout


def test_phrases_lists_every_variant():
    result = run("phrases")
    assert result.exit_code == 0
    assert "headline.real_count.clear\n  1. {leader} Unggul Sementara di {race}\n" in result.output
    assert "lede.real_count.lead\n" in result.output
    # Stock sentences of publication.yaml, with their variants.
    assert "stock.attribution.real_count\n  1. Data tersebut bersumber" in result.output
    assert "stock.disclosure.real_count\n  1. " in result.output and "\n  5. " in result.output


def test_race_without_data_gets_no_article(tmp_path):
    text = EXAMPLE_DATA.read_text(encoding="utf-8").replace("reported: 6048", "reported: 0", 1)
    for votes in ("votes: 766850", "votes: 962804"):
        text = text.replace(votes, "votes: 0", 1)
    text = text.split("    sub_region_level: kabupaten/kota", 1)[0] + "  - race: pkwkp/62" + text.split("  - race: pkwkp/62", 1)[1]
    path = tmp_path / "zero.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("generate", "--input", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "no data yet pkwkp/64: no TPS reported, no article written" in result.output
    assert not (tmp_path / "out" / KALTIM).exists()
    assert "1 without data yet" in result.output
