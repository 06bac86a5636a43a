from __future__ import annotations

import pytest

from generator.errors import OutputError
from generator.writer import Writer, front_matter, split_front_matter


def test_front_matter_round_trips_hostile_text():
    data = {"title": "A: \"B\" --- #c\n{{ d }}", "slug": "x", "draft": True, "tags": ["Mas'ud", "- e"]}
    text = front_matter(data)
    assert text.startswith("---\n") and text.endswith("---\n")
    parsed, body = split_front_matter(text + "\nbody\n")
    assert parsed == data and body == "\nbody\n"


def test_write_is_atomic_and_skips_identical(tmp_path):
    writer = Writer(tmp_path)
    path, changed = writer.write_text("a.md", "x\n")
    assert changed and path.read_text() == "x\n"
    mtime = path.stat().st_mtime_ns
    path2, changed2 = Writer(tmp_path).write_text("a.md", "x\n")
    assert not changed2 and path2.stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]  # no temp files left


def test_crlf_becomes_lf(tmp_path):
    path, _ = Writer(tmp_path).write_text("a.md", "x\r\ny\r\n")
    assert path.read_bytes() == b"x\ny\n"


@pytest.mark.parametrize("name", ["../escape.md", "/etc/passwd", "sub/../../x.md"])
def test_paths_outside_the_folder_are_refused(tmp_path, name):
    with pytest.raises(OutputError, match="outside the output folder"):
        Writer(tmp_path / "out").write_text(name, "x")


def test_same_path_twice_is_refused(tmp_path):
    writer = Writer(tmp_path)
    writer.write_text("a.md", "x")
    with pytest.raises(OutputError, match="written twice"):
        writer.write_text("a.md", "y")
