from __future__ import annotations

import pytest

from generator.config import data_path, load_config
from generator.errors import ConfigError


def test_packaged_defaults_load(config):
    assert config.publication.outlet == "PROKAL.CO"
    assert len(config.regions.provinces) == 38
    kaltim = config.province("64")
    assert (kaltim.name, kaltim.short, kaltim.zone, kaltim.island) == ("Kalimantan Timur", "Kaltim", "WITA", "Kalimantan")
    assert config.province("6472").name == "Kalimantan Timur"  # kab/kota codes find their province
    assert [(p.name, p.role, p.period) for p in config.notes("pkwkp/64").incumbents] == [
        ("Isran Noor", "kepala", "2018-2023"), ("Hadi Mulyadi", "wakil", "2018-2023")]
    assert config.notes("pkwkk/9999").incumbents == []
    assert config.province("11").election_body == "KIP" and config.province("64").election_body == "KPU"


def test_every_governor_race_has_its_incumbents_researched(config):
    """All 37 governor races: incumbents as people with a role, a period and a source (or none)."""
    governor = [code for code, p in config.regions.provinces.items() if p.governor_race]
    for code in governor:
        notes = config.races.races.get(f"pkwkp/{code}")
        assert notes is not None and notes.tickets, f"pkwkp/{code}: no readers' names researched"
        for person in notes.incumbents:
            assert person.source.startswith("https://") or person.source.startswith("http://")
            assert person.office.endswith(config.province(code).name.replace("DKI ", "")), person


@pytest.mark.parametrize(
    ("code", "zone"),
    [("11", "WIB"), ("31", "WIB"), ("61", "WIB"), ("62", "WIB"), ("63", "WITA"), ("51", "WITA"), ("73", "WITA"),
     ("81", "WIT"), ("91", "WIT"), ("96", "WIT")],
)
def test_time_zones(config, code, zone):
    assert config.province(code).zone == zone


def test_regions_table_is_consistent(config):
    provinces = config.regions.provinces
    governor = [code for code, p in provinces.items() if p.governor_race]
    assert len(governor) == 37 and "34" not in governor
    for code, province in provinces.items():
        assert code not in province.neighbours
        for other in province.neighbours:
            assert code in provinces[other].neighbours, (code, other)


def test_unknown_province_is_a_config_error(config):
    with pytest.raises(ConfigError, match="no province '99'"):
        config.province("99")


def test_a_user_races_file_merges_over_the_defaults(tmp_path):
    """A user's races.yaml changes one ticket's short name: the race keeps its researched
    incumbents and the other tickets' names (mappings merge), every other file its defaults."""
    races = "races:\n  pkwkp/64:\n    tickets:\n      2: {head_short: Rudy}\n"
    (tmp_path / "races.yaml").write_text(races, encoding="utf-8")
    config, defaults = load_config(tmp_path), load_config()
    notes, shipped = config.notes("pkwkp/64"), defaults.notes("pkwkp/64")
    assert notes.tickets[2].head_short == "Rudy" and notes.incumbents == shipped.incumbents
    assert notes.tickets[2].deputy_short == shipped.tickets[2].deputy_short and notes.tickets[1] == shipped.tickets[1]
    assert config.races.races.keys() == defaults.races.races.keys()
    assert config.publication == defaults.publication and config.regions == defaults.regions
    assert config.path("races.yaml") == tmp_path / "races.yaml"
    assert config.path("publication.yaml") == data_path("config") / "publication.yaml"


def test_a_partial_publication_file_keeps_every_other_default(tmp_path):
    (tmp_path / "publication.yaml").write_text("thresholds: {narrow_margin: 3}\n", encoding="utf-8")
    config, defaults = load_config(tmp_path), load_config()
    assert config.publication.thresholds.narrow_margin == 3
    assert config.publication.thresholds.model_dump(exclude={"narrow_margin"}) == \
        defaults.publication.thresholds.model_dump(exclude={"narrow_margin"})
    assert config.publication.model_dump(exclude={"thresholds"}) == defaults.publication.model_dump(exclude={"thresholds"})
    assert config.publication.stock.caveat == defaults.publication.stock.caveat  # not replaced by an empty stock


