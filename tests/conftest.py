"""Shared fixtures: isolation from the machine, paths to KPU samples, snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from generator.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "data" / "sirekap"
EXAMPLE_DATA = REPO / "examples" / "data" / "kalimantan-pilgub-2024-11-28.yaml"
NOW = "2024-11-28T11:00:00+08:00"

needs_shared = pytest.mark.skipif(
    not SAMPLES.exists(), reason="needs ../shared/data/sirekap (real KPU sample files) beside the repository"
)


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test depends on the machine's locale, zone or clock settings, or writes newsgen's
    state (manifest, review page) into the user's home."""
    for name in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LC_NUMERIC", "LC_TIME", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    # One state root for the session: each output folder has its own state folder in it.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-state"))
    monkeypatch.setenv("TZ", "America/Los_Angeles")  # far from Indonesia: zone bugs show
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config()


def sample(name: str) -> object:
    """A real KPU file from ../shared/data/sirekap, parsed."""
    return json.loads((SAMPLES / name).read_bytes())


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """One ``.md`` file per snapshot, so reviewers read real Markdown diffs."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


@pytest.fixture
def md_snapshot(snapshot):
    return snapshot.use_extension(MarkdownSnapshot)


def state_of(out: Path) -> Path:
    """The state folder (manifest, review page) of an output folder, as newsgen chooses it."""
    from generator.state import default_state_dir

    return default_state_dir(out)
