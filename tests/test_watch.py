"""`newsgen watch`: polls, regenerates only what changed, survives faults, stops cleanly."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import FetchError
from generator.runner import Report
from generator.watch import watch
from tests.support.sirekap_server import SirekapServer

from .test_live import SAMPLES, make_kaltim_tree


def test_loop_logs_each_cycle_and_survives_a_failed_one():
    lines: list[str] = []
    calls = iter([Report(), FetchError("connection refused", where="http://x"), Report()])

    def cycle() -> Report:
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    assert watch(cycle, interval=0, log=lines.append, max_cycles=3) == 3
    assert lines == [
        "cycle 1: 0 written, 0 unchanged, 0 held back, 0 without data yet (0.0 s)",
        "cycle 2: failed, will try again: http://x: connection refused",
        "cycle 3: 0 written, 0 unchanged, 0 held back, 0 without data yet (0.0 s)",
    ]


def test_stop_event_ends_the_wait():
    stop = threading.Event()
    lines: list[str] = []

    def cycle() -> Report:
        stop.set()
        return Report()

    assert watch(cycle, interval=3600, log=lines.append, stop=stop) == 1  # returns at once, not in an hour


def test_ctrl_c_stops_cleanly(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.watch.watch", interrupted)
    result = CliRunner().invoke(main, ["watch", "--out", str(tmp_path)])
    assert result.exit_code == 130
    assert "stopped (Ctrl-C); every file is whole" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="needs the real KPU sample files in ../shared/data/sirekap")
def test_watch_rewrites_only_the_race_that_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = make_kaltim_tree(tmp_path / "tree")
    out = tmp_path / "out"
    tally = tree / "pilkada/hhcw/pkwkp/64.json"
    with SirekapServer(tree) as server:
        args = ["watch", "--base-url", server.url, "--province", "64", "--out", str(out),
                "--interval", "0", "--backoff", "0.01"]
        first = CliRunner().invoke(main, [*args, "--cycles", "2"])
        assert first.exit_code == 0, first.output
        assert "cycle 2: 0 written" in first.output
        assert server.count("/pilkada/hhcw/pkwkp/64.json") == 2
        assert any(r.status == 304 for r in server.requests if r.path == "/pilkada/hhcw/pkwkp/64.json")
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*.md")}
        # KPU publishes a newer Kaltim file (the earlier real snapshot's figures, as a change).
        newer = json.loads(tally.read_text())
        newer["ts"] = "2024-11-28 10:30:04"
        newer["tungsura"]["chart"]["1000055"] += 10
        newer["tungsura"]["table"]["6401"]["1000055"] += 10
        tally.write_text(json.dumps(newer), encoding="utf-8")
        second = CliRunner().invoke(main, [*args, "--cycles", "1"])
        assert second.exit_code == 0, second.output
        assert "cycle 1: 1 written" in second.output
    changed = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md") if p.stat().st_mtime_ns != before.get(p))
    assert changed == ["pilgub-kaltim-2024/index.md"]
    assert "962.814" in (out / "pilgub-kaltim-2024/index.md").read_text(encoding="utf-8")
