"""Hostile or broken input never reaches a reader (issue 17).

Each test here failed before: text that Markdown, Hugo or Liquid would read as
syntax is escaped, invisible characters and line breaks are gone, every text has
a length cap, a candidate the tally leaves out holds the race back, unknown keys
and keys given twice are errors, data timed in the future is held back, race code,
kind, region and year agree, ``source_url`` is a web address, and every message
names the file or URL and the field as the source spells it. The built pages are
checked with the real Hugo in ``tests/test_hostile_hugo.py``.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import Config, load_config
from generator.decide import check
from generator.errors import ConfigError, DataError
from generator.fetch import Fetched
from generator.models import RaceSnapshot, Ticket
from generator.phrases import Phrases
from generator.pipeline import generate
from generator.render import Renderer, escape_markdown
from generator.sources import live, make_ticket, sirekap
from generator.sources.files import dump_json, read_file
from generator.story import build_story
from generator.text import MAX_PERSON_NAME, MAX_REGION_NAME, one_line
from generator.writer import front_matter, split_front_matter
from generator.yamlsafe import DuplicateKeyError, load_unique, safe_load
from tests.support.sirekap_server import SirekapServer

from .conftest import EXAMPLE_DATA, REPO, needs_shared, sample

KALTIM_URL = sirekap.DEFAULT_BASE_URL + sirekap.tally_path("pkwkp/64")
NOW = datetime.fromisoformat("2024-11-28T11:00:00+08:00")

#: Hostile text: Hugo shortcodes, Liquid and Go template tags, Markdown blocks and
#: links, autolinks, HTML, entities, control, bidi and zero-width characters.
HOSTILE = [
    '{{% param "title" %}}', '{{< ref "x" >}}', '{{% figure src="https://evil.example/x.png" %}}', "{% raw %}",
    "{{ .Title }}", "{{/* c */}}", "JOKO https://evil.example/login", "www.phish.example", "WWW.PHISH.EXAMPLE",
    "joko@evil.example", "<script>alert(1)</script>", "&lt;b&gt;", "[x](javascript:alert(1))", "![i](x.png)",
    "# Heading", "## Heading", "~~~", "```", "> quote", "- item", "+ item", "* item", "1. item", "1) item",
    "---", "===", ": definition", "| a | b |", "~~gone~~", "**bold**", "_em_", "`code`", "line\nbreak",
    "para\n\n# heading", "a\r\nb", "NUL\x00BEL\x07ESC\x1b[31m", "RLO\u202eevil", "ZW\u200bSP\u200c\u200d\ufeff",
    "soft\u00adhyphen", "LS\u2028PS\u2029", "tab\tand  spaces ", "\\", "x{", "%}", "{%", "<!--more-->",
]


def _rendered_text(markdown: str) -> str:
    """What CommonMark prints for one escaped line: backslash escapes resolved."""
    out, escaped = [], False
    for char in markdown:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_is_one_line_that_reads_as_the_text(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert _rendered_text(escaped) == one_line(text)  # a reader sees the text, minus invisible characters
    for syntax in ("{{", "{%", "://", "www.", "WWW.", "<", "&lt;", "@", "~~", "**", "`"):
        assert syntax not in escaped.replace("\\" + syntax[0], "\0"), (syntax, escaped)
    assert escaped[:1] not in "#>-+=:%|*~`" or escaped == ""
    assert not escaped[:10].split(" ")[0].rstrip(".)").isdigit() or "\\" in escaped[:11]


def test_invisible_characters_and_line_breaks_are_removed():
    assert one_line("A\x00B\x07C\x1bD\u202eE\u2066F\u200bG\ufeffH\u00adI") == "ABCDEFGHI"
    assert one_line("  Kota \n\n Samarinda\t\u2028 ") == "Kota Samarinda"
    assert one_line(" - INGKONG ALA", strip=False) == " - INGKONG ALA"  # KPU's empty head keeps its place
    assert one_line("H. Rudy Mas'ud, S.E.") == "H. Rudy Mas'ud, S.E."


def test_only_the_publications_own_urls_become_links(config, tmp_path):
    story = build_story(read_file(EXAMPLE_DATA)[0], config, Phrases.load())
    body = Renderer(config).body(story)
    assert " https://pilkada2024.kpu.go.id/" in body  # the stock sentence's link, as before (any variant)
    assert escape_markdown("https://evil.example/") == "https\\://evil.example/"


def test_hostile_names_and_notes_render_escaped_in_the_article(config, tmp_path):
    """A name (editor file), a sub-region name, and editor notes with block syntax: the
    rest of the article (Baca Juga, sign-off, disclosure) stays the template's."""
    text = EXAMPLE_DATA.read_text(encoding="utf-8")
    text = text.replace("head: H. Rudy Mas'ud, S.E., M.E.", 'head: "{{% param \\"title\\" %}} https://evil.example"')
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    races = config.races.model_copy(update={"races": {"pkwkp/64": config.notes("pkwkp/64").model_copy(update={
        "notes": ["~~~", "# Judul\n\n- butir", "<script>alert(1)</script> www.phish.example"],
        "region_context": "{{< ref \"x\" >}}\n---"})}})
    hostile_config = Config(config.publication, config.regions, races, config.folder)
    story = build_story(read_file(path)[0], hostile_config, Phrases.load())
    body = Renderer(hostile_config).body(story)
    for syntax in (r"\{\{", r"\{%", r"://evil", r"www\.phish", r"<script"):
        assert not re.search(r"(?<!\\)" + syntax, body), syntax
    lines = body.splitlines()
    assert "\\~\\~\\~" in lines and "\\# Judul - butir" in lines
    assert not any(line.startswith(("#", "~~~", "```", "-", ">", "<")) for line in lines)
    assert lines[-1].startswith("*") and "hitung sementara KPU" in lines[-1]  # the disclosure is still the last line


