"""Rendering: strict variables, Markdown safety, sandboxed stock sentences."""

from __future__ import annotations

import json

import pytest

from generator.config import data_path, load_config
from generator.decide import apply_overrides
from generator.errors import TemplateError
from generator.phrases import Phrases
from generator.render import Renderer, escape_markdown
from generator.sources.files import read_file
from generator.story import build_story

from .conftest import EXAMPLE_DATA


@pytest.fixture(scope="module")
def story(config):
    return build_story(read_file(EXAMPLE_DATA)[0], config, Phrases.load())


def test_escape_markdown():
    assert escape_markdown("*A* [b](c) _d_ `e` <f> |g\\") == "\\*A\\* \\[b\\](c) \\_d\\_ \\`e\\` \\<f\\> \\|g\\\\"
    assert escape_markdown("H. Rudy Mas'ud, S.E.") == "H. Rudy Mas'ud, S.E."


def test_data_is_never_template_code(tmp_path, config):
    hostile = "{{ 7*7 }} *Bold* [x](http://evil) {% raw %}"
    text = EXAMPLE_DATA.read_text(encoding="utf-8").replace("head: H. Rudy Mas'ud, S.E., M.E.", f"head: {json.dumps(hostile)}")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    story = build_story(read_file(path)[0], config, Phrases.load())
    body = Renderer(config).body(story)
    # Neither Jinja (49) nor Hugo or Liquid ({{, {%) nor Markdown (emphasis, link, autolink) reads it as syntax.
    assert "\\{\\{ 7\\*7 }} \\*Bold\\* \\[x\\](http\\://evil) \\{\\% raw %}" in body
    assert "49" not in body and "{{" not in body and "{%" not in body


def test_missing_variable_fails(tmp_path, config, story):
    (tmp_path / "article.md.j2").write_text("{{ story.no_such_field }}\n")
    renderer = Renderer(config, templates=tmp_path)
    with pytest.raises(TemplateError, match="no_such_field"):
        renderer.body(story)


def test_templates_run_in_the_sandbox(tmp_path, config, story):
    (tmp_path / "article.md.j2").write_text("{{ story.__class__.__init__.__globals__ }}\n")
    with pytest.raises(TemplateError, match=r"unsafe|access"):
        Renderer(config, templates=tmp_path).body(story)


def test_stock_sentence_with_unknown_variable_fails(tmp_path, story):
    folder = tmp_path / "cfg"
    folder.mkdir()
    pub = (data_path("config") / "publication.yaml").read_text(encoding="utf-8")
    (folder / "publication.yaml").write_text(pub.replace("{{ kpu }} melalui", "{{ kpuu }} melalui", 1), encoding="utf-8")
    renderer = Renderer(load_config(folder))
    with pytest.raises(TemplateError, match="kpuu"):
        renderer.body(story)


