from __future__ import annotations

import os
import stat

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


def test_a_temporary_file_left_by_a_crash_is_no_obstacle(tmp_path):
    stale = tmp_path / f".a.md.{os.getpid()}.tmp"
    stale.write_text("half a file")
    path, changed = Writer(tmp_path).write_text("a.md", "whole\n")
    assert changed and path.read_text() == "whole\n"
    assert stale.read_text() == "half a file"  # not ours to remove: it may belong to another run


def test_files_are_readable_by_all_whatever_the_umask(tmp_path):
    before = os.umask(0o077)
    try:
        path, _ = Writer(tmp_path).write_text("sub/dir/a.md", "x\n")
    finally:
        os.umask(before)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.md"]
