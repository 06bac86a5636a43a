"""Idempotent delivery: unchanged data touches nothing; a change touches only its race."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from generator.config import TicketOverride, load_config
from generator.pipeline import generate
from generator.sources.files import read_file
from generator.writer import split_front_matter

from .conftest import EXAMPLE_DATA, state_of


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def changed_kaltim(tmp_path: Path) -> Path:
    """The example data with newer Kaltim figures (three more TPS in from Paser)."""
    text = EXAMPLE_DATA.read_text(encoding="utf-8")
    text = text.replace("timestamp: '2024-11-28T10:15:04+07:00'", "timestamp: '2024-11-28T10:30:04+07:00'", 1)
    text = text.replace("reported: 6048", "reported: 6051", 1).replace("votes: 962804", "votes: 964004", 1)
    text = text.replace("reported: 482", "reported: 485", 1).replace("2: 77350", "2: 78550", 1)
    path = tmp_path / "newer.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def first_run(tmp_path):
    out = tmp_path / "out"
    report = generate(read_file(EXAMPLE_DATA), load_config(), out)
    assert len(report.written) == 3
    return out


def test_rerun_with_unchanged_data_changes_no_file(first_run):
    before = state(first_run)
    report = generate(read_file(EXAMPLE_DATA), load_config(), first_run)
    assert (len(report.written), len(report.unchanged)) == (0, 3)
    assert state(first_run) == before  # content and mtime, bookkeeping included


def test_changed_race_changes_only_its_files(tmp_path, first_run):
    before = state(first_run)
    report = generate(read_file(changed_kaltim(tmp_path)), load_config(), first_run)
    assert [race for race, _ in report.written] == ["pkwkp/64"]
    after = state(first_run)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["pilgub-kaltim-2024/chart.svg", "pilgub-kaltim-2024/index.md"]
    meta, body = split_front_matter((first_run / "pilgub-kaltim-2024/index.md").read_text(encoding="utf-8"))
    assert meta["date"] == "2024-11-28T11:15:04+08:00"  # first publication kept
    assert meta["lastmod"] == "2024-11-28T11:30:04+08:00"  # bumped
    assert body.startswith("\n*Diperbarui Kamis (28/11/2024) pukul 11.30 Wita: data kini berasal dari 6.051 TPS (96,44%), "
                           "sebelumnya 6.048 TPS (96,39%) pada Kamis (28/11/2024) pukul 11.15 Wita.")
    manifest = {e["race"]: e for e in json.loads((state_of(first_run) / "manifest.json").read_text())["articles"]}
    assert [manifest[r]["status"] for r in ("pkwkp/62", "pkwkp/64", "pkwkp/65")] == ["unchanged", "written", "unchanged"]
    # Running the newer data again keeps the update note and changes nothing.
    again = state(first_run)
    generate(read_file(changed_kaltim(tmp_path)), load_config(), first_run)
    assert state(first_run) == again


def test_manifest_lists_every_race_with_hash_and_status(tmp_path, first_run):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_DATA.read_text(encoding="utf-8").replace("votes: 766850", "votes: -1", 1), encoding="utf-8")
    generate(read_file(bad), load_config(), first_run)
    entries = {e["race"]: e for e in json.loads((state_of(first_run) / "manifest.json").read_text())["articles"]}
    kaltim = entries["pkwkp/64"]
    assert kaltim["status"] == "held_back" and "tickets.0.votes" in kaltim["reason"]
    assert kaltim["path"] == "pilgub-kaltim-2024/index.md"  # the earlier article, untouched
    assert len(entries["pkwkp/62"]["data_sha256"]) == 64


def test_slug_change_leaves_an_alias(tmp_path, first_run):
    config = load_config()
    regions = config.regions.model_copy(deep=True)
    regions.provinces["64"] = regions.provinces["64"].model_copy(update={"short": "Kalimantan Timur"})
    generate(read_file(EXAMPLE_DATA), replace(config, regions=regions), first_run)
    assert not (first_run / "pilgub-kaltim-2024").exists()
    meta, _ = split_front_matter((first_run / "pilgub-kalimantan-timur-2024/index.md").read_text(encoding="utf-8"))
    assert meta["aliases"] == ["/pilkada-2024/pilgub-kaltim-2024/"]
    assert meta["date"] == "2024-11-28T11:15:04+08:00"


@pytest.mark.parametrize(
    ("layout", "files"),
    [
        ("flat", ["pilgub-kaltim-2024.md", "pilgub-kaltim-2024.svg"]),
        # The chart is not date-named: Jekyll would read it as an article (examples/jekyll).
        ("dated", ["2024-11-28-pilgub-kaltim-2024.md", "pilgub-kaltim-2024/chart.svg"]),
    ],
)
def test_other_layouts(tmp_path, layout, files):
    config = load_config()
    output = config.publication.output.model_copy(update={"layout": layout, "chart_url": "/images/{file}"})
    config = replace(config, publication=config.publication.model_copy(update={"output": output}))
    out = tmp_path / layout
    generate(read_file(EXAMPLE_DATA), config, out)
    assert set(files) <= {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    text = (out / files[0]).read_text(encoding="utf-8")
    assert f"](/images/{files[1].rsplit('/', 1)[-1]})" in text
    meta, _ = split_front_matter(text)
    assert meta["draft"] is True and meta.get("published", False) is False
    assert ("published" in meta) == (layout == "dated")  # Jekyll ignores `draft`
    # A later run finds the dated file again (stable per race), even on another day.
    report = generate(read_file(changed_kaltim(tmp_path)), config, out)
    assert [p.name for _, p in report.written] == [files[0]]


def test_editor_colour_replaces_kpu_colour(tmp_path):
    config = load_config()
    races = config.races.model_copy(deep=True)
    races.races["pkwkp/64"] = races.races["pkwkp/64"].model_copy(update={"tickets": {2: TicketOverride(colour="#123456")}})
    generate(read_file(EXAMPLE_DATA), replace(config, races=races), tmp_path)
    assert 'fill="#123456"' in (tmp_path / "pilgub-kaltim-2024/chart.svg").read_text(encoding="utf-8")