def test_titles_tags_and_summaries_carry_no_invisible_character_or_line_break(tmp_path):
    """NUL, BEL, ESC, a right-to-left override and zero-width characters in names, and line
    breaks in a quick count's institute, reach neither the front matter nor the text."""
    text = (REPO / "tests" / "scenarios" / "quick-count-kota-pangkalpinang.yaml").read_text(encoding="utf-8")
    document = safe_load(text)
    race = document["races"][0]
    race["quick_count"]["institute"] = "Lembaga\n# Survei\n\n---\u202e\x00"
    for ticket in race["tickets"]:
        if ticket.get("head"):
            ticket["head"] = f"\x07{ticket['head']}\x1b[31m\u200b\u202e\ufeff\x00"
    path = tmp_path / "quick.json"
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    out = tmp_path / "out"
    report = generate(read_file(path), load_config(), out, state=tmp_path / "state")
    assert report.written and not report.held_back, [str(p) for p in report.held_back]
    (article,) = out.rglob("index.md")
    written = article.read_text(encoding="utf-8")
    meta, body = split_front_matter(written)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\u200b\u202e\ufeff]", written)
    assert meta["params"]["quick_count"]["institute"] == "Lembaga # Survei ---"
    for value in (meta["title"], meta["summary"], *meta["tags"]):
        assert value == one_line(value)
    assert "(quick count) Lembaga # Survei --- untuk" in body  # mid-line: no heading, no rule
    assert not any(line.startswith(("#", "---")) for line in body.splitlines())


# --------------------------------------------------------------------------- length caps


def test_a_5000_character_name_is_refused():
    with pytest.raises(ValueError, match=f"expected a name of at most {MAX_PERSON_NAME} characters, found 5,000"):
        Ticket(id="1", number=1, head="J" * 5000)
    with pytest.raises(ValueError, match="at most 150 characters"):
        make_ticket("1", 1, "JOKO " * 1000 + "- WIDODO")


def test_slugs_stay_short_whatever_the_region_name(config):
    """A region name at the cap, even of characters NFKD expands (one U+FDFA is 18), gives a short slug."""
    snap = read_file(REPO / "tests" / "scenarios" / "recap-narrow-berau.yaml")[0]
    for name in ("Kabupaten " + "B" * (MAX_REGION_NAME - 10), "Kabupaten " + "\ufdfa" * 5):
        region = snap.region.model_copy(update={"name": name})
        data = snap.model_dump()
        data["region"] = region.model_dump()
        story = build_story(RaceSnapshot.model_validate(data), config, Phrases.load())
        assert len(story.slug) <= MAX_REGION_NAME + len("pilwalkot--2024"), story.slug
    with pytest.raises(ValueError, match="region name of at most 100 characters, found 190"):
        data["region"]["name"] = "Kabupaten " + "\ufdfa" * 10
        RaceSnapshot.model_validate(data)
    assert len(unicodedata.normalize("NFKD", "\ufdfa")) == 18


