"""A corpus of bad input, one file per case (tests/corpus/*.yaml).

Each file says in its header what must happen: ``held_back`` (exit 1, the race's
earlier files byte-identical), ``held_back_file`` (the whole file refused) or
``flagged`` (written as a draft with review flags in front matter, manifest and
review report), and a piece of the message, which must name race and field.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.writer import split_front_matter

from .conftest import REPO

CORPUS = sorted((REPO / "tests" / "corpus").glob("*.yaml"))
KALTIM = "pilgub-kaltim-2024/index.md"


def header(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^# (expect|message|strict): (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE))


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    """A good run's output folder and its state folder (manifest, review page)."""
    root = tmp_path_factory.mktemp("good")
    result = CliRunner().invoke(main, ["generate", "--out", str(root / "out"), "--state", str(root / "state")])
    assert result.exit_code == 0, result.output
    return root


def test_corpus_is_complete():
    names = {p.stem for p in CORPUS}
    for case in ["negative-votes", "non-integer-votes", "tps-reported-above-total", "unknown-ticket-in-sub-region",
                 "unparseable-timestamp", "rows-do-not-add-up", "inflated-sub-region", "count-goes-backwards",
                 "older-timestamp", "share-jump", "above-voter-roll", "malformed-yaml"]:
        assert case in names
    for path in CORPUS:
        assert header(path)["expect"] in {"held_back", "held_back_file", "flagged"}, path.name


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_bad_input_case(tmp_path, good_run, path):
    shutil.copytree(good_run, tmp_path / "run")
    out, kept = tmp_path / "run" / "out", tmp_path / "run" / "state"
    before = state(out)
    spec = header(path)
    args = ["generate", "--input", str(path), "--out", str(out), "--state", str(kept)]
    result = CliRunner().invoke(main, args + (["--strict"] if spec.get("strict") else []))
    after = state(out)
    manifest = {e["race"]: e for e in json.loads((kept / "manifest.json").read_text())["articles"]}
    if spec["expect"] == "flagged":
        assert result.exit_code == 0, result.output
        meta, _ = split_front_matter((out / KALTIM).read_text(encoding="utf-8"))
        flags = meta["params"]["review_flags"]
        assert any(spec["message"] in flag and flag.startswith("race pkwkp/64: field ") for flag in flags), flags
        assert manifest["pkwkp/64"]["flags"] == flags
        assert spec["message"] in (kept / "review.md").read_text(encoding="utf-8").replace("\\_", "_")
    else:
        assert result.exit_code == 1, result.output
        assert spec["message"] in result.output
        assert after == before  # every file of the earlier good run byte-identical, mtime too
        if spec["expect"] == "held_back":
            assert re.search(r"held back pkwkp/64: .*race pkwkp/64: field \S+: ", result.output), result.output
            assert manifest["pkwkp/64"]["status"] == "held_back"
            assert manifest["pkwkp/64"]["path"] == KALTIM
        else:
            assert f"held back {path}" in result.output
