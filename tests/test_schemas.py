"""The JSON Schemas newsgen publishes describe what it writes.

``generator/schemas/front-matter.schema.json`` (every article's front matter) and
``manifest.schema.json`` (the state folder's manifest) ship inside the package. Every
front matter of the example run and of every scenario (real count, quick count, recap,
updates with ``previous``), of a flagged race and of a moved article in the dated layout
(aliases, Jekyll's ``published`` and ``redirect_from``) is valid, and so is each of their
manifests; things newsgen never writes are refused, so the schemas can fail.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from generator.config import Config, load_config
from generator.pipeline import generate
from generator.sources.files import read_file
from generator.writer import split_front_matter

from .conftest import EXAMPLE_DATA, REPO

SCHEMAS = resources.files("generator") / "schemas"
SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.yaml"))
FLAGGED = REPO / "tests" / "corpus" / "above-voter-roll.yaml"  # written with review flags


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


FRONT = validator("front-matter.schema.json")
MANIFEST = validator("manifest.schema.json")


def as_json(value: Any) -> Any:
    """Front matter as JSON sees it: YAML timestamps become ISO 8601 strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def problems(check: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in check.iter_errors(data)]


def articles(out: Path) -> dict[str, dict[str, Any]]:
    """Every article's front matter under ``out`` (any layout), by path."""
    found = {}
    for path in sorted(out.rglob("*.md")):
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        found[path.relative_to(out).as_posix()] = as_json(front)
    return found


def manifest(state: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    return data


def with_layout(config: Config, layout: str) -> Config:
    output = config.publication.output.model_copy(update={"layout": layout})
    return replace(config, publication=config.publication.model_copy(update={"output": output}))


def run(data: Path, out: Path, state: Path, config: Config | None = None) -> dict[str, dict[str, Any]]:
    report = generate(read_file(data), config or load_config(), out, state=state)
    assert report.written or report.unchanged, report.summary()
    found = articles(out)
    assert found
    for path, front in found.items():
        assert problems(FRONT, front) == [], path
    assert problems(MANIFEST, manifest(state)) == []
    return found


def test_the_schemas_are_valid_and_ship_in_the_package():
    for name in ("front-matter.schema.json", "manifest.schema.json"):
        assert (SCHEMAS / name).is_file()  # inside the generator package: the wheel carries it
        Draft202012Validator.check_schema(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def test_example_run(tmp_path):
    found = run(EXAMPLE_DATA, tmp_path / "out", tmp_path / "state")
    assert len(found) == 3
    assert all(isinstance(f["draft"], bool) and f["params"]["chart"] == "chart.svg" for f in found.values())


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario(tmp_path, path):
    (front,) = run(path, tmp_path / "out", tmp_path / "state").values()
    for prefix, stage in (("quick-count", "quick_count"), ("real-count", "real_count"), ("recap", "official_recap")):
        if path.stem.startswith(prefix):
            assert front["params"]["stage"] == stage
    if path.stem.startswith("update"):
        assert "previous" in front["params"]  # an update carries the figures it compared with


def test_flagged_race(tmp_path):
    (front,) = run(FLAGGED, tmp_path / "out", tmp_path / "state").values()
    assert front["params"]["review_flags"]
    (entry,) = manifest(tmp_path / "state")["articles"]
    assert entry["flags"] == front["params"]["review_flags"]


def test_dated_layout_after_a_slug_change(tmp_path):
    """Jekyll's fields (published, redirect_from) and aliases, after the race's slug moved."""
    config = with_layout(load_config(), "dated")
    out, state = tmp_path / "out", tmp_path / "state"
    run(EXAMPLE_DATA, out, state, config)
    regions = config.regions.model_copy(deep=True)
    regions.provinces["64"] = regions.provinces["64"].model_copy(update={"short": "Kalimantan Timur"})
    found = run(EXAMPLE_DATA, out, state, replace(config, regions=regions))
    front = found["2024-11-28-pilgub-kalimantan-timur-2024.md"]
    assert front["published"] is False
    assert front["aliases"] == front["redirect_from"] == ["/pilkada-2024/pilgub-kaltim-2024/"]


def test_manifest_with_a_held_back_race_and_an_update_waiting(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    run(EXAMPLE_DATA, out, state)
    article = out / "pilgub-kaltim-2024" / "index.md"
    article.write_text(article.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    newer = tmp_path / "newer.yaml"  # Kaltim's data moves on (the update waits for the editor); Kalteng breaks
    newer.write_text(EXAMPLE_DATA.read_text(encoding="utf-8")
                     .replace("tps_reported: 6048", "tps_reported: 6100")
                     .replace("2024-11-28T10:15:04+07:00", "2024-11-28T10:45:04+07:00"), encoding="utf-8")
    generate(read_file(newer), load_config(), out, state=state)
    entries = {e["race"]: e for e in manifest(state)["articles"]}
    assert entries["pkwkp/64"].get("waiting") == "pending/pilgub-kaltim-2024/index.md", entries["pkwkp/64"]
    assert problems(MANIFEST, manifest(state)) == []
    held = manifest(state)
    held["articles"].append({"race": "pkwkp/62", "status": "held_back", "reason": "totals differ"})
    assert problems(MANIFEST, held) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda f: f.update(layout="post"), "(top)"),  # a field newsgen never writes
        (lambda f: f.update(date="28/11/2024"), "date"),
        (lambda f: f.update(draft="false"), "draft"),
        (lambda f: f["params"].update(results={"1": -5}), "params/results/1"),
        (lambda f: f["params"].update(stage="quick_count"), "params"),  # a quick count has shares, not votes
        (lambda f: f["params"].pop("data_sha256"), "params"),
        (lambda f: f["params"].update(previous={"tps_reported": 1}), "params/previous"),
    ],
)
def test_the_front_matter_schema_refuses(tmp_path, change, where):
    front = next(iter(run(EXAMPLE_DATA, tmp_path / "out", tmp_path / "state").values()))
    change(front)
    found = problems(FRONT, front)
    assert found and any(p.startswith(where + ":") for p in found), found


def test_the_manifest_schema_refuses(tmp_path):
    run(EXAMPLE_DATA, tmp_path / "out", tmp_path / "state")
    data = manifest(tmp_path / "state")
    data["articles"][0]["status"] = "published"
    data["files"]["../outside.md"] = "0" * 64
    found = problems(MANIFEST, data)
    assert any(p.startswith("articles/0/status") for p in found), found
    assert any("outside" in p for p in found), found
