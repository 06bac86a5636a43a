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
