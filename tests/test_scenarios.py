"""Every editorial scenario as a committed article (one .md snapshot each)."""

from __future__ import annotations

import pytest

from generator.config import load_config
from generator.pipeline import generate
from generator.sources.files import read_file

from .conftest import REPO

SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.yaml"))
NOW = None  # the data's own time: deterministic


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_article(tmp_path, md_snapshot, path):
    report = generate(read_file(path), load_config(), tmp_path)
    assert report.exit_code == 0, report.held_back
    (article,) = sorted(tmp_path.glob("*/index.md"))
    text = article.read_text(encoding="utf-8")
    assert text == md_snapshot
    # Rules no scenario may break.
    assert "pasangan kolom kosong" not in text.lower()
    assert "100,00%" not in text or "seluruh" in text
    body = text.split("\n---\n", 1)[1]
    if "stage: official_recap" in text:
        assert "belum final" not in body
    else:
        assert "belum final" in body


def test_every_headline_situation_has_a_scenario():
    """Each headline.<stage>.<situation> of phrases.yaml is written by at least one scenario."""
    from generator.decide import as_run
    from generator.phrases import Phrases
    from generator.story import build_story

    config, phrases = load_config(), Phrases.load()
    keys = {key for key in phrases.variants if key.startswith("headline.") and not key.endswith("unnamed")}
    seen = set()
    for path in SCENARIOS:
        snap = as_run(read_file(path)[-1], config)
        story = build_story(snap, config, phrases)
        seen.add(f"headline.{story.stage}.{story.situation}")
    assert sorted(keys - seen) == []