def test_a_long_note_holds_back_its_race_naming_races_yaml(config):
    snap = read_file(EXAMPLE_DATA)[0]
    notes = config.notes("pkwkp/64").model_copy(update={"notes": ["Catatan. " * 300]})
    races = config.races.model_copy(update={"races": {"pkwkp/64": notes}})
    found = check(snap, None, None, Config(config.publication, config.regions, races, config.folder), now=NOW)
    (finding,) = found
    assert (finding.field, finding.severity) == ("races.pkwkp/64.notes.0", "error")
    assert finding.where.endswith("races.yaml") and "a note of at most 2,000 characters, found 2,699" in finding.reason


# --------------------------------------------------------------------------- the tally has every candidate


def _kaltara(tmp_path: Path, edit) -> Path:
    """A tree for the Kaltara governor race, without its kab/kota list (a 404)."""
    root = tmp_path / "tree"
    tally = sample("pilkada2024_hhcw_pkwkp_65.json")
    edit(tally)
    for rel, data in {"pilkada/paslon/pkwkp.json": sample("pilkada2024_paslon_pkwkp.json"),
                      "wilayah/pilkada/pkwkp/0.json": sample("pilkada2024_wilayah_pkwkp_0.json"),
                      "pilkada/hhcw/pkwkp/65.json": tally}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(data), encoding="utf-8")
    return root


def _generate(server: SirekapServer, out: Path, *args: str):
    return CliRunner().invoke(main, ["generate", "--source", "sirekap", "--base-url", server.url, "--out", str(out),
                                     "--backoff", "0.01", "--now", "2024-11-28T11:00:00+08:00", *args])


@needs_shared
def test_kaltara_with_a_candidate_missing_from_the_chart_is_held_back(tmp_path):
    """Issue 17: Zainal Paliwang-Ingkong Ala (1000057) left out of the chart and the rows, and the
    kab/kota list a 404, so nothing contradicts it: once published with Yansen TP-Suratno at 70,74%."""
    def drop(tally):
        del tally["tungsura"]["chart"]["1000057"]
        for row in tally["tungsura"]["table"].values():
            row.pop("1000057", None)

    with SirekapServer(_kaltara(tmp_path, drop)) as server:
        result = _generate(server, tmp_path / "out", "--race", "pkwkp/65")
        url = f"{server.url}/pilkada/hhcw/pkwkp/65.json"
    assert result.exit_code == 1, result.output
    assert (f"{url}: race pkwkp/65: field tungsura.chart.1000057: TPS have reported but the chart has no votes "
            "for candidate id(s) 1000057") in result.output
    assert not list((tmp_path / "out").rglob("*.md"))


@needs_shared
def test_a_row_with_data_missing_a_candidate_is_an_error(tmp_path):
    tally = sample("pilkada2024_hhcw_pkwkp_65.json")
    row = next(iter(tally["tungsura"]["table"].values()))
    tally["tungsura"]["chart"]["1000057"] -= row.pop("1000057")
    paslon = sirekap.parse_paslon(sample("pilkada2024_paslon_pkwkp.json"), where="paslon")
    parsed = sirekap.parse_tally(tally, where="65.json", race="pkwkp/65")
    with pytest.raises(DataError, match=r"field tungsura.table.6501.1000057: the row has data but no votes"):
        sirekap.snapshot_from_tally("pkwkp/65", parsed, paslon, region_name="KALIMANTAN UTARA", child_names=None,
                                    source_url=KALTIM_URL)


@needs_shared
@pytest.mark.parametrize(("where", "key", "message"), [
    ("chart", "10000570", "a malformed candidate id (KPU's are 6-7 digits) '10000570'"),
    ("chart", "1000057 ", "a malformed candidate id (KPU's are 6-7 digits) '1000057 '"),
    ("chart", "12345", "a malformed candidate id"),
    ("chart", "suara_sah", "an unknown key 'suara_sah'"),
    ("row", "jumlah", "an unknown key 'jumlah'"),
])
def test_unknown_or_malformed_keys_are_errors_never_dropped(where, key, message):
    tally = sample("pilkada2024_hhcw_pkwkp_65.json")
    target = tally["tungsura"]["chart"] if where == "chart" else tally["tungsura"]["table"]["6501"]
    target[key] = 5000
    field = "tungsura.chart" if where == "chart" else "tungsura.table.6501"
    with pytest.raises(DataError, match=re.escape(f"race pkwkp/65: field {field}.{key}: {message}")):
        sirekap.parse_tally(tally, where="65.json", race="pkwkp/65")


