"""Issue 19 follow-ups: round-ups that say which races are missing, DKI's administrative
places as a newsroom writes them, round-up links under the link policy, headlines within
the limit, and race stories linking their kecamatan pages.

Figures are SYNTHETIC (tests/stories/kaltim-local.yaml and variants made here).
"""

from __future__ import annotations

from pathlib import Path

from generator.config import load_config
from generator.phrases import Phrases
from generator.pipeline import generate
from generator.sources.files import read_file

from .conftest import EXAMPLE_DATA, REPO
from .test_stories import ALL, body_of, pages

KALTIM = REPO / "tests" / "stories" / "kaltim-local.yaml"


def _variant(tmp_path: Path, name: str, *replacements: tuple[str, str], source: Path = KALTIM) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


#: Berau's regent race with more TPS reported than it has: held back (a data error).
BERAU_BAD = ("tps: {reported: 240, total: 475}", "tps: {reported: 900, total: 475}")
#: Kaltim's governor race of the example data likewise.
KALTIM_BAD = ("      reported: 6048\n", "      reported: 9999\n")


# -- 1. a race held back is said to be missing from its round-ups ------------------------


def test_round_up_says_a_held_back_race_is_not_in_it(tmp_path, md_snapshot):
    out = tmp_path / "out"
    report = generate(read_file(_variant(tmp_path, "held", BERAU_BAD)), load_config(), out, stories=ALL)
    assert [p.race for p in report.held_back] == ["pkwkk/6403"]
    text = dict(pages(out))["hasil-pilkada-2024-kaltim"]
    body = body_of(text)
    # The lede counts the races the table holds, and says which one it does not.
    assert "memuat hasil sementara dua pemilihan kepala daerah di Kalimantan Timur" in body
    assert "Hasil Pilbup Berau 2024 belum dapat disajikan dalam rangkuman ini." in body
    assert "| Pilbup Berau 2024 | Data belum dapat ditampilkan | – | – | – |" in body
    assert text == md_snapshot(name="hasil-pilkada-2024-kaltim-held-back")
    # Its kecamatan pages are not written (the race has no story) and nothing else is lost.
    assert not any(slug.startswith("pilbup-berau-2024-") for slug, _ in pages(out))


def test_national_round_up_says_a_held_back_governor_race_is_not_in_it(tmp_path):
    out = tmp_path / "out"
    kaltim = _variant(tmp_path, "held", KALTIM_BAD, source=EXAMPLE_DATA)
    report = generate(read_file(kaltim), load_config(), out, stories=ALL)
    assert [p.race for p in report.held_back] == ["pkwkp/64"]
    body = body_of(dict(pages(out))["hasil-pilgub-2024-seluruh-indonesia"])
    assert "pemilihan gubernur di dua provinsi" in body
    assert "Pilgub Kaltim 2024 belum" in body or "data Pilgub Kaltim 2024." in body
    assert "| Kalimantan Timur | Data belum dapat ditampilkan | – | – | – |" in body
    assert "hasil-pilkada-2024-kaltim" not in dict(pages(out))  # no race of Kaltim left to round up


def test_held_back_races_are_named_from_what_the_run_has():
    from generator.heldback import HeldRace, held_races

    config, phrases = load_config(), Phrases.load()
    governor, *_ = read_file(KALTIM)
    found = held_races({"pkwkk/6403": None, "pkwkk/6472": None, "pkwkp/65": None, "local/6471": None,
                        "pkwkk/6407": None}, {"pkwkp/64": governor}, config, phrases)
    assert found == (
        HeldRace("pkwkk/6403", "64", "bupati", "Pilbup Berau 2024"),  # its kab/kota row in the governor race
        HeldRace("pkwkk/6407", "64", "bupati", "Pilbup Kutai Barat 2024"),
        HeldRace("pkwkk/6472", "64", "walikota", ""),  # Samarinda has no row here: counted, not named
        HeldRace("pkwkp/65", "65", "gubernur", "Pilgub Kaltara 2024"),  # from regions.yaml
    )


def test_held_sentence_counts_the_races_it_cannot_name():
    from generator.heldback import HeldRace
    from generator.roundup import _held_phrases

    phrases = Phrases.load()
    held = [HeldRace("pkwkk/6403", "64", "bupati", "Pilbup Berau 2024"),
            HeldRace("pkwkk/6472", "64", "walikota", ""), HeldRace("pkwkk/6474", "64", "walikota", "")]
    chosen = _held_phrases(held, phrases, "roundup/64")
    assert "Pilbup Berau 2024 dan dua pemilihan lain" in chosen["held"]
    assert _held_phrases([], phrases, "roundup/64") == {}


# -- 3. round-up table links follow the link policy in every mode ---------------------------