def test_lists_and_values_replace_the_default_whole(tmp_path):
    (tmp_path / "publication.yaml").write_text(
        "categories: [Pemilu Daerah]\noutlet: KALTIMPOST\nstock: {caveat: {real_count: Belum final.}}\n"
        "review_url: null\n", encoding="utf-8")
    publication = load_config(tmp_path).publication
    assert publication.categories == ["Pemilu Daerah"] and publication.outlet == "KALTIMPOST"
    assert publication.stock.caveat["real_count"] == "Belum final."
    assert "official_recap_rerun" in publication.stock.caveat  # the other caveats stay


def test_a_config_file_may_be_named_on_its_own(tmp_path):
    path = tmp_path / "publication.yaml"
    path.write_text("thresholds: {narrow_margin: 3}\n", encoding="utf-8")
    assert load_config(path).publication.thresholds.narrow_margin == 3
    other = tmp_path / "settings.yaml"
    other.write_text("thresholds: {narrow_margin: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"settings.yaml: expected a folder, or a file named publication.yaml"):
        load_config(other)


def test_an_unknown_key_in_a_partial_file_names_the_file_and_key(tmp_path):
    (tmp_path / "publication.yaml").write_text("thresholds: {narow_margin: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert f"{tmp_path / 'publication.yaml'}: thresholds.narow_margin: unknown key (check the spelling)" in str(info.value)


def test_a_partial_file_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "publication.yaml").write_text("- thresholds\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"publication.yaml: expected a mapping of settings"):
        load_config(tmp_path)
    (tmp_path / "publication.yaml").write_text("", encoding="utf-8")
    assert load_config(tmp_path).publication == load_config().publication  # an empty file changes nothing


def test_all_problems_are_reported_at_once(tmp_path):
    (tmp_path / "races.yaml").write_text("races:\n  pkwkp/64:\n    incumbant: 2\n", encoding="utf-8")
    (tmp_path / "regions.yaml").write_text("provinces: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert "races.yaml: races.pkwkp/64.incumbant: unknown key" in message
    assert "regions.yaml:2: malformed YAML" in message


def test_missing_folder(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope")


def test_data_path_finds_shipped_folders():
    assert (data_path("templates", "id") / "article.md.j2").exists()
    assert (data_path("config") / "publication.yaml").exists()
    with pytest.raises(ConfigError, match="reinstall"):
        data_path("no-such-folder")


def test_the_year_is_one_setting(tmp_path):
    publication = load_config().publication
    assert (publication.section, publication.categories, publication.public_site) == (
        "pilkada-2024", ["Pilkada 2024"], "https://pilkada2024.kpu.go.id/")
    (tmp_path / "publication.yaml").write_text("election_year: 2029\n", encoding="utf-8")
    publication = load_config(tmp_path).publication
    assert (publication.section, publication.categories, publication.public_site) == (
        "pilkada-2029", ["Pilkada 2029"], "https://pilkada2029.kpu.go.id/")


@pytest.mark.parametrize(("setting", "key"), [
    ("section: pilkada-2024", "section"),
    ("public_site: https://pilkada2024.kpu.go.id/", "public_site"),
    ("categories: [Berita, Pilkada 2024]", "categories.1"),
])
def test_a_setting_naming_another_year_is_refused(tmp_path, setting, key):
    (tmp_path / "publication.yaml").write_text(f"election_year: 2029\n{setting}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert f"publication.yaml: {key}: " in str(info.value)
    assert "names 2024, but election_year is 2029; set" in str(info.value)
    assert "{year} stands for election_year" in str(info.value)
