"""Safe to point at a live site: editors own what they touched, bookkeeping stays out of
the published folder, flags persist, the folder is a transaction.

Each test reproduces one way the first round lost an editor's work or published
something it should not have, and shows it no longer happens.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import load_config
from generator.errors import OutputError
from generator.pipeline import clear_flags, generate
from generator.sources.files import read_file
from generator.writer import Writer, split_front_matter

from .conftest import EXAMPLE_DATA, REPO, state_of

KALTIM = "pilgub-kaltim-2024/index.md"
KALTIM_CHART = "pilgub-kaltim-2024/chart.svg"
KALTENG = "pilgub-kalteng-2024/index.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def newer_kaltim(tmp_path: Path) -> Path:
    """The example data with three more TPS in for Kaltim (from Paser), fifteen minutes later."""
    from .test_output import changed_kaltim

    return changed_kaltim(tmp_path)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    report = generate(read_file(EXAMPLE_DATA), load_config(), folder)
    assert report.exit_code == 0 and len(report.written) == 3
    return folder


def test_the_output_folder_holds_only_articles_and_charts(out):
    assert sorted(tree(out)) == sorted([
        "pilgub-kaltara-2024/chart.svg", "pilgub-kaltara-2024/index.md", "pilgub-kalteng-2024/chart.svg",
        KALTENG, KALTIM_CHART, KALTIM])
    assert {"manifest.json", "review.html", "review.md"} <= set(tree(state_of(out)))


def test_a_state_folder_inside_the_output_folder_is_refused(tmp_path):
    with pytest.raises(OutputError, match="must be separate folders"):
        generate(read_file(EXAMPLE_DATA), load_config(), tmp_path / "out", state=tmp_path / "out" / "_state")


def test_an_edited_article_is_never_overwritten_and_its_update_waits(tmp_path, out):
    """One sentence changed and draft: false (the editor published it); then the data changes."""
    path = out / KALTIM
    edited = path.read_text(encoding="utf-8").replace("draft: true", "draft: false").replace(
        "Meski begitu, hasil ini belum final.", "Meski begitu, hasil ini belum final, kata redaksi.")
    path.write_text(edited, encoding="utf-8")
    report = generate(read_file(newer_kaltim(tmp_path)), load_config(), out)
    assert report.exit_code == 0 and [race for race, _ in report.waiting] == ["pkwkp/64"]
    assert path.read_text(encoding="utf-8") == edited  # byte-identical: the editor's words and draft: false
    waiting = state_of(out) / "pending" / KALTIM
    assert "964.004" in waiting.read_text(encoding="utf-8")  # the update, beside it in the state folder
    assert (state_of(out) / "pending" / KALTIM_CHART).is_file()  # with its chart: the pair stays together
    assert b"964.004" not in (out / KALTIM_CHART).read_bytes()  # the published chart matches the published text
    review = (state_of(out) / "review.md").read_text(encoding="utf-8")
    assert "Pembaruan menunggu: naskah sudah diedit redaksi" in review  # the review page says so
    assert f"(pending/{KALTIM})" in review  # and links the waiting version
    manifest = {e["race"]: e for e in json.loads((state_of(out) / "manifest.json").read_text())["articles"]}
    assert manifest["pkwkp/64"]["waiting"] == f"pending/{KALTIM}"


def test_an_upgrade_alone_rewrites_nothing(out, monkeypatch):
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr("generator.__version__", "99.0.0")
    monkeypatch.setattr("generator.output.__version__", "99.0.0")
    report = generate(read_file(EXAMPLE_DATA), load_config(), out)
    assert report.written == [] and len(report.unchanged) == 3
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_flags_persist_until_an_editor_clears_them(tmp_path, out):
    """A count going backwards is flagged; rerunning the same data keeps the flag (it used to vanish)."""
    backwards = tmp_path / "backwards.yaml"
    backwards.write_text(EXAMPLE_DATA.read_text(encoding="utf-8")
                         .replace("reported: 6048", "reported: 6045", 1).replace("reported: 482", "reported: 479", 1)
                         .replace("timestamp: '2024-11-28T10:15:04+07:00'", "timestamp: '2024-11-28T10:30:04+07:00'",
                                  1), encoding="utf-8")
    generate(read_file(backwards), load_config(), out)
    flags = split_front_matter((out / KALTIM).read_text(encoding="utf-8"))[0]["params"]["review_flags"]
    assert any("expected at least the 6.048 TPS reported in the previous snapshot" in f for f in flags), flags
    generate(read_file(backwards), load_config(), out)  # the same data again: nothing goes backwards now
    again = split_front_matter((out / KALTIM).read_text(encoding="utf-8"))[0]["params"]["review_flags"]
    assert again == flags
    assert set(clear_flags(out, ["pkwkp/64"])) == {"pkwkp/64"}
    generate(read_file(backwards), load_config(), out)
    assert "review_flags" not in split_front_matter((out / KALTIM).read_text(encoding="utf-8"))[0]["params"]


def test_flags_command_lists_and_clears(tmp_path, out):
    result = CliRunner().invoke(main, ["flags", "--out", str(out), "--clear"])
    assert result.exit_code == 0 and "cleared the flags of 0 race(s)" in result.output


def _publish(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")


def test_a_held_back_race_keeps_its_place(tmp_path, out):
    """Kaltim is published, then its new data is bad: its siblings keep linking its earlier
    article (they used to drop the link), and no other file changes."""
    _publish(out / KALTIM)
    generate(read_file(EXAMPLE_DATA), load_config(), out)  # the siblings now link the published Kaltim
    assert "/pilkada-2024/pilgub-kaltim-2024/" in (out / KALTENG).read_text(encoding="utf-8")
    before = tree(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_DATA.read_text(encoding="utf-8").replace("votes: 962804", "votes: -1", 1), encoding="utf-8")
    report = generate(read_file(bad), load_config(), out)
    assert [p.race for p in report.held_back] == ["pkwkp/64"]
    assert tree(out) == before


def test_links_only_to_published_stories(out):
    """No draft links a draft; once an editor publishes one story, the next run links it
    from its siblings (newsgen's drafts), and the published story itself is left as edited."""
    assert not any("Baca Juga" in p.read_text(encoding="utf-8") for p in out.rglob("index.md"))
    _publish(out / KALTENG)
    edited = (out / KALTENG).read_bytes()
    report = generate(read_file(EXAMPLE_DATA), load_config(), out)
    assert sorted(race for race, _ in report.written) == ["pkwkp/64", "pkwkp/65"]
    for path in (KALTIM, "pilgub-kaltara-2024/index.md"):
        assert "**Baca Juga:** [" in (out / path).read_text(encoding="utf-8") and \
            "(/pilkada-2024/pilgub-kalteng-2024/)" in (out / path).read_text(encoding="utf-8")
    assert (out / KALTENG).read_bytes() == edited


def test_hugo_links_are_a_shortcode_the_site_resolves(tmp_path):
    from dataclasses import replace

    config = load_config()
    output = config.publication.output.model_copy(update={"links": "hugo"})
    config = replace(config, publication=config.publication.model_copy(update={"output": output}))
    out = tmp_path / "out"
    generate(read_file(EXAMPLE_DATA), config, out)
    assert '{{< baca-juga "/pilkada-2024/pilgub-kalteng-2024/" >}}' in (out / KALTIM).read_text(encoding="utf-8")


def test_a_symlinked_folder_is_never_written_through(tmp_path, out):
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "pilgub-kaltim-2024" / "index.md").unlink()
    (out / "pilgub-kaltim-2024" / "chart.svg").unlink()
    (out / "pilgub-kaltim-2024").rmdir()
    os.symlink(outside, out / "pilgub-kaltim-2024")
    report = generate(read_file(newer_kaltim(tmp_path)), load_config(), out)
    assert [p.race for p in report.held_back] == ["pkwkp/64"]
    assert "symbolic link" in report.held_back[0].reason
    assert list(outside.iterdir()) == []