def _with_links(mode: str):
    from dataclasses import replace

    config = load_config()
    output = config.publication.output.model_copy(update={"links": mode})
    return replace(config, publication=config.publication.model_copy(update={"output": output}))


def test_round_up_table_links_by_policy(tmp_path):
    """published: no table link before an editor publishes the story; all: Markdown links;
    hugo: the `tautan` shortcode around the label, and a closing line that promises no link."""
    items = read_file(KALTIM)
    texts = {}
    for mode in ("published", "all", "hugo"):
        generate(items, _with_links(mode), tmp_path / mode, stories=ALL)
        texts[mode] = body_of(dict(pages(tmp_path / mode))["hasil-pilkada-2024-kaltim"])
    assert "| Pilgub Kaltim 2024 |" in texts["published"] and "](/" not in texts["published"]
    assert "disajikan dalam berita masing-masing" in texts["published"]
    assert "| [Pilgub Kaltim 2024](/pilkada-2024/pilgub-kaltim-2024/) |" in texts["all"]
    assert "ditautkan dalam tabel" in texts["all"]
    assert ('| {{< tautan "/pilkada-2024/pilgub-kaltim-2024/" >}}Pilgub Kaltim 2024{{< /tautan >}} |'
            in texts["hugo"])
    assert "](/" not in texts["hugo"].split("Baca Juga")[0]  # no plain Markdown link in the table
    assert "disajikan dalam berita masing-masing" in texts["hugo"]


