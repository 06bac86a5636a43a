"""benchmarks/bench.py still runs every step (--check-only: 20 races, tiny sizes) and prints every target.

No timing is asserted: the figures of a check-only run say nothing about performance.
What is asserted is that each target is measured, printed with its ratio and judged.
"""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import REPO, SHARED, needs_shared

BENCH = REPO / "benchmarks" / "bench.py"

TARGETS = ["1", "1", "2", "3", "4", "5", "6a", "6b", "7", "8"]
"""Judged lines by step: [1] is judged twice (wall and CPU)."""

JUDGED = re.compile(r"^\[(\w+)\] .+ -> (-?\d+\.\d\d)x (floor|the limit|the time allowed)\b.*: (PASS|FAIL)$")
ROW = re.compile(r"^  \[(\w+)\] .+  (-?\d+\.\d\d)  (PASS|FAIL)$")


@needs_shared
def test_bench_check_only_prints_every_target_with_its_ratio():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--check-only", "--shared", str(SHARED)],
        capture_output=True, text=True, cwd=REPO, timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "CPUs" in lines[0] and "Python 3." in lines[0]
    assert lines[1].startswith("code: newsgen ")
    assert "tree: 545 races" in lines[2] and "check-only run over 20 races" in lines[2]
    assert re.match(r"workload: 20 races, \d+ files a run fetches", lines[3]), lines[3]

    judged = [m for m in map(JUDGED.match, lines) if m]
    assert [m.group(1) for m in judged] == TARGETS, done.stdout
    # [3] is a difference of two small runs here: noise can make it negative.
    assert all(float(m.group(2)) > 0 for m in judged if m.group(1) != "3"), done.stdout
    cold = [m.group(0) for m in judged if m.group(1) == "1"]
    assert "wall" in cold[0] and "CPU" in cold[1] and "floor" in cold[0], cold
    assert any(line.startswith("[1] reference, not judged: curl") or "no /usr/bin/curl" in line for line in lines)

    table = lines[next(i for i, line in enumerate(lines) if line.startswith("summary (check-only run")):]
    rows = [m for m in map(ROW.match, table) if m]
    assert [m.group(1) for m in rows] == TARGETS, "\n".join(table)
    assert "could not run" not in done.stdout
