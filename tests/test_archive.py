"""Archive manifests (generator/archive.py) that were edited, damaged or written by something else.

A wrong top-level shape is a ConfigError naming manifest.json and the field; a
single bad value costs only the file or race it concerns. Replays of a whole
recorded night are in tests/test_live.py and tests/test_cli_sirekap.py.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.archive import MANIFEST, Archive
from generator.errors import ConfigError, DataError
from generator.fetch import Fetched

BASE = "https://sirekappilkada-obj-data.kpu.go.id"
TALLY = "/pilkada/hhcw/pkwkp/64.json"
NAMES = "/wilayah/pilkada/pkwkp/0.json"
AT = datetime(2024, 11, 28, 3, 15, 4, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A recorded archive of two files and two races."""
    archive = Archive.for_recording(tmp_path / "night", BASE)
    for path, body in ((TALLY, b'{"mode":"hhcw"}'), (NAMES, b"[]")):
        archive.record(Fetched(path, BASE + path, body, 200, '"v1"', "Thu, 28 Nov 2024 03:15:04 GMT", AT))
    archive.add_races(["pkwkp/64", "pkwkk/6472"])
    archive.save()
    return archive.folder


def edit(folder: Path, change) -> dict:
    manifest = json.loads((folder / MANIFEST).read_bytes())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def get(archive: Archive, path: str):
    try:
        return asyncio.run(archive.get(path))
    except DataError as exc:
        return exc


def test_a_good_manifest_replays(folder):
    archive = Archive.for_replay(folder)
    assert archive.races == ["pkwkk/6472", "pkwkp/64"] and archive.problems == [] and archive.bad == {}
    fetched = get(archive, TALLY)
    assert (fetched.url, fetched.body, fetched.fetched_at) == (BASE + TALLY, b'{"mode":"hhcw"}', AT)


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("yesterday", "'yesterday'"),
        ("0001-01-01T00:00:00+00:00", "'0001-01-01T00:00:00+00:00'"),
        ("9999-12-31T23:59:59-08:00", "'9999-12-31T23:59:59-08:00'"),
        ("2024-11-28T03:15:04", "'2024-11-28T03:15:04'"),  # no UTC offset
    ],
    ids=["unparseable", "year-1", "year-9999", "naive"],
)
def test_a_bad_fetched_at_costs_only_its_file(folder, value, found):
    edit(folder, lambda m: m["files"][TALLY].update(fetched_at=value))
    archive = Archive.for_replay(folder)
    error = get(archive, TALLY)
    assert isinstance(error, DataError)
    assert str(error) == (
        f'{folder / MANIFEST}: field files["{TALLY}"].fetched_at: expected an ISO 8601 time with a UTC offset in '
        f"the years 1970 to 2999 (e.g. 2024-11-28T03:15:04+00:00), found {found}; record the file again with "
        f"`newsgen fetch --archive {folder}`")
    assert get(archive, NAMES).body == b"[]"  # the other file is fine


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"fetched_at": 20241128}, "fetched_at", "expected a string, found a number"),
        ({"fetched_at": None}, "fetched_at", "expected a string, found null"),
        ({"status": "200"}, "status", "expected a whole number or null, found a string"),
        ({"status": True}, "status", "expected a whole number or null, found true/false"),
        ({"status": 2000}, "status", "expected an HTTP status (100 to 599), found 2000"),
        ({"url": "javascript:alert(1)"}, "url", "expected an http(s) URL, found 'javascript:alert(1)'"),
        ({"colour": "red"}, "colour", "unknown field (expected url, path, fetched_at, status, etag, "
                                      "last_modified, sha256, bytes, error)"),
    ],
)
def test_a_bad_entry_field_costs_only_its_file(folder, change, field, reason):
    edit(folder, lambda m: m["files"][TALLY].update(change))
    archive = Archive.for_replay(folder)
    error = get(archive, TALLY)
    assert isinstance(error, DataError) and error.where == str(folder / MANIFEST)
    assert error.field == f'files["{TALLY}"].{field}'
    assert error.message.startswith(reason + "; record the file again")
    assert get(archive, NAMES).body == b"[]"