def test_hugo_production_build_links_only_published_stories(tmp_path):
    """output.links: hugo and a production build (no --buildDrafts): the round-up, published,
    links the published governor story from its table and prints the draft stories' names
    without a link; every link lands on a built page; no warning."""
    import shutil
    import subprocess

    from .test_hugo import LOG_PROBLEM, SECTION, SITE, hugo_or_skip, parse_page

    hugo = hugo_or_skip()
    site = tmp_path / "site"
    shutil.copytree(SITE, site, ignore=shutil.ignore_patterns("content", "public", "resources", ".hugo_build.lock"))
    content = site / "content" / SECTION
    report = generate(read_file(KALTIM), _with_links("hugo"), content, state=tmp_path / "state", stories=ALL)
    assert report.exit_code == 0
    for slug in ("hasil-pilkada-2024-kaltim", "pilgub-kaltim-2024", "pilgub-kaltim-2024-paser"):
        page = content / slug / "index.md"
        page.write_text(page.read_text(encoding="utf-8").replace("draft: true", "draft: false", 1), encoding="utf-8")
    public = tmp_path / "public"
    result = subprocess.run([hugo, "--source", str(site), "--destination", str(public), "--cacheDir",
                             str(tmp_path / "cache")], capture_output=True, text=True, timeout=120, check=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0 and not LOG_PROBLEM.search(log), log
    roundup = public / SECTION / "hasil-pilkada-2024-kaltim" / "index.html"
    hrefs = [h for h in parse_page(roundup).hrefs if h.startswith(f"/{SECTION}/")]
    assert f"/{SECTION}/pilgub-kaltim-2024/" in hrefs
    assert not any("pilbup-berau" in h or "pilwalkot-balikpapan" in h for h in hrefs)
    for href in hrefs:
        assert (public / href.strip("/") / "index.html").is_file(), href
    html = roundup.read_text(encoding="utf-8")
    assert "<td>Pilbup Berau 2024</td>" in html and "<td>Pilwalkot Balikpapan 2024</td>" in html
    assert f'<td><a href="/{SECTION}/pilgub-kaltim-2024/">Pilgub Kaltim 2024</a></td>' in html


# -- 4. headlines within the limit, never a clipped name ------------------------------------

#: Berau's regent race with long pair names (no races.yaml short forms) and a tie in Gunung Tabur.
LONG_NAMES = (
    ('head: "Hj. SRI JUNIARSIH MAS, M.Pd.", deputy: "H. GAMALIS, S.E."',
     'head: "ANAK AGUNG NGURAH GEDE KUSUMA WARDANA", deputy: "I GUSTI AYU KADEK SRI WAHYUNINGSIH"'),
    ('head: "MADRI PANI, S.E.", deputy: "Ir. H. AGUS WAHYUDI, M.M."',
     'head: "KRISTOFORUS BONIFASIUS NATALIS", deputy: "MARIA GORETTI ANASTASIA WULANDARI"'),
    ("votes: {1: 8000, 2: 9412}", "votes: {1: 8000, 2: 8000}"),
    ("votes: {1: 7412, 2: 9000}", "votes: {1: 7412, 2: 10412}"),
)


def test_long_pair_names_get_a_shorter_headline(tmp_path):
    from generator.local import HEADLINE_MAX
    from generator.writer import split_front_matter

    out = tmp_path / "out"
    # Other people on Berau's tickets: the sitting regent and her deputy run on none of them.
    (tmp_path / "races.yaml").write_text("races:\n  pkwkk/6403:\n    incumbents: []\n", encoding="utf-8")
    report = generate(read_file(_variant(tmp_path, "long", *LONG_NAMES)), load_config(tmp_path), out, stories=ALL)
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    meta = {slug: split_front_matter(text)[0] for slug, text in pages(out)}
    assert meta["pilbup-berau-2024-gunung-tabur"]["title"] == (
        "Perolehan Suara Imbang Sementara di Gunung Tabur pada Pilbup Berau 2024")
    assert meta["pilbup-berau-2024-sambaliung"]["title"] == "Perolehan Suara Sementara Pilbup Berau 2024 di Sambaliung"
    for slug, front in meta.items():
        assert len(front["title"]) <= HEADLINE_MAX and len(front["seo_title"]) <= 70, slug
        assert "…" not in front["title"] + front["seo_title"], slug
    # The pair names stay in the page, in full.
    body = body_of(dict(pages(out))["pilbup-berau-2024-gunung-tabur"])
    assert "Kristoforus Bonifasius Natalis" in body and "Anak Agung Ngurah Gede Kusuma Wardana" in body



# -- 2. DKI Jakarta's administrative cities and regency -------------------------------------

DKI = REPO / "tests" / "stories" / "dki-count-under-half.yaml"


def test_kpu_abbreviations_are_written_out():
    from generator.names import case_place

    regions = load_config().regions
    assert regions.place(case_place("KOTA ADM. JAKARTA PUSAT")) == "Kota Administrasi Jakarta Pusat"
    assert regions.place(case_place("KAB. ADM. KEP. SERIBU")) == "Kabupaten Administrasi Kepulauan Seribu"
    assert regions.place(case_place("KOTA PALANGKARAYA")) == "Kota Palangka Raya"  # places still apply


def test_place_names_of_administrative_kab_kota():
    from generator.local import KABKOTA, place_names
    from generator.models import SubRegion

    def row(code: str, name: str) -> SubRegion:
        return SubRegion(code=code, name=name, votes={}, tps_reported=0, tps_total=1)

    rows = (row("3171", "Kota Administrasi Jakarta Pusat"), row("3101", "Kabupaten Administrasi Kepulauan Seribu"),
            row("3174", "Jakarta Selatan"), row("6471", "Kota Balikpapan"))
    assert place_names(rows, KABKOTA) == {
        "3171": ("Kota Administrasi Jakarta Pusat", "Jakarta Pusat"),
        "3101": ("Kabupaten Administrasi Kepulauan Seribu", "Kepulauan Seribu"),
        "3174": ("Kota Jakarta Selatan", "Jakarta Selatan"),  # KPU's name says nothing, the province does
        "6471": ("Kota Balikpapan", "Balikpapan"),
    }
    assert place_names(rows[2:3], KABKOTA, administrative=True)["3174"] == (
        "Kota Administrasi Jakarta Selatan", "Jakarta Selatan")


def test_dki_pages_name_places_as_a_newsroom_does(tmp_path):
    """KPU's "KOTA ADM. JAKARTA SELATAN" and "KAB. ADM. KEP. SERIBU": the headline and slug
    use the short name, the lede the full one; never "Adm." on a page."""
    path = _variant(tmp_path, "dki", ('{code: "3172", name: KOTA ADM. JAKARTA TIMUR,',
                                      '{code: "3101", name: KAB. ADM. KEP. SERIBU,'), source=DKI)
    out = tmp_path / "out"
    report = generate(read_file(path), load_config(), out, stories=ALL)
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    found = dict(pages(out))
    assert {"pilgub-jakarta-2024-jakarta-selatan", "pilgub-jakarta-2024-kepulauan-seribu"} <= set(found)
    selatan, seribu = found["pilgub-jakarta-2024-jakarta-selatan"], found["pilgub-jakarta-2024-kepulauan-seribu"]
    assert "title: Pramono-Rano Unggul Sementara di Jakarta Selatan pada Pilgub Jakarta 2024" in selatan
    assert "DKI Jakarta 2024 di Kota Administrasi Jakarta Selatan mencatat" in body_of(selatan)
    assert "Kepulauan Seribu" in seribu.split("\n", 2)[1]  # the title
    assert "DKI Jakarta 2024 di Kabupaten Administrasi Kepulauan Seribu " in body_of(seribu)
    assert all("Adm." not in text and "Kab." not in text for text in found.values())


# -- 5. a regent/mayor story lists its kecamatan pages ------------------------------------------


def test_race_story_lists_its_kecamatan_pages_only_when_they_are_written(tmp_path, md_snapshot):
    """With --stories kecamatan, Berau's story gets one line after its table linking each
    kecamatan page (by code); Baca Juga keeps what it had. Without it, no line."""
    items = read_file(KALTIM)
    generate(items, _with_links("all"), tmp_path / "races", stories=frozenset({"races", "local", "roundups"}))
    generate(items, _with_links("all"), tmp_path / "all", stories=ALL)
    without = body_of((tmp_path / "races" / "pilbup-berau-2024" / "index.md").read_text(encoding="utf-8"))
    with_pages = body_of((tmp_path / "all" / "pilbup-berau-2024" / "index.md").read_text(encoding="utf-8"))
    line = ("**Hasil per kecamatan:** [Tanjung Redeb](/pilkada-2024/pilbup-berau-2024-tanjung-redeb/), "
            "[Gunung Tabur](/pilkada-2024/pilbup-berau-2024-gunung-tabur/), "
            "[Sambaliung](/pilkada-2024/pilbup-berau-2024-sambaliung/)")
    assert "Hasil per kecamatan" not in without
    assert line in with_pages
    assert with_pages.replace(line + "\n\n", "") == without  # nothing else moves
    assert (tmp_path / "all" / "pilbup-berau-2024" / "index.md").read_text(encoding="utf-8") == md_snapshot(
        name="pilbup-berau-2024-with-kecamatan-pages")
    # Balikpapan's mayor race: one kecamatan without data has no page, so no link.
    balikpapan = body_of((tmp_path / "all" / "pilwalkot-balikpapan-2024" / "index.md").read_text(encoding="utf-8"))
    assert "Balikpapan Utara](" not in balikpapan and "[Balikpapan Selatan](" in balikpapan


def test_kecamatan_line_follows_the_publication_policy(tmp_path):
    """published (the default): only pages an editor published; none on a first run, so no line;
    once a kecamatan page is published, the next run lists that one."""
    items = read_file(KALTIM)
    out = tmp_path / "out"
    generate(items, load_config(), out, stories=ALL)
    story = out / "pilbup-berau-2024" / "index.md"
    assert "Hasil per kecamatan" not in story.read_text(encoding="utf-8")
    page = out / "pilbup-berau-2024-sambaliung" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("draft: true", "draft: false", 1), encoding="utf-8")
    generate(items, load_config(), out, stories=ALL)
    assert ("**Hasil per kecamatan:** [Sambaliung](/pilkada-2024/pilbup-berau-2024-sambaliung/)\n"
            in story.read_text(encoding="utf-8"))


