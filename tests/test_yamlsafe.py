"""The front matter dumper writes what PyYAML writes, and it reads back the same."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import yamlsafe
from generator.yamlsafe import dump, dump_block, safe_load

FRONT_MATTER = {
    "title": "Rudy Mas'ud-Seno Aji Memimpin Perolehan Suara Pilgub Kaltim 2024",
    "slug": "pilgub-kaltim-2024",
    "date": "2024-11-28T11:15:04+08:00",
    "draft": True,
    "summary": "Hasil sementara Pilgub Kaltim 2024: Rudy Mas'ud-Seno Aji meraih 55,66% suara (6.048 dari 6.274 TPS).",
    "tags": ["Pilkada 2024", "Pilgub Kaltim", "Kalimantan Timur"],
    "aliases": ["/pilkada-2024/pilgub-kalimantan-timur-2024/"],
    "params": {
        "race": "pkwkp/64",
        "tps_reported": 6048,
        "results": {"1": 962804, "2": 766944},
        "source_url": "https://sirekappilkada-obj-data.kpu.go.id/pilkada/hhcw/pkwkp/64.json",
        "data_sha256": "0123456789012345678901234567890123456789012345678901234567890123",
        "previous": {"data_timestamp": "2024-11-28T09:00:00+07:00", "results": {"1": 1, "2": 2}},
        "review_flags": ["votes_above_roll"],
        "chart": None,
        "newsgen_version": "0.1.0",
    },
}

# Strings that look like something else to YAML, or need quoting or escapes.
TRICKY = ["", " ", "yes", "No", "on", "~", "null", "1", "0x1F", "1_000", "1e3", ".5", "12:30", "2024-11-28",
          "a: b", "a:b", "a #b", "a#b", "- a", "-a", "'a", "a'", '"a"', "a ", " a", "a\nb", "a\tb", "é", "✓",
          "--- a", "... a", "@a", "%a", "a%", "a&b", "&a", "*a", "!a", "|a", ">a", "[a]", "{a}", "a,b", "?a",
          "\x07", "\u2028", "\ufeff", "Dr. H. Zainal A Paliwang, S.H., M.Hum.", "x" * 600, "a " * 500]

keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(TRICKY)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40) | st.sampled_from(TRICKY)
scalars = st.none() | st.booleans() | st.integers() | texts
values = scalars | st.lists(scalars, max_size=3) | st.dictionaries(keys, scalars, max_size=3)
documents = st.dictionaries(keys, values, max_size=6)


def test_front_matter_is_what_pyyaml_writes():
    assert dump_block(FRONT_MATTER) == dump(FRONT_MATTER)
    assert safe_load(dump_block(FRONT_MATTER)) == FRONT_MATTER


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_are_written_as_pyyaml_writes_them(text):
    data = {"title": text, text[:50] or "k": [text], "params": {"x": text}}
    assert dump_block(data) == dump(data)
    assert safe_load(dump_block(data)) == data


@settings(max_examples=300, deadline=None)
@given(documents)
@example({"a": [], "b": {}})
@example({"k" * 200: 1})
@example({"": 1, "\x85": None})
def test_any_document_is_written_as_pyyaml_writes_it(data):
    text = dump_block(data)
    assert text == dump(data)
    assert safe_load(text) == data


def test_only_strings_that_need_quotes_go_through_pyyaml(monkeypatch):
    asked = []
    monkeypatch.setattr(yamlsafe, "dump", lambda data: asked.append(data) or dump(data))
    yamlsafe._quoted.cache_clear()
    yamlsafe._string.cache_clear()
    dump_block(FRONT_MATTER)
    assert sorted(item for [item] in asked) == sorted([
        FRONT_MATTER["date"], FRONT_MATTER["summary"], "1", "2", "2024-11-28T09:00:00+07:00",
    ])
    dump_block(FRONT_MATTER)
    assert len(asked) == 5  # the quoted spellings are kept
