"""Variety across a night: no sentence skeleton but the caveat in more than 25% of articles.

Measured on the synthetic national tree (545 races) with ``scripts/repetition.py``, the
script a desk runs on a folder of written articles.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from generator.render import Renderer
from tests.support.synthetic_tree import iter_tree

from .conftest import REPO, SHARED, needs_shared


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / f"scripts/{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def repetition() -> ModuleType:
    return _script("repetition")


def test_skeleton_masks_names_and_numbers(repetition):
    mask = repetition.mask
    assert (mask("Pasangan nomor urut 4, Ir. Abdul Razak - Ir. H. Sri Suwanto, M.S., berada di posisi keempat "
                 "dengan 5,23% suara (67.016 suara).")
            == "Pasangan nomor urut N, X, berada di posisi N dengan N suara (N suara).")
    # A sentence that starts with a name loses it; one that starts with a word keeps the word.
    assert mask("Rudy-Seno unggul di 8 dari 10 kabupaten/kota.") == "X unggul di N dari N kabupaten/kota."
    assert mask("Raihan Rudy-Seno setara dengan 962.804 suara.") == "Raihan X setara dengan N suara."
    assert mask("Hasil resmi ditetapkan KPU Provinsi Kalimantan Timur melalui rekapitulasi.") == (
        "Hasil resmi ditetapkan X melalui rekapitulasi.")


def test_links_charts_and_the_sign_off_are_not_sentences(repetition):
    body = ("Angka itu dari Sirekap.\n\n![Grafik](chart.svg)\n\n**Baca Juga:** [Judul](/a/)\n\n"
            "| A | B |\n\nPembaruan data akan disampaikan. (*)\n")
    assert repetition.skeletons(body) == {"Angka itu dari X", "Pembaruan data akan disampaikan."}


def test_the_caveat_is_the_only_exemption(repetition, config):
    exempt = repetition.exempt(config)
    assert "Meski begitu, hasil ini belum final." in exempt
    assert not any("Sirekap" in s or "redaksi" in s for s in exempt)


@needs_shared
def test_national_night_repeats_no_skeleton_in_more_than_a_quarter(repetition, config):
    _script("link_spread")
    files = dict(iter_tree(SHARED))
    stories = sys.modules["link_spread"].stories_from_tree(files, config)
    renderer = Renderer(config)
    counter, total = repetition.count(renderer.body(story) for story in stories)
    assert total == 545
    exempt = repetition.exempt(config)
    skeleton, share = repetition.worst(counter, total, exempt)
    assert share <= repetition.LIMIT, (skeleton, share)
    # The measure sees what it should: the caveat is in every article, split over its variants.
    caveats = sum(n for s, n in counter.items() if s in exempt and "belum final" in s)
    assert caveats == total