@needs_shared
def test_kpus_own_non_candidate_keys_are_read():
    tally = sample("pilkada2024_hhcw_pkwkp_65.json")
    tally["tungsura"]["chart"]["null"] = None  # as TPS files carry it
    tally["tungsura"]["chart"]["psu"] = "Reguler"
    parsed = sirekap.parse_tally(tally, where="65.json", race="pkwkp/65")
    assert set(parsed.votes) == {"1000056", "1000057", "1000058"}
    assert all(set(row.votes) == set(parsed.votes) for row in parsed.rows)


# --------------------------------------------------------------------------- keys given twice


def test_yaml_keys_given_twice_are_named_with_path_and_lines():
    text = "races:\n  - race: pkwkp/64\n    tickets:\n      - {number: 1, votes: 5, votes: 6}\n"
    with pytest.raises(DuplicateKeyError) as caught:
        load_unique(text)
    (dup,) = caught.value.duplicates
    assert str(dup) == "key races.0.tickets.0.votes is given twice (line 4); keep one"
    assert load_unique("a: &x {b: 1}\nc:\n  <<: *x\n  b: 2\n") == {"a": {"b": 1}, "c": {"b": 2}}  # a merge overrides
    assert safe_load("a: 1\na: 2\n") == {"a": 2}  # front matter of articles on disk: read as PyYAML does


def test_a_duplicate_key_holds_back_its_race_only(tmp_path):
    document = safe_load(EXAMPLE_DATA.read_text(encoding="utf-8"))
    text = json.dumps(document, ensure_ascii=False, indent=1, default=str)
    # Give Kaltim's ticket 2 its votes twice, the second time a different figure.
    first = text.index('"votes": 962804')
    text = text[:first] + '"votes": 962804, "votes": 62804' + text[first + len('"votes": 962804'):]
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    items = {getattr(i, "race", None): i for i in read_file(path)}
    error = items["pkwkp/64"]
    assert isinstance(error, DataError)
    assert (error.where, error.field) == (str(path), "tickets.1.votes")
    assert "tickets.1.votes is given twice" in error.message
    assert all(isinstance(items[r], RaceSnapshot) for r in items if r != "pkwkp/64")


def test_a_duplicate_key_in_kpu_json_is_named_with_its_path():
    body = b'{"tungsura": {"chart": {"1000054": 5, "1000055": 7, "1000054": 9}}}'
    fetched = Fetched(url=KALTIM_URL, path="/pilkada/hhcw/pkwkp/64.json", status=200, body=body)
    with pytest.raises(DataError) as caught:
        live.decode_json(fetched, race="pkwkp/64")
    assert str(caught.value).startswith(f"{KALTIM_URL}: race pkwkp/64: field tungsura.chart.1000054: key '1000054' "
                                        "is given twice in one object")


def test_a_duplicate_key_in_config_is_a_config_error(tmp_path):
    (tmp_path / "races.yaml").write_text("races:\n  pkwkp/64:\n    notes: [a]\n  pkwkp/64:\n    notes: [b]\n")
    with pytest.raises(ConfigError, match=r"races.yaml: key races.pkwkp/64 is given twice \(lines 2 and 4\)"):
        load_config(tmp_path)


# --------------------------------------------------------------------------- times in the future


def test_data_timed_after_the_run_is_held_back(config):
    snap = read_file(EXAMPLE_DATA)[0]  # 28/11/2024 10.15.04 WIB = 11.15.04 Wita
    assert check(snap, None, None, config, now=NOW) == []  # 15 minutes after --now: inside the tolerance
    (finding,) = check(snap, None, None, config, now=NOW - timedelta(hours=3))
    assert (finding.field, finding.severity, finding.where) == ("timestamp", "error", str(EXAMPLE_DATA))
    assert finding.reason == ("expected a data time no later than 120 minutes after the run's time 28/11/2024 "
                              "07.00.00 WIB, found 28/11/2024 10.15.04 WIB; a clock or the file is wrong")
    future = snap.model_copy(update={"timestamp": datetime.fromisoformat("2099-01-01T00:00:00+07:00")})
    assert [f.field for f in check(future, None, None, config)] == ["timestamp"]  # no --now: the clock