def test_a_full_disk_changes_neither_file_of_a_race(tmp_path, out, monkeypatch):
    """The chart is renamed into place, then the article fails (ENOSPC): the chart goes back."""
    before = tree(out)
    real_replace = os.replace

    def failing(src, dst):
        if str(dst).endswith("index.md"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("generator.writer.os.replace", failing)
    report = generate(read_file(newer_kaltim(tmp_path)), load_config(), out)
    assert [p.race for p in report.held_back] == ["pkwkp/64"]
    assert "No space left on device" in report.held_back[0].reason
    assert tree(out)[KALTIM_CHART] == before[KALTIM_CHART] and tree(out)[KALTIM] == before[KALTIM]
    assert not [p for p in out.rglob("*.tmp")]


def test_a_manifest_entry_never_deletes_a_file_newsgen_did_not_write(out):
    """A manifest that says a race's old article was another race's path deletes nothing."""
    manifest_path = state_of(out) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for entry in manifest["articles"]:
        if entry["race"] == "pkwkp/64":
            entry["path"], entry["chart"] = KALTENG, None
    manifest["files"][KALTENG] = "0" * 64  # not what is on disk
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    generate(read_file(EXAMPLE_DATA), load_config(), out)
    assert (out / KALTENG).is_file()


def test_two_races_with_the_same_slug_are_named(tmp_path):
    """The second race that would take the first one's article is held back, naming both."""
    config = load_config()
    regions = config.regions.model_copy(deep=True)
    regions.provinces["62"] = regions.provinces["62"].model_copy(update={"short": "Kaltim"})
    from dataclasses import replace

    report = generate(read_file(EXAMPLE_DATA), replace(config, regions=regions), tmp_path / "out")
    (problem,) = report.held_back  # Kalteng, headlined "Kaltim" by mistake, takes pilgub-kaltim-2024 first
    assert problem.race == "pkwkp/64" and "race pkwkp/62" in problem.reason and "same slug" in problem.reason


def test_three_concurrent_runs_leave_a_complete_manifest(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "generator.cli", "generate", "--out", str(out)]
    env = {**os.environ}
    runs = [subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(proc.returncode, proc.communicate(timeout=120)[1]) for proc in runs]
    results = [(proc.returncode, err) for proc, (_, err) in zip(runs, results, strict=True)]
    for code, err in results:
        assert code == 0 or "another newsgen run is working on this output folder" in err, err
    manifest = json.loads((state_of(out) / "manifest.json").read_text())
    assert sorted(e["race"] for e in manifest["articles"]) == ["pkwkp/62", "pkwkp/64", "pkwkp/65"]
    assert sorted(manifest["files"]) == sorted(tree(out))


def test_dry_run_writes_nothing_and_says_what_would_change(tmp_path, out):
    before, state_before = tree(out), tree(state_of(out))
    result = CliRunner().invoke(main, ["generate", "--input", str(newer_kaltim(tmp_path)), "--out", str(out),
                                       "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"would write {KALTIM}" in result.output and "dry run: nothing written" in result.output
    assert tree(out) == before and tree(state_of(out)) == state_before


def test_json_summary_quiet_and_the_unchanged_exit_code(out):
    result = CliRunner().invoke(main, ["generate", "--out", str(out), "--json", "--quiet", "--exit-unchanged"])
    assert result.exit_code == 3  # nothing changed
    summary = json.loads(result.stdout)
    assert summary["changed"] is False and len(summary["unchanged"]) == 3 and summary["held_back"] == []
    assert "unchanged " not in result.stderr  # --quiet: no line per race


def test_writer_refuses_paths_out_of_the_folder(tmp_path):
    writer = Writer(tmp_path)
    for bad in ("../x.md", "/etc/passwd", "a/../../x", "a\\b"):
        with pytest.raises(OutputError):
            writer.write_text(bad, "x")


def test_a_race_never_takes_the_article_of_a_race_held_back(tmp_path):
    """Kaltim is written; then Kaltim's data is bad while Kalteng's name gives Kaltim's slug:
    Kalteng is held back naming Kaltim, and Kaltim's article is untouched."""
    from dataclasses import replace

    out = tmp_path / "out"
    config = load_config()
    generate(read_file(EXAMPLE_DATA), config, out)
    kaltim = (out / KALTIM).read_bytes()
    regions = config.regions.model_copy(deep=True)
    regions.provinces["62"] = regions.provinces["62"].model_copy(update={"short": "Kaltim"})
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_DATA.read_text(encoding="utf-8").replace("votes: 962804", "votes: -1", 1), encoding="utf-8")
    report = generate(read_file(bad), replace(config, regions=regions), out)
    held = {p.race: p.reason for p in report.held_back}
    assert set(held) == {"pkwkp/62", "pkwkp/64"}
    assert "earlier article of race pkwkp/64" in held["pkwkp/62"]
    assert (out / KALTIM).read_bytes() == kaltim


def test_a_cms_that_drops_fields_owns_the_article(tmp_path, out):
    """A CMS re-saved the file without the params block: it is the CMS's file now."""
    path = out / KALTIM
    text = path.read_text(encoding="utf-8")
    head = text.partition("params:\n")[0]  # front matter up to params, then the body
    path.write_text(head.rstrip("\n") + "\n---\n" + text.split("\n---\n", 1)[1], encoding="utf-8")
    assert "params:" not in path.read_text(encoding="utf-8")
    edited = path.read_bytes()
    report = generate(read_file(newer_kaltim(tmp_path)), load_config(), out)
    assert [race for race, _ in report.waiting] == ["pkwkp/64"] and path.read_bytes() == edited


def test_a_full_disk_for_the_bookkeeping_still_reports_every_race(tmp_path, out, monkeypatch):
    """The articles are written, each race is reported, the manifest keeps its earlier content."""
    manifest = (state_of(out) / "manifest.json").read_bytes()
    real_write_text = Writer.write_text

    def full(self, relative, text):
        if self.folder == state_of(out).resolve():
            raise OutputError(f"cannot write {self.folder / relative}: No space left on device")
        return real_write_text(self, relative, text)

    monkeypatch.setattr(Writer, "write_text", full)
    result = CliRunner().invoke(main, ["generate", "--input", str(newer_kaltim(tmp_path)), "--out", str(out)])
    assert result.exit_code == 1
    assert f"wrote {out / KALTIM} (pkwkp/64)" in result.output
    assert "the review page or manifest was not written" in result.output and "No space left" in result.output
    assert (state_of(out) / "manifest.json").read_bytes() == manifest