def test_an_entry_that_is_not_an_object_costs_only_its_file(folder):
    edit(folder, lambda m: m["files"].update({TALLY: ["not", "an", "object"]}))
    error = get(Archive.for_replay(folder), TALLY)
    assert error.field == f'files["{TALLY}"]'
    assert error.message.startswith("expected an object of the response's fields, found a list")


def test_recording_fetches_a_bad_entry_again_and_keeps_the_others_as_found(folder):
    manifest = edit(folder, lambda m: (m["files"][TALLY].update(fetched_at="soon"),
                                       m["files"][NAMES].update(status="odd")))
    archive = Archive.for_recording(folder, BASE)
    assert archive.lookup(TALLY) is None  # nothing to revalidate: fetched whole
    archive.record(Fetched(TALLY, BASE + TALLY, b'{"new":1}', 200, '"v2"', None, AT))
    archive.save()
    again = json.loads((folder / MANIFEST).read_bytes())
    assert again["files"][TALLY]["fetched_at"] == AT.isoformat()
    assert again["files"][NAMES] == manifest["files"][NAMES]  # not fetched this time: written back as found
    assert get(Archive.for_replay(folder), TALLY).body == b'{"new":1}'


@pytest.mark.parametrize(
    ("races", "problems"),
    [
        (["pkwkp/64", 64, "pkwkk/6472"], [("races[1]", None, "found 64")]),
        (["pkwkp/64", "../../etc", "pkwkk/64", "PKWKP/64", None],
         [("races[1]", "../../etc", 'found "../../etc"'), ("races[2]", "pkwkk/64", 'found "pkwkk/64"'),
          ("races[3]", "PKWKP/64", 'found "PKWKP/64"'), ("races[4]", None, "found null")]),
    ],
    ids=["not-a-string", "malformed"],
)
def test_a_bad_race_entry_is_left_out_and_named(folder, races, problems):
    edit(folder, lambda m: m.update(races=races))
    archive = Archive.for_replay(folder)
    assert archive.races == sorted(r for r in races if r in ("pkwkp/64", "pkwkk/6472"))
    assert [(p.field, p.race, p.where) for p in archive.problems] == [
        (field, race, str(folder / MANIFEST)) for field, race, _ in problems]
    for problem, (_, _, found) in zip(archive.problems, problems, strict=True):
        assert problem.message == (f"expected a race code, pkwkp/PP or pkwkk/PPKK (e.g. pkwkp/64), {found}; "
                                   "the entry is left out")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"races": "pkwkp/64"}, 'field races: expected a list of race codes such as "pkwkp/64", found a string'),
        ({"races": {"pkwkp/64": 1}}, 'field races: expected a list of race codes such as "pkwkp/64", found an object'),
        ({"files": None}, "field files: expected an object of recorded files, found null"),
        ({"files": [1]}, "field files: expected an object of recorded files, found a list"),
        ({"base_url": 12}, "field base_url: expected the URL the files were fetched from, found a number"),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_a_config_error(folder, change, message):
    edit(folder, lambda m: m.update(change))
    for open_archive in (Archive.for_replay, lambda f: Archive.for_recording(f, BASE)):
        with pytest.raises(ConfigError) as info:
            open_archive(folder)
        assert str(info.value) == (f"{folder / MANIFEST}: {message}; record the archive again with "
                                   f"`newsgen fetch --archive {folder}`")


@pytest.mark.parametrize("text", ["[" * 100_000, '{"format": ' + "1" * 5000 + "}"], ids=["deep", "huge-number"])
def test_a_manifest_json_cannot_read_is_a_config_error(folder, text):
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{MANIFEST}: cannot read the archive manifest"):
        Archive.for_replay(folder)