def test_the_tolerance_is_a_setting(config):
    snap = read_file(EXAMPLE_DATA)[0]
    thresholds = config.publication.thresholds.model_copy(update={"future_tolerance_minutes": 0})
    strict = Config(config.publication.model_copy(update={"thresholds": thresholds}), config.regions,
                    config.races, config.folder)
    assert [f.field for f in check(snap, None, None, strict, now=NOW)] == ["timestamp"]


# --------------------------------------------------------------------------- race code, region, kind, year


def _race(text: str, tmp_path: Path, **changes: str) -> RaceSnapshot | DataError:
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "race.yaml"
    path.write_text(text, encoding="utf-8")
    return read_file(path)[0]


BERAU = (REPO / "tests" / "scenarios" / "recap-narrow-berau.yaml").read_text(encoding="utf-8")
SAMARINDA = (REPO / "tests" / "scenarios" / "real-count-kota-samarinda.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "changes", "field", "message"), [
    (BERAU, {"kind: bupati": "kind: walikota"}, "kind", "expected kind bupati (6403 is a kabupaten"),
    (BERAU, {"kind: bupati": "kind: gubernur"}, "kind", "expected kind bupati"),
    (SAMARINDA, {"kind: walikota": "kind: bupati"}, "kind", "expected kind walikota (6472 is a kota"),
    (BERAU, {"region: Berau": "region: Kota Berau"}, "region", "6403 is a regency (kabupaten), found the name"),
    (SAMARINDA, {"region: Kota Samarinda": "region: Kabupaten Samarinda"}, "region", "6472 is a city"),
])
def test_race_code_kind_and_region_agree(tmp_path, text, changes, field, message):
    item = _race(text, tmp_path, **changes)
    assert isinstance(item, DataError), item
    assert item.field == field and message in item.message, item


def test_kind_follows_the_code_when_left_out(tmp_path):
    snap = _race(SAMARINDA, tmp_path, **{"    kind: walikota\n": "", "region: Kota Samarinda": "region: Samarinda"})
    assert isinstance(snap, RaceSnapshot), snap
    assert (snap.kind.value, snap.region.name) == ("walikota", "Kota Samarinda")


def test_region_and_year_against_the_region_table(config):
    snap = read_file(EXAMPLE_DATA)[0]
    west_java = snap.model_copy(update={"region": snap.region.model_copy(update={"name": "Jawa Barat"}), "year": 2000})
    found = {f.field: f for f in check(west_java, None, None, config, now=NOW)}
    assert found["region"].reason.startswith("expected 'Kalimantan Timur', the province of race pkwkp/64 in "
                                             "regions.yaml, found 'Jawa Barat'")
    assert found["year"].reason == "expected 2024 (publication.yaml election_year), found 2000"
    assert {f.severity for f in found.values()} == {"error"}


@needs_shared
def test_a_kpu_name_that_contradicts_the_code_is_named_in_the_wilayah_file():
    paslon = sirekap.parse_paslon(sample("pilkada2024_paslon_pkwkk.json"), where="paslon")
    names = sirekap.parse_wilayah(sample("pilkada2024_wilayah_pkwkp_64.json"), where="https://x.example/64.json")
    tally = sirekap.parse_tally(sample("pilkada2024_hhcw_pkwkk_64_6403.json"), where="6403.json")
    names["6403"] = "KOTA BERAU"
    with pytest.raises(DataError) as caught:
        sirekap.snapshot_from_tally("pkwkk/6403", tally, paslon, region_name=names["6403"], child_names=None,
                                    source_url=KALTIM_URL, names_url=names.where, region_field=names.field("6403"))
    assert (caught.value.where, caught.value.field) == ("https://x.example/64.json", "[0].nama")
    names["6403"] = "B" * 5000
    with pytest.raises(DataError, match=r"field \[0\].nama: region 6403: expected a region name of at most 100"):
        sirekap.snapshot_from_tally("pkwkk/6403", tally, paslon, region_name=names["6403"], child_names=None,
                                    source_url=KALTIM_URL, names_url=names.where, region_field=names.field("6403"))


# --------------------------------------------------------------------------- provenance


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/a.json", "//x.example/a", "https://a b",
                                 "https://x.example/\x00", "file:///etc/passwd"])
def test_source_url_must_be_http(url):
    snap = read_file(EXAMPLE_DATA)[0]
    data = snap.model_dump()
    data["source_url"] = url
    with pytest.raises(ValueError, match=r"source_url\n.*expected an http:// or https:// URL"):
        RaceSnapshot.model_validate(data)


