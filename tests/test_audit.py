"""The fact audit (generator.audit): every number printed is a figure of the snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from generator.audit import allowed_numbers, audit_article, audit_text, story_exempt
from generator.config import load_config
from generator.decide import apply_overrides
from generator.links import link_stories
from generator.models import RaceSnapshot
from generator.phrases import Phrases
from generator.pipeline import generate
from generator.render import Renderer
from generator.sources.files import read_file
from generator.story import Story, build_story
from generator.writer import split_front_matter

from .conftest import EXAMPLE_DATA

SLUGS = ("pkwkp/64", "pkwkp/62", "pkwkp/65")


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def snapshots(cfg) -> dict[str, RaceSnapshot]:
    return {s.race: apply_overrides(s, cfg.notes(s.race)) for s in read_file(EXAMPLE_DATA)}


@pytest.fixture(scope="module")
def stories(cfg, snapshots) -> dict[str, Story]:
    """Stories built directly, as the pipeline does for a first run."""
    phrases = Phrases.load()
    built = [build_story(s, cfg, phrases) for s in snapshots.values()]
    return {s.race: s for s in link_stories(built, cfg)}


class RecordingRenderer(Renderer):
    """The renderer the pipeline uses, keeping every story it rendered."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.stories: dict[str, Story] = {}

    def render(self, story: Story) -> tuple[str, tuple[str, ...]]:
        self.stories[story.race] = story
        return super().render(story)


@pytest.fixture(scope="module")
def articles(cfg, tmp_path_factory) -> dict[str, tuple[str, str, Story]]:
    """(headline, body, story) of each example article, generated in-process."""
    out = tmp_path_factory.mktemp("articles")
    renderer = RecordingRenderer(cfg)
    report = generate(read_file(EXAMPLE_DATA), cfg, out, renderer=renderer)
    assert report.exit_code == 0
    paths = dict(report.written)
    assert sorted(paths) == sorted(SLUGS)
    texts = {}
    for race in SLUGS:
        meta, body = split_front_matter(paths[race].read_text(encoding="utf-8"))
        texts[race] = (meta["title"], body, renderer.stories[race])
    return texts


def exempt_for(story: Story, cfg) -> list[str]:
    """What a caller passes: the story's own passages plus the stock sentences as rendered."""
    return [*story_exempt(story), *Renderer(cfg).render(story)[1]]


def test_allowed_numbers_of_kaltim(snapshots, stories):
    allowed = allowed_numbers(snapshots["pkwkp/64"], stories["pkwkp/64"])
    expected = {
        "962.804", "766.850", "1.729.654",  # votes, total
        "55,66%", "44,34%",  # shares
        "1", "2",  # nomor urut
        "6.048", "6.274", "96,39%",  # TPS and progress
        "195.954", "11,32",  # margins
        "28/11/2024", "11.15", "2024",  # data time in Wita, year
        "199.131", "146.487",  # sub-region votes (Kutai Kartanegara)
        "10",  # number of sub-regions
    }
    assert expected <= allowed
    assert "10.15" not in allowed  # the WIB clock: Kaltim is written in Wita
    assert "55,66" not in allowed and "11,32%" not in allowed  # house style, not any spelling


@pytest.mark.parametrize("race", sorted(SLUGS))
def test_example_articles_pass(articles, snapshots, cfg, race):
    headline, body, story = articles[race]
    assert audit_article(headline, body, snapshots[race], story, exempt=exempt_for(story, cfg)) == []


@pytest.mark.parametrize("race", sorted(SLUGS))
def test_rendered_stories_pass(snapshots, stories, cfg, race):
    story = stories[race]
    body = Renderer(cfg).body(story)
    assert audit_article(story.headline, body, snapshots[race], story, exempt=exempt_for(story, cfg)) == []


