"""Every flag validate and decide make has a short Indonesian label on the review page.

The flags are made here by the real checks, so a change of their wording that
the review page no longer recognises fails this test instead of silently
showing English text to editors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from generator.config import Incumbent
from generator.decide import check, name_flags
from generator.models import RaceSnapshot
from generator.output import Existing
from generator.review import FLAG_KINDS, ReviewEntry, build_review, flag_kind
from generator.sources.files import read_file
from generator.updates import Previous
from generator.validate import Finding, Limits, check_incumbents, check_snapshot

from .conftest import EXAMPLE_DATA
from .review_page import body_rows, md_rows, notes, parse

GENERATED = datetime(2024, 11, 28, 11, 30, tzinfo=timezone(timedelta(hours=8)))

LABELS = {
    "waiting": "Pembaruan menunggu: naskah sudah diedit redaksi",
    "close_race": "Selisih tipis",
    "tie": "Suara imbang di posisi teratas",
    "tps_capacity": "Suara per TPS melebihi kapasitas",
    "votes_without_tps": "Ada suara sebelum TPS masuk",
    "voter_roll": "Suara melebihi DPT",
    "votes_backwards": "Suara berkurang dari data sebelumnya",
    "tps_backwards": "TPS masuk berkurang dari data sebelumnya",
    "older_time": "Waktu data lebih lama dari data sebelumnya",
    "share_jump": "Perolehan berubah tajam",
    "tickets_changed": "Nomor urut berubah",
    "rows_mismatch": "Rincian wilayah tidak cocok dengan total",
    "short_name": "Nama singkat perlu dicek",
    "incumbent": "Petahana tidak cocok dengan nomor urut",
    "other": "Catatan lain",
}


@pytest.fixture(scope="module")
def kaltim() -> RaceSnapshot:
    return next(s for s in read_file(EXAMPLE_DATA) if s.race == "pkwkp/64")  # type: ignore[union-attr]


def vary(snapshot: RaceSnapshot, **changes: object) -> RaceSnapshot:
    return RaceSnapshot.model_validate({**snapshot.model_dump(), **changes})


@pytest.fixture(scope="module")
def findings(kaltim) -> dict[str, list[str]]:
    """Every flag the checks make, by the kind the review page should see, made by the real checks."""
    whole = vary(kaltim, sub_regions=())
    ids = [t.id for t in whole.tickets]
    first = kaltim.sub_regions[0]
    silent = first.model_copy(update={"tps_reported": 0})
    bumped = first.model_copy(update={"votes": {k: v + 1 for k, v in first.votes.items()}})
    wide = first.model_copy(update={"tps_total": first.tps_total + 10_000})
    other = whole.tickets[1].model_copy(update={"id": "9999999"})
    short = kaltim.tickets[1].model_copy(update={"head_short_problem": "contains a period"})
    cases: dict[str, list[Finding]] = {
        "tps_capacity": check_snapshot(kaltim, limits=Limits(tps_capacity=100)),  # the race and its rows
        "votes_without_tps": check_snapshot(vary(
            kaltim, sub_regions=(silent, *kaltim.sub_regions[1:]), tps_reported=kaltim.tps_reported - first.tps_reported
        )),
        "voter_roll": check_snapshot(vary(whole, registered_voters=1000)),
        "votes_backwards": check_snapshot(whole, previous=vary(whole, votes={i: v + 1 for i, v in whole.votes.items()})),
        "tps_backwards": check_snapshot(whole, previous=vary(whole, tps_reported=whole.tps_reported + 1)),
        "older_time": check_snapshot(whole, previous=vary(whole, timestamp=whole.timestamp + timedelta(minutes=5))),
        "share_jump": check_snapshot(vary(whole, votes={ids[0]: whole.votes[ids[0]], ids[1]: whole.votes[ids[1]] * 5}),
                                     previous=whole, limits=Limits(tps_capacity=10_000)),
        "tickets_changed": check_snapshot(
            vary(whole, tickets=(whole.tickets[0], other), votes={ids[0]: whole.votes[ids[0]], "9999999": whole.votes[ids[1]]}),
            previous=whole),
        "rows_mismatch": (check_snapshot(vary(kaltim, sub_regions=(bumped, *kaltim.sub_regions[1:])))
                          + check_snapshot(vary(kaltim, sub_regions=(wide, *kaltim.sub_regions[1:])))),
    }
    # A KPU file's findings name the field by its JSON path (validate.source_field).
    kpu = {"tps_reported": "tungsura.chart.progres", "votes": "tungsura.chart", "sub_regions": "tungsura.table",
           "timestamp": "ts"}
    for made in cases.values():
        made += [replace(f, field=kpu[f.field.split(".")[0]] + f.field[len(f.field.split(".")[0]):])
                 for f in made if f.field.split(".")[0] in kpu]
    found = {kind: [str(f) for f in made] for kind, made in cases.items()}
    found["short_name"] = list(name_flags(vary(kaltim, tickets=(kaltim.tickets[0], short))))
    isran = Incumbent(name="Isran Noor", ticket=2, position="head", role="kepala", office="Gubernur Kalimantan Timur",
                      period="2018-2023", source="https://example.org/isran")  # ticket 2 is Rudy-Seno's
    found["incumbent"] = [str(f) for f in check_incumbents(kaltim, [isran])]
    return found


def test_each_check_has_its_kind(findings):
    for kind, texts in findings.items():
        assert texts, kind
        assert {flag_kind(text) for text in texts} == {kind}, texts


def test_tickets_of_the_article_on_disk(kaltim, config):
    earlier = Previous(timestamp=kaltim.timestamp - timedelta(hours=1), tps_reported=1, tps_total=kaltim.tps_total,
                       votes={1: 1, 2: 1, 3: 1})
    existing = Existing("pilgub-kaltim-2024/index.md", None, None, (), current=earlier, previous=None)
    assert {flag_kind(str(f)) for f in check(kaltim, None, existing, config)} == {"tickets_changed"}


def test_every_kind_has_a_label_and_keeps_its_text(findings):
    """One page with a flag of every kind: its label in the cell and in the filter, the original text beside it."""
    assert set(FLAG_KINDS) == set(LABELS)
    assert set(findings) == set(FLAG_KINDS) - {"waiting", "close_race", "tie", "other"}  # made in review.py
    flags = tuple(texts[0] for texts in findings.values())
    entries = [
        ReviewEntry(race="pkwkp/64", status="written", headline="H", path="h.md", margin="0,50", waiting=True,
                    flags=(*flags, "Catatan bebas")),
        ReviewEntry(race="pkwkp/62", status="written", tie=True),
    ]
    markdown, page = build_review(entries, generated_at=GENERATED)
    tied, row = body_rows(page)  # no data time: by race code
    assert row.attrs["data-flags"] == " ".join(["waiting", "close_race", *findings, "other"])
    assert [s.text() for s in row.find_all("summary")] == [LABELS[k] for k in findings]
    assert [s.text() for s in row.find_all("span", class_="full")] == list(flags)
    assert notes(row)[:2] == [LABELS["waiting"], "Selisih tipis: 0,50 poin"]
    assert notes(row)[-1] == "Catatan bebas"
    assert notes(tied) == [LABELS["tie"]]
    options = parse(page).root.find("select", name="flag").find_all("option")
    assert [o.text() for o in options] == ["Semua", *(LABELS[k] for k in FLAG_KINDS)]
    cell = md_rows(markdown)[2][-1].replace("\\_", "_").replace("\\<", "<").replace("\\>", ">")
    assert cell == "; ".join([LABELS["waiting"], "Selisih tipis: 0,50 poin",
                              *(f"{LABELS[k]} ({text})" for k, text in zip(findings, flags, strict=True)),
                              "Catatan bebas"])


@pytest.mark.parametrize("text", [
    "Suara tidak sah melonjak",
    "race pkwkp/64: field votes: something new",
    "race pkwkp/64: field votes: the reason expected at most 600 valid votes per reported TPS",  # not its start
])
def test_an_unknown_flag_is_shown_as_it_is(text):
    assert flag_kind(text) == "other"
    entry = ReviewEntry(race="pkwkp/64", status="written", flags=(text,))
    markdown, page = build_review([entry], generated_at=GENERATED)
    assert notes(body_rows(page)[0]) == [text]
    assert md_rows(markdown)[1][-1] == text.replace("_", "\\_")