def test_empty_places_leave_the_fingerprint_as_it_was():
    from generator.article import fingerprint
    from generator.decide import as_run
    from generator.story import Link, build_story

    config, phrases = load_config(), Phrases.load()
    story = build_story(as_run(read_file(KALTIM)[1], config), config, phrases)
    assert "places" not in repr(story)
    listed = story.evolve(places=(Link("Tanjung Redeb", "/pilkada-2024/pilbup-berau-2024-tanjung-redeb/"),))
    assert fingerprint(listed, ()) != fingerprint(story, ()) == fingerprint(story.evolve(places=()), ())


def test_hugo_build_of_kecamatan_line_with_a_hostile_name(tmp_path):
    """output.links: hugo: the line uses the tautan shortcode; a kecamatan name with a shortcode,
    a pipe and HTML prints as text; every link lands on a built page; no warning."""
    import shutil
    import subprocess

    from .test_hugo import LOG_PROBLEM, SECTION, SITE, hugo_or_skip, parse_page

    hugo = hugo_or_skip()
    hostile = "Gunung {{< x >}} | <b>*y*</b>"
    path = _variant(tmp_path, "hostile", ("name: Gunung Tabur,", f"name: '{hostile}',"))
    site = tmp_path / "site"
    shutil.copytree(SITE, site, ignore=shutil.ignore_patterns("content", "public", "resources", ".hugo_build.lock"))
    content = site / "content" / SECTION
    report = generate(read_file(path), _with_links("hugo"), content, state=tmp_path / "state", stories=ALL)
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    public = tmp_path / "public"
    result = subprocess.run([hugo, "--buildDrafts", "--source", str(site), "--destination", str(public),
                             "--cacheDir", str(tmp_path / "cache")], capture_output=True, text=True, timeout=120,
                            check=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0 and not LOG_PROBLEM.search(log), log
    built = public / SECTION / "pilbup-berau-2024" / "index.html"
    hrefs = [h for h in parse_page(built).hrefs if h.startswith(f"/{SECTION}/pilbup-berau-2024-")]
    assert len(hrefs) == 3
    for href in hrefs:
        assert (public / href.strip("/") / "index.html").is_file(), href
    html = built.read_text(encoding="utf-8")
    assert "Gunung {{&lt; x &gt;}} | &lt;b&gt;*y*&lt;/b&gt;</a>" in html and "<b>*y*" not in html