def test_one_changed_digit_fails_quoting_the_sentence(articles, snapshots, cfg):
    headline, body, story = articles["pkwkp/64"]
    assert body.count("962.804") == 1
    wrong = body.replace("962.804", "962.805")
    findings = audit_article(headline, wrong, snapshots["pkwkp/64"], story, exempt=exempt_for(story, cfg))
    assert len(findings) == 1
    (finding,) = findings
    assert (finding.race, finding.field, finding.severity) == ("pkwkp/64", "body", "error")
    prefix = "expected every number to be a figure of the snapshot in house style, found 962.805 in: "
    assert finding.reason.startswith(prefix)
    quoted = finding.reason[len(prefix):]
    assert quoted[0] == quoted[-1] == '"'
    sentence = quoted[1:-1]
    # The whole sentence that prints the figure, and only that sentence.
    assert sentence in wrong and sentence.endswith("962.805 suara.") and sentence[0].isupper()
    assert "6.048" not in sentence and "55,66%" not in sentence


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("55,66%", "55,67%"),  # share
        ("6.048 TPS", "6.049 TPS"),  # TPS
        ("96,39% dari total", "96,4% dari total"),  # progress, not in house style
        ("11,32 poin", "11,33 poin"),  # margin points
        ("195.954", "195.945"),  # margin votes
        ("pukul 11.15", "pukul 10.15"),  # the WIB clock in a Wita story
        ("(28/11/2024)", "(27/11/2024)"),  # date
        ("(199.131 suara)", "(199.132 suara)"),  # sub-region votes
        ("nomor urut 2", "nomor urut 3"),
    ],
)
def test_each_kind_of_figure_is_checked(articles, snapshots, cfg, old, new):
    headline, body, story = articles["pkwkp/64"]
    assert old in body
    findings = audit_article(headline, body.replace(old, new, 1), snapshots["pkwkp/64"], story,
                             exempt=exempt_for(story, cfg))
    assert [f.field for f in findings] == ["body"]
    number = new.strip("()").split()[-1] if new[0].isalpha() else new.strip("()").split()[0]
    assert f"found {number} in: " in findings[0].reason


def test_headline_is_audited(articles, snapshots, cfg):
    _, body, story = articles["pkwkp/64"]
    findings = audit_article("Rudy Mas'ud-Seno Aji Unggul di Pilgub Kaltim 2025", body, snapshots["pkwkp/64"],
                             story, exempt=exempt_for(story, cfg))
    assert [(f.field, f.reason) for f in findings] == [(
        "headline", "expected every number to be a figure of the snapshot in house style, found 2025 in: "
        "\"Rudy Mas'ud-Seno Aji Unggul di Pilgub Kaltim 2025\"",
    )]


def test_number_in_exempt_note_passes_only_when_exempt(articles, snapshots, cfg):
    """Kalteng's region context says "13 kabupaten": an editor's fact, not the count's."""
    headline, body, story = articles["pkwkp/62"]
    assert "terdiri atas 13 kabupaten" in body
    assert audit_article(headline, body, snapshots["pkwkp/62"], story, exempt=exempt_for(story, cfg)) == []
    (finding,) = audit_article(headline, body, snapshots["pkwkp/62"], story, exempt=[])
    assert finding.reason.endswith(
        "found 13 in: \"Kalimantan Tengah beribu kota di Palangka Raya dan terdiri atas 13 kabupaten dan 1 kota.\""
    )


def test_incumbent_period_inside_a_sentence(articles, snapshots, cfg):
    """Kaltim's incumbents (2018-2023, from races.yaml) sit mid-sentence; the rest of it is still audited."""
    headline, body, story = articles["pkwkp/64"]
    assert "Gubernur Kalimantan Timur periode 2018-2023" in body
    assert audit_article(headline, body, snapshots["pkwkp/64"], story, exempt=exempt_for(story, cfg)) == []
    wrong = body.replace("periode 2018-2023, dan", "periode 2017-2023, dan")
    (finding,) = audit_article(headline, wrong, snapshots["pkwkp/64"], story, exempt=exempt_for(story, cfg))
    assert "found 2017 in: " in finding.reason


def test_audit_text_basics():
    allowed = {"962.804", "55,66%", "2024", "1"}
    text = (
        "Pasangan nomor urut 1, Dr. Ir. H. Isran Noor, M.Si. meraih 962.804 suara (55,66%). "
        "Sumber: https://pilkada2024.kpu.go.id/2024/11/28/. Lihat [tautan](/pilkada-2025/x-3/).\n"
        "\n"
        "Pada 2019 ia kalah. Kini 2024.\n"
        "Catatan redaksi: angka 42 dari wawancara."
    )
    assert audit_text(text, allowed=allowed, exempt=["Catatan redaksi: angka 42 dari wawancara."]) == [
        "Pada 2019 ia kalah.",
    ]
    # Titles ("Dr.", "H.", "M.Si.") do not end a sentence; the quote is the whole sentence.
    assert audit_text(text.replace("962.804", "962.805"), allowed=allowed, exempt=["Catatan redaksi"]) == [
        "Pasangan nomor urut 1, Dr. Ir. H. Isran Noor, M.Si. meraih 962.805 suara (55,66%).",
        "Pada 2019 ia kalah.",
        "Catatan redaksi: angka 42 dari wawancara.",
    ]


def test_audit_text_reads_through_markdown_escapes():
    """The renderer escapes Markdown in editor notes; the exempt passage is the note as typed."""
    note = "Program *Gratis Pol* berjalan sejak 2019."
    rendered = "Program \\*Gratis Pol\\* berjalan sejak 2019."
    assert audit_text(rendered, allowed=set(), exempt=[note]) == []
    assert audit_text(rendered, allowed=set(), exempt=[]) == ["Program *Gratis Pol* berjalan sejak 2019."]


