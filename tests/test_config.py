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


def test_user_folder_overrides_one_file(tmp_path):
    races = "races:\n  pkwkp/64:\n    tickets:\n      2: {head_short: Rudy}\n"
    (tmp_path / "races.yaml").write_text(races, encoding="utf-8")
    config = load_config(tmp_path)
    assert config.notes("pkwkp/64").tickets[2].head_short == "Rudy" and not config.notes("pkwkp/64").incumbents
    assert config.publication.outlet == "PROKAL.CO"  # the rest from the defaults


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
