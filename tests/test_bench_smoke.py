"""benchmarks/bench.py still runs: every step, tiny sizes (--check-only). No timing target is asserted."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO, SHARED, needs_shared

BENCH = REPO / "benchmarks" / "bench.py"


@needs_shared
def test_bench_check_only_prints_every_measurement():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--check-only", "--shared", str(SHARED)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "CPUs" in lines[0] and "Python 3." in lines[0]
    assert lines[1].startswith("code: newsgen ")
    assert "tree: 545 races" in done.stdout
    expected = [
        "[1] national run: ",
        "[2] render throughput ",
        "[3] 50 article renders ",
        "[4] peak RSS of a national run: ",
        "[5] one race changed in watch mode (pkwkp/64",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), f"no line starting {start!r} in:\n{done.stdout}"
    assert "20 races" in next(line for line in lines if line.startswith("[1]"))
    assert "articles/s" in next(line for line in lines if line.startswith("[2]"))
    assert " MB " in next(line for line in lines if line.startswith("[4]"))
    assert "after the start of the poll that saw it" in next(line for line in lines if line.startswith("[5]"))
    table = lines[lines.index("summary (check-only run)"):]
    rows = [line for line in table if line.rstrip().endswith(("PASS", "FAIL  <<<"))]
    assert len(rows) == 6, "\n".join(table)
    assert "error" not in "\n".join(rows)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