def test_number_touching_an_exempt_passage_is_not_exempt():
    assert audit_text("Sebanyak 213 kabupaten.", allowed=set(), exempt=["13 kabupaten."]) == [
        "Sebanyak 213 kabupaten.",
    ]


def test_counts_in_digits_are_allowed(snapshots, stories):
    """Breakdown counts above twenty are printed in digits (count_words): 21 kecamatan."""
    snap = snapshots["pkwkp/64"]
    r = snap.sub_regions[0]
    rows = [r.model_copy(update={"code": f"64{i:02d}", "votes": {}, "tps_reported": 0, "tps_total": 1})
            for i in range(1, 22)]
    data = snap.model_dump()
    data.update(sub_regions=[r.model_dump() for r in rows])
    wide = RaceSnapshot.model_validate(data)
    allowed = allowed_numbers(wide, stories["pkwkp/64"])
    assert "21" in allowed and "22" not in allowed


def test_story_exempt_lists_editor_passages(stories):
    story = stories["pkwkp/64"]
    passages = story_exempt(story)
    assert story.region_context in passages
    assert all(note in passages for note in story.notes)
    assert {link.headline for link in story.links} <= set(passages)
    assert "" not in passages


def test_quick_count_figures_are_allowed(snapshots, stories):
    data = snapshots["pkwkp/64"].model_dump()
    data.update(stage="quick_count", quick_count={"institute": "Lembaga Survei 2045", "sample_tps": 2000,
                                                 "margin_of_error": "1.5", "data_in": "99.5"})
    allowed = allowed_numbers(RaceSnapshot.model_validate(data), stories["pkwkp/64"])
    assert {"2045", "2.000", "1,50", "1,50%", "99,50%"} <= allowed


def test_audit_of_a_tmp_article(tmp_path: Path, snapshots, stories, cfg):
    """Front matter is not the audit's business: only headline and body are passed."""
    headline, body = stories["pkwkp/65"].headline, Renderer(cfg).body(stories["pkwkp/65"])
    assert audit_article(headline, body + "\nTambahan 123.\n", snapshots["pkwkp/65"], stories["pkwkp/65"],
                         exempt=exempt_for(stories["pkwkp/65"], cfg))[0].reason.endswith('"Tambahan 123."')


def earlier_kaltim(snap: RaceSnapshot, **changes) -> RaceSnapshot:
    data = snap.model_dump()
    data.update(sub_regions=[], timestamp=snap.timestamp - timedelta(hours=9, seconds=4), tps_reported=5979,
                votes={"1000054": 758326, "1000055": 952185})
    data.update(changes)
    return RaceSnapshot.model_validate(data)


def generate_with_update(cfg, out: Path, older: RaceSnapshot) -> tuple[str, str, Story]:
    renderer = RecordingRenderer(cfg)
    items = read_file(EXAMPLE_DATA)
    report = generate([*items, older], cfg, out, renderer=renderer)
    assert report.exit_code == 0
    meta, body = split_front_matter(dict(report.written)["pkwkp/64"].read_text(encoding="utf-8"))
    return meta["title"], body, renderer.stories["pkwkp/64"]


def test_update_note_figures_come_from_the_previous_snapshot(tmp_path: Path, cfg, snapshots):
    """An updated story prints the earlier snapshot's TPS, progress and time: traced to story.previous."""
    headline, body, story = generate_with_update(cfg, tmp_path, earlier_kaltim(snapshots["pkwkp/64"]))
    assert story.previous is not None and "5.979" in body
    exempt = exempt_for(story, cfg)
    assert audit_article(headline, body, snapshots["pkwkp/64"], story, exempt=exempt) == []
    # Without the previous snapshot, those figures are untraceable.
    (finding,) = audit_article(headline, body, snapshots["pkwkp/64"], replace(story, previous=None), exempt=exempt)
    assert "found 5.979, 95,29%, 02.15 in: " in finding.reason


def test_update_note_progress_is_rounded_down(tmp_path: Path, cfg, snapshots):
    older = earlier_kaltim(snapshots["pkwkp/64"], tps_reported=1, tps_total=800, votes={"1000054": 100, "1000055": 120})
    headline, body, story = generate_with_update(cfg, tmp_path, older)
    assert "sebelumnya 1 TPS (0,12%)" in body  # 0,125 rounds down
    assert audit_article(headline, body, snapshots["pkwkp/64"], story, exempt=exempt_for(story, cfg)) == []