def test_body_has_the_exemplar_order(config, story):
    text = Renderer(config).body(story)
    order = ["PROKAL.CO, ", "962.804", "766.850", "pilkada2024.kpu.go.id", "Baca Juga" if story.links else "belum final",
             "belum final", "unggul di 8 dari 10", "Gratis Pol", "Gubernur Kalimantan Timur periode 2018-2023", "(*)"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")


def test_breakdown_when_one_ticket_leads_everywhere(config):
    from dataclasses import replace as change

    from generator.story import Breakdown, SubRegionLead

    story = build_story(read_file(EXAMPLE_DATA)[2], config, Phrases.load())
    lead = SubRegionLead(ticket="Zainal Paliwang-Ingkong Ala", count="lima", names="", largest="Nunukan",
                         largest_votes="59.177")
    body = Renderer(config).body(change(story, breakdown=Breakdown("kabupaten/kota", "lima", (lead,), "", (), "")))
    first = next(line for line in body.splitlines() if "unggul di seluruh lima" in line)
    assert "Zainal Paliwang-Ingkong Ala" in first and "Nunukan" in first and "59.177 suara" in first


def broken_stock_config(tmp_path):
    folder = tmp_path / "cfg"
    folder.mkdir()
    pub = (data_path("config") / "publication.yaml").read_text(encoding="utf-8")
    (folder / "publication.yaml").write_text(pub.replace("{{ kpu }} melalui", "{{ kpu melalui", 1), encoding="utf-8")
    return load_config(folder)


def test_a_broken_stock_sentence_stops_the_renderer_before_any_race(tmp_path):
    with pytest.raises(TemplateError, match=r"publication\.yaml: stock sentence"):
        Renderer(broken_stock_config(tmp_path))




def test_figures_printed_as_they_are_are_exactly_what_escaping_gives():
    """_finalize prints a house-style figure without escaping it: only where escape_markdown
    would return it unchanged (an ordered-list marker such as "1." or a stray symbol is escaped)."""
    from hypothesis import given
    from hypothesis import strategies as st

    from generator.formatting import format_percent, format_votes
    from generator.render import _FIGURE, _finalize

    for text in ("0", "9", "59.177", "1.364.000", "55,66%", "100,00%", "0,01"):
        assert _FIGURE.fullmatch(text) and _finalize(text) == escape_markdown(text) == text
    for text in ("1.", "1)", "5%%", "-1", "1 000", "12a", ".5"):
        assert not _FIGURE.fullmatch(text)

    @given(st.text(alphabet="0123456789.,%)- #*_\n", max_size=12))
    def same(text):
        assert _finalize(text) == escape_markdown(text)

    @given(st.integers(min_value=0, max_value=10**15))
    def formatted(n):
        assert _FIGURE.fullmatch(format_votes(n)) and _finalize(format_votes(n)) == escape_markdown(format_votes(n))

    same()
    formatted()
    assert _finalize(format_percent(__import__("decimal").Decimal("55.66"))) == "55,66%"


def test_consecutive_breakdown_sentences_never_open_with_the_same_connector(config):
    """Kalteng: three tickets led somewhere; the second and third sentences take different connectors."""
    import re

    story = build_story(read_file(EXAMPLE_DATA)[1], config, Phrases.load())
    body = Renderer(config).body(story)
    line = next(ln for ln in body.splitlines() if "unggul di 8 dari 14" in ln)
    openers = re.findall(r"(Sementara itu,|Di sisi lain,|Adapun) \S", line)
    assert len(openers) == 2 and openers[0] != openers[1]


def _kaltara_with_votes(votes: dict[str, int]):
    """The example's Pilgub Kaltara (two incumbents on two tickets) with other figures."""
    snap = next(s for s in read_file(EXAMPLE_DATA) if s.race == "pkwkp/65")
    return snap.model_validate({**snap.model_dump(), "votes": votes, "sub_regions": ()})


def _with_notes(snap, config):
    return apply_overrides(snap, config.notes(snap.race))


@pytest.mark.parametrize(("votes", "sentences"), [
    # Yansen TP's ticket shares second place: the incumbent sentence says so.
    ({"1000056": 92994, "1000057": 189593, "1000058": 92994},
     ["Dua kandidat dalam Pilgub Kaltara 2024 masih menjabat kepala atau wakil kepala daerah.",
      "Zainal Paliwang, Gubernur Kalimantan Utara periode 2021-2025, maju lewat pasangan nomor urut 2 dan kini "
      "berada di posisi pertama.",
      "Yansen TP, Wakil Gubernur Kalimantan Utara periode 2021-2025, maju lewat pasangan nomor urut 3 dan kini "
      "berada di posisi kedua, berbagi tempat dengan Sulaiman-Adri yang meraih perolehan sama."]),
    # The two incumbents' tickets tie at the top: said once, with the first.
    ({"1000056": 39460, "1000057": 150000, "1000058": 150000},
     ["maju lewat pasangan nomor urut 2 dan kini berada di posisi pertama, berbagi tempat dengan Yansen-Suratno "
      "yang meraih perolehan sama. Yansen TP, Wakil Gubernur Kalimantan Utara periode 2021-2025, maju lewat "
      "pasangan nomor urut 3.\n"]),
])
def test_an_incumbent_sentence_states_a_shared_rank(config, votes, sentences):
    story = build_story(_with_notes(_kaltara_with_votes(votes), config), config, Phrases.load())
    body = Renderer(config).body(story)
    assert story.incumbency == "rivals"
    for sentence in sentences:
        assert sentence in body


def test_a_margin_under_ten_is_written_in_words(config):
    """House style: words up to nine ("terpaut tiga suara"), digits from 10."""
    story = build_story(_with_notes(_kaltara_with_votes({"1000056": 39460, "1000057": 150003, "1000058": 150000}),
                                    config), config, Phrases.load())
    assert story.facts.margin_votes == "tiga"
    body = Renderer(config).body(story)
    assert " tiga suara" in body and " 3 suara" not in body


def test_alone_ahead_where_data_is_in(config):
    """Malinau without data: Zainal-Ingkong leads every kab/kota that has some, and the
    breakdown says so rather than "empat dari lima" (as if another led the fifth)."""
    snap = next(s for s in read_file(EXAMPLE_DATA) if s.race == "pkwkp/65")
    rows = tuple(r.model_copy(update={"tps_reported": 0, "votes": {i: 0 for i in r.votes}}) if r.name == "Malinau"
                 else r for r in snap.sub_regions)
    votes = {t: sum(r.votes[t] for r in rows) for t in snap.votes}
    snap = snap.model_validate({**snap.model_dump(), "sub_regions": [r.model_dump() for r in rows], "votes": votes,
                                "tps_reported": sum(r.tps_reported for r in rows)})
    body = Renderer(config).body(build_story(_with_notes(snap, config), config, Phrases.load()))
    assert "unggul di seluruh empat kabupaten/kota yang datanya sudah masuk" in body \
        or "unggul di semua empat kabupaten/kota yang datanya sudah masuk" in body
    assert "satu kabupaten/kota lainnya belum" in body and "empat dari lima" not in body


def test_a_lead_the_printed_shares_do_not_show(config):
    """One vote apart with both shares printed 44,19%: never "0,00 poin persentase" for a lead."""
    story = build_story(_with_notes(_kaltara_with_votes({"1000056": 39460, "1000057": 150001, "1000058": 150000}),
                                    config), config, Phrases.load())
    assert (story.facts.margin_votes, story.facts.margin_points) == ("satu", "kurang dari 0,01")
    body = Renderer(config).body(story)
    assert "satu suara atau kurang dari 0,01 poin persentase" in body and "0,00 poin" not in body