def test_findings_name_the_file_and_kpus_json_path(config):
    """An editor file's finding names the file; a KPU file's names its URL and JSON path."""
    editor = read_file(EXAMPLE_DATA)[0]
    earlier = editor.model_copy(update={"tps_reported": 6100, "timestamp": editor.timestamp - timedelta(hours=1)})
    (finding,) = check(editor, earlier, None, config, now=NOW)
    assert (finding.field, finding.where) == ("tps_reported", str(EXAMPLE_DATA))
    kpu = editor.model_copy(update={"origin": None})
    (finding,) = check(kpu, earlier, None, config, now=NOW)
    assert (finding.field, finding.where) == ("tungsura.chart.progres", KALTIM_URL)
    assert kpu == editor  # where it was typed is not part of the data


@needs_shared
def test_an_article_names_the_url_its_bytes_came_from(tmp_path):
    """A redirect within the host is followed and the front matter's source_url is the final URL."""
    root = _kaltara(tmp_path, lambda tally: None)
    moved = "/pilkada/hhcw/pkwkp/65-moved.json"
    (root / moved.lstrip("/")).write_bytes((root / "pilkada/hhcw/pkwkp/65.json").read_bytes())
    with SirekapServer(root) as server:
        server.fault("/pilkada/hhcw/pkwkp/65.json", "status", status=302, headers={"Location": moved})
        result = _generate(server, tmp_path / "out", "--race", "pkwkp/65")
        assert result.exit_code == 0, result.output
        (article,) = (tmp_path / "out").rglob("index.md")
        meta, _ = split_front_matter(article.read_text(encoding="utf-8"))
        assert meta["params"]["source_url"] == f"{server.url}{moved}"


@needs_shared
def test_a_redirect_to_another_host_holds_back_the_race_naming_both_urls(tmp_path):
    root = _kaltara(tmp_path, lambda tally: None)
    with SirekapServer(root) as server, SirekapServer(root) as other:
        target = f"{other.url}/pilkada/hhcw/pkwkp/65.json"
        server.fault("/pilkada/hhcw/pkwkp/65.json", "status", status=302, headers={"Location": target})
        result = _generate(server, tmp_path / "out", "--race", "pkwkp/65")
        assert other.requests == []
        url = f"{server.url}/pilkada/hhcw/pkwkp/65.json"
    assert result.exit_code == 1, result.output
    assert f"{url}: race pkwkp/65: HTTP 302 Found redirects to {target}" in result.output


def test_a_value_ending_in_three_dashes_does_not_end_the_front_matter(config):
    snap = read_file(REPO / "tests" / "scenarios" / "recap-narrow-berau.yaml")[0]
    data = snap.model_dump()
    data["region"]["name"] = "Kabupaten Berau ---"
    story = build_story(RaceSnapshot.model_validate(data), config, Phrases.load())
    assert "Kabupaten Berau ---" in story.tags
    text = front_matter({"title": story.headline, "tags": list(story.tags), "params": {"race": snap.race}}) + "\nx\n"
    meta, body = split_front_matter(text)
    assert meta["params"] == {"race": "pkwkk/6403"} and body == "\nx\n"


# --------------------------------------------------------------------------- our own JSON format


def test_json_sub_region_votes_have_string_keys_and_dump_json_reads_back(tmp_path):
    scenarios = REPO / "tests" / "scenarios"
    snapshots = [*read_file(EXAMPLE_DATA), *read_file(scenarios / "quick-count-clear.yaml"),
                 *read_file(scenarios / "recap-clear.yaml")]
    assert any(s.sub_regions for s in snapshots)
    text = dump_json(snapshots)
    assert '"votes": {\n            "1":' in text  # JSON keys are strings
    path = tmp_path / "again.json"
    path.write_text(text, encoding="utf-8")
    again = read_file(path)
    assert again == snapshots
    assert {s.origin for s in again} == {str(path)}


def test_a_nomor_urut_given_as_number_and_string_is_refused(tmp_path):
    document = json.loads(dump_json(read_file(EXAMPLE_DATA)))
    race = copy.deepcopy(document["races"][0])
    race["sub_regions"][0]["votes"] = {"1": 5, "01": 6}
    path = tmp_path / "twice.json"
    path.write_text(json.dumps({"format": "newsgen/1", "races": [race]}), encoding="utf-8")
    (error,) = read_file(path)
    assert isinstance(error, DataError) and error.field == "sub_regions.0.votes"
    assert "nomor urut 1 is given twice" in error.message
