"""The embedded example: snapshot per article, examples/articles kept current,
and the same article from KPU's real file."""

from __future__ import annotations

import json

import pytest

from generator.config import load_config
from generator.pipeline import generate
from generator.sources import sirekap
from generator.sources.files import read_file
from generator.writer import split_front_matter

from .conftest import EXAMPLE_DATA, REPO, SAMPLES, needs_shared

ARTICLES = REPO / "examples" / "articles"
NAMES = ["pilgub-kaltim-2024", "pilgub-kalteng-2024", "pilgub-kaltara-2024"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples")
    report = generate(read_file(EXAMPLE_DATA), load_config(), out)
    assert report.exit_code == 0 and not report.held_back
    return out


@pytest.mark.parametrize("name", NAMES)
def test_example_article_snapshot(generated, md_snapshot, name):
    assert (generated / name / "index.md").read_text(encoding="utf-8") == md_snapshot


def test_examples_folder_is_current(generated):
    def tree(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    committed, fresh = tree(ARTICLES), tree(generated)
    assert sorted(committed) == sorted(fresh)
    for name in committed:
        assert committed[name] == fresh[name], (
            f"examples/articles/{name} is stale: run `rm -rf examples/articles && newsgen generate --out examples/articles` and review the diff"
        )


@needs_shared
def test_kpu_file_gives_the_same_article(tmp_path, generated):
    """Kaltim parsed from KPU's own file renders the same text as our example data."""
    load = lambda name: json.loads((SAMPLES / name).read_bytes())  # noqa: E731
    paslon = sirekap.parse_paslon(load("pilkada2024_paslon_pkwkp.json"), where="paslon")
    provinces = sirekap.parse_wilayah(load("pilkada2024_wilayah_pkwkp_0.json"), where="wilayah 0")
    kab = sirekap.parse_wilayah(load("pilkada2024_wilayah_pkwkp_64.json"), where="wilayah 64")
    raw = (SAMPLES / "pilkada2024_hhcw_pkwkp_64.json").read_bytes()
    tally = sirekap.parse_tally(json.loads(raw), where="hhcw 64")
    kaltim = sirekap.snapshot_from_tally(
        "pkwkp/64", tally, paslon, region_name=provinces["64"], child_names=kab,
        source_url=sirekap.DEFAULT_BASE_URL + sirekap.tally_path("pkwkp/64"),
    )
    example = read_file(EXAMPLE_DATA)
    assert kaltim.votes == example[0].votes
    assert (kaltim.tps_reported, kaltim.tps_total, kaltim.timestamp) == (6048, 6274, example[0].timestamp)
    assert kaltim.sub_regions == example[0].sub_regions
    out = tmp_path / "kpu"
    generate([kaltim, *example[1:]], load_config(), out)
    meta_kpu, body_kpu = split_front_matter((out / "pilgub-kaltim-2024" / "index.md").read_text(encoding="utf-8"))
    meta_ex, body_ex = split_front_matter((generated / "pilgub-kaltim-2024" / "index.md").read_text(encoding="utf-8"))
    assert body_kpu == body_ex
    assert meta_kpu["title"] == meta_ex["title"]
