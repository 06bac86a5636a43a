"""[7] one race changed while ``newsgen watch`` runs: the changed file served -> the updated article on disk.

``newsgen watch --interval N --cycles M`` runs as a subprocess against the server. Once
its articles are on disk and its second poll has passed the watched race, one vote is
added to that race's leader in the served tree. The server's log says when a poll
received the changed file (on Linux ``time.monotonic()`` is one clock for every
process); the benchmark reads the article until the new total shows. The watch is then
stopped with SIGINT (Ctrl-C), which it must survive cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

from common import (
    REPO,
    TS_FORMAT,
    UPDATE_MAX_S,
    WATCHED_RACE,
    Bench,
    Result,
    articles,
    fail,
    newsgen_command,
    say,
    verdict,
)


def tally_path(race: str) -> str:
    """``pkwkp/64`` -> ``/pilkada/hhcw/pkwkp/64.json`` (the race's own tally file)."""
    kind, code = race.split("/")
    return f"/pilkada/hhcw/{kind}/{code}.json" if kind == "pkwkp" else f"/pilkada/hhcw/{kind}/{code[:2]}/{code}.json"


def votes(number: int) -> str:
    """A vote count as the articles print it: ``962.804``."""
    return f"{number:,}".replace(",", ".")


def bump(file: Path) -> tuple[int, int]:
    """One more vote for the leader (chart and one table row), ``ts`` 15 minutes on; (old, new) total."""
    from tests.support.synthetic_tree import dump_json

    data = json.loads(file.read_bytes())
    chart = data["tungsura"]["chart"]
    leader = max((k for k in chart if k != "progres"), key=lambda k: chart[k])
    chart[leader] += 1
    row = next(r for r in data["tungsura"]["table"].values() if r.get("status_progress") and leader in r)
    row[leader] += 1
    data["ts"] = (datetime.strptime(data["ts"], TS_FORMAT) + timedelta(minutes=15)).strftime(TS_FORMAT)
    temp = file.with_suffix(".tmp")
    temp.write_bytes(dump_json(data))
    os.replace(temp, file)  # the server never sees half a file
    return chart[leader] - 1, chart[leader]


def step_watch(bench: Bench) -> None:
    race = WATCHED_RACE if WATCHED_RACE in bench.races else bench.races[0]
    path = tally_path(race)
    file = bench.root / path.lstrip("/")
    original = file.read_bytes()
    out, cache = bench.folder("watch-out"), bench.folder("watch-cache")
    interval, timeout = bench.plan.watch_interval, bench.plan.watch_timeout
    args = [*newsgen_command(), "watch", "--source", "sirekap", "--base-url", bench.url, "--cache", str(cache),
            "--out", str(out), "--interval", str(interval), "--cycles", "10000", *bench.race_args]
    log: list[tuple[float, str, int]] = []
    bench.server.take_log()
    output = bench.work / "watch.log"
    with open(output, "wb") as sink:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        def wait(what: str, done) -> None:
            deadline = time.monotonic() + timeout
            while not done():
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = output.read_text(encoding="utf-8", errors="replace")
                    state = "running" if proc.poll() is None else f"exited {proc.returncode}"
                    fail(f"[7] {what} (watch {state}, {timeout:.0f} s):\n{text[-2000:]}")
                time.sleep(0.02)
                log.extend(bench.server.take_log())

        # Steady state: every article written, and a second poll has asked for the race.
        wait("the first poll wrote no full set of articles", lambda: articles(out) == len(bench.races))
        wait("no second poll asked for the race", lambda: sum(1 for _, p, _ in log if p == path) >= 2)
        old_total, new_total = bump(file)
        changed = time.monotonic()
        candidates = [p for p in out.rglob("*.md") if votes(old_total) in p.read_text(encoding="utf-8")]
        if not candidates:
            fail(f"[7] no article in {out} shows {race}'s leading total {votes(old_total)}")
        seen: list[float] = []

        def updated() -> bool:
            if any(votes(new_total) in p.read_text(encoding="utf-8") for p in candidates):
                seen.append(time.monotonic())
            return bool(seen)

        wait(f"the article never showed {votes(new_total)}", updated)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        file.write_bytes(original)
    log.extend(bench.server.take_log())
    received = next((t for t, p, status in log if p == path and status == 200 and t > changed), None)
    if received is None:
        fail(f"[7] the server's log shows no 200 for {path} after the change")
    polls = [t for t, p, _ in log if p == bench.paths[0]]  # each poll starts with the same file
    poll_start = max((t for t in polls if t <= received), default=received)
    latency = seen[0] - received
    ok = latency < UPDATE_MAX_S
    say(f"[7] one race changed under `newsgen watch --interval {interval}` ({race}, +1 vote): the article on disk "
        f"{latency:.2f} s after the poll received the changed file ({seen[0] - poll_start:.2f} s after that poll's "
        f"first request, {seen[0] - changed:.2f} s after the change; stopped by SIGINT, exit {proc.returncode}) -> "
        f"{latency / UPDATE_MAX_S:.2f}x the limit; target < {UPDATE_MAX_S:.0f} s: {verdict(ok)}")
    bench.results.append(Result(f"[7] watch: changed file -> article < {UPDATE_MAX_S:.0f} s", f"{latency:.2f} s",
                                latency / UPDATE_MAX_S, ok))
