"""One race's failure never stops another; exit codes as documented.

Each case poisons one KPU file of a real Kaltim tree served on 127.0.0.1 (the
Samarinda mayor race's tally) with input that once crashed a whole run with a
traceback. The race is held back with a message naming it and its URL, the
ten other races are written, and the exit code is 1. Then Ctrl-C, SIGTERM and
a broken stock sentence: 130, 143 and 2, with one line and no traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.support.sirekap_server import SirekapServer

from .conftest import REPO
from .test_live import KALTIM_RACES, SAMPLES, make_kaltim_tree

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"needs the real KPU sample files in {SAMPLES} (the shared folder beside the repository)"
)

NOW = "2024-11-28T11:00:00+08:00"
SAMARINDA = "pkwkk/6472"
TALLY = "pilkada/hhcw/pkwkk/64/6472.json"


def _edit(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def poison(path: Path) -> None:
        payload = json.loads(path.read_text(encoding="utf-8"))
        change(payload)
        path.write_text(json.dumps(payload), encoding="utf-8")

    return poison


def _first_candidate(payload: dict) -> str:
    return next(k for k in payload["tungsura"]["chart"] if k.isdigit())


def _huge_votes(payload: dict) -> None:
    chart = payload["tungsura"]["chart"]
    chart[_first_candidate(payload)] = 10**26 * chart["progres"]["total"]
    payload["tungsura"]["table"] = {}


def _digits(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    key = _first_candidate(payload)
    text = json.dumps(payload).replace(f'"{key}": {payload["tungsura"]["chart"][key]}', f'"{key}": {"9" * 5000}', 1)
    path.write_text(text, encoding="utf-8")


CASES = {
    "votes of 10^26 x TPS": (_edit(_huge_votes), "field tungsura.chart"),
    "timestamp in 9999": (_edit(lambda p: p.update(ts="9999-12-31 23:59:59")),
                          "field ts: expected a time between 2000 and 2100"),
    "timestamp in 0001": (_edit(lambda p: p.update(ts="0001-01-01 00:00:00")),
                          "field ts: expected a time between 2000 and 2100"),
    "a 5,000-digit integer": (_digits, "a number in the JSON is out of range"),
    "JSON nested 100,000 deep": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"),
                                 "the JSON is nested too deeply"),
}


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    tree = make_kaltim_tree(tmp_path / "tree")
    with SirekapServer(tree) as server:
        yield tree, server


def _generate(server: SirekapServer, out: Path, *extra: str):
    args = ["generate", "--base-url", server.url, "--province", "64", "--out", str(out), "--now", NOW,
            "--no-cache", "--backoff", "0.01", "--max-attempts", "2", *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _articles(out: Path) -> set[str]:
    return {p.parent.name for p in out.glob("*/index.md")}


@pytest.mark.parametrize("case", list(CASES))
def test_a_poisoned_file_holds_back_its_race_alone(served, tmp_path, case):
    tree, server = served
    poison, needle = CASES[case]
    poison(tree / TALLY)
    out = tmp_path / "out"
    result = _generate(server, out)
    assert result.exit_code == 1, result.output
    held = [line for line in result.output.splitlines() if line.startswith("held back")]
    assert len(held) == 1 and held[0].startswith(f"held back {SAMARINDA}: {server.url}/{TALLY}: race {SAMARINDA}")
    assert needle in held[0]
    assert "Traceback" not in result.output
    assert len(_articles(out)) == len(KALTIM_RACES) - 1 and "pilwalkot-samarinda-2024" not in _articles(out)


def test_a_redirect_loop_holds_back_its_race_alone(served, tmp_path):
    _, server = served
    server.fault(f"/{TALLY}", "status", status=302, headers={"Location": f"/{TALLY}"})
    out = tmp_path / "out"
    result = _generate(server, out)
    assert result.exit_code == 1, result.output
    assert f"held back {SAMARINDA}: {server.url}/{TALLY}" in result.output
    assert "Traceback" not in result.output
    assert len(_articles(out)) == len(KALTIM_RACES) - 1


def test_jobs_change_no_byte(served, tmp_path):
    _, server = served
    outs = {}
    for jobs in ("0", "2"):
        outs[jobs] = tmp_path / f"jobs-{jobs}"
        assert _generate(server, outs[jobs], "--jobs", jobs).exit_code == 0
    read = {j: {p.relative_to(o).as_posix(): p.read_bytes() for p in sorted(o.rglob("*")) if p.is_file()}
            for j, o in outs.items()}
    assert len(read["0"]) > 20 and read["0"] == read["2"]


def _stopped_by(sig: int, tmp_path: Path, server: SirekapServer) -> subprocess.CompletedProcess:
    """`newsgen watch` polling every minute, sent ``sig`` once its first cycle is logged."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    command = [sys.executable, "-m", "generator.cli", "watch", "--base-url", server.url, "--race", "pkwkp/64",
               "--out", str(tmp_path / "out"), "--interval", "60"]
    proc = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if "cycle 1:" in line:
            break
    proc.send_signal(sig)
    _, rest = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(command, proc.returncode, "", "".join(lines) + rest)


@pytest.mark.parametrize(("sig", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_stops_watch_with_one_line(served, tmp_path, sig, code, name):
    _, server = served
    done = _stopped_by(sig, tmp_path, server)
    assert done.returncode == code, done.stderr
    assert f"stopped ({name}); every file is whole" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "out/pilgub-kaltim-2024/index.md").is_file()


def test_ctrl_c_during_generate_exits_130(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.runner.run", interrupted)
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert result.output.strip() == "newsgen: stopped (Ctrl-C); every file written is whole, the rest as before"


def test_a_broken_stock_sentence_exits_2_and_writes_nothing(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    text = (REPO / "config" / "publication.yaml").read_text(encoding="utf-8")
    assert "{{ kpu }} melalui" in text
    (config / "publication.yaml").write_text(text.replace("{{ kpu }} melalui", "{{ kpu melalui", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--out", str(out), "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("newsgen: error: publication.yaml: stock sentence")
    assert not out.exists()


def test_data_later_than_now_is_held_back(tmp_path):
    """--now pins the run's time: data timed hours after it is held back, the others written."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--out", str(out), "--now", "2024-11-28T06:00:00+08:00"])
    assert result.exit_code == 1, result.output
    held = [line for line in result.output.splitlines() if line.startswith("held back")]
    assert len(held) == 3 and all("field timestamp: expected a data time no later than" in line for line in held)
