"""[3] CPU per race after the fetch, from recorded archives; [4] ``newsgen --help``.

[3] needs no knowledge of newsgen's insides: two archives are recorded once with
``newsgen fetch`` (the run's races, and one race), and four whole processes are
timed per round: ``newsgen generate --archive`` of each into an empty folder, and
``reader.py`` of each (import the package, read and ``json.loads`` every archive
file). What a race costs is the slope between the two sizes, reading taken out::

    ((generate(all) - generate(one)) - (read(all) - read(one))) / (races - 1)

Start-up (interpreter, imports, config, templates) is in both sizes and cancels.
The all-in figure, (generate(all) - read(all)) / races, is printed beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import (
    HELP_MAX_S,
    NOW,
    RACE_CPU_MAX_MS,
    WATCHED_RACE,
    Bench,
    Proc,
    Result,
    articles,
    fail,
    median,
    newsgen_command,
    plural,
    run_timed,
    say,
    span,
    verdict,
)

READER = Path(__file__).with_name("reader.py")


def record(bench: Bench, name: str, race_args: list[str]) -> Path:
    folder = bench.folder(name)
    run_timed([*newsgen_command(), "fetch", "--archive", str(folder), "--base-url", bench.url, *race_args],
              log=bench.work / "fetch.log")
    bench.server.take_log()
    return folder


def step_race_cpu(bench: Bench) -> None:
    full = record(bench, "archive", bench.race_args)
    one = record(bench, "archive-one", ["--race", WATCHED_RACE])
    bench.extra["archive"] = full
    races = len(bench.races)

    def generate(archive: Path, expected: int) -> Proc:
        out = bench.folder("replay")
        proc = run_timed([*newsgen_command(), "generate", "--archive", str(archive), "--out", str(out), "--now", NOW],
                         log=bench.work / "replay.log")
        if articles(out) != expected:
            fail(f"[3] expected {expected} articles from {archive}, found {articles(out)}:\n{proc.output[-2000:]}")
        return proc

    def read(archive: Path) -> Proc:
        return run_timed([sys.executable, str(READER), str(archive)], log=bench.work / "reader.log")

    slopes, all_in, rounds = [], [], []
    for n in range(bench.plan.cpu_pairs):
        steps = [("gen", full, races), ("read", full, 0), ("gen", one, 1), ("read", one, 0)]
        got = {}
        for kind, archive, expected in steps if n % 2 == 0 else steps[::-1]:
            got[kind, archive] = generate(archive, expected) if kind == "gen" else read(archive)
        gen_full, gen_one = got["gen", full].cpu, got["gen", one].cpu
        read_full, read_one = got["read", full].cpu, got["read", one].cpu
        slopes.append(((gen_full - gen_one) - (read_full - read_one)) / (races - 1) * 1000)
        all_in.append((gen_full - read_full) / races * 1000)
        rounds.append((gen_full, gen_one, read_full, read_one))
    slope = median(slopes)
    ok = slope <= RACE_CPU_MAX_MS
    figures = [median([r[i] for r in rounds]) for i in range(4)]
    say(f"[3] CPU per race after the fetch (validate, decide, render, audit, write): generate --archive "
        f"{figures[0]:.2f} s for {races} races, {figures[1]:.2f} s for 1; reading the archives "
        f"{figures[2]:.2f} s and {figures[3]:.2f} s "
        f"(medians of {len(rounds)}) -> {slope:.2f} ms per race, median of {plural(len(slopes), 'round')} (range "
        f"{span(slopes, ' ms')}); all-in with start-up {median(all_in):.2f} ms -> {slope / RACE_CPU_MAX_MS:.2f}x "
        f"the limit; target <= {RACE_CPU_MAX_MS} ms: {verdict(ok)}")
    bench.results.append(Result(f"[3] CPU per race <= {RACE_CPU_MAX_MS} ms", f"{slope:.2f} ms ({span(slopes, '')})",
                                slope / RACE_CPU_MAX_MS, ok))


def step_help(bench: Bench) -> None:
    helps, bare = [], []
    for _ in range(bench.plan.help_runs):
        proc = run_timed([*newsgen_command(), "--help"], log=bench.work / "help.log")
        if "Usage:" not in proc.output:
            fail(f"[4] newsgen --help printed no usage:\n{proc.output[-2000:]}")
        helps.append(proc.wall)
        bare.append(run_timed([sys.executable, "-c", "pass"], log=bench.work / "help.log").wall)
    wall = median(helps)
    ok = wall <= HELP_MAX_S
    say(f"[4] newsgen --help: {wall:.3f} s wall, median of {len(helps)} (range {span(helps, ' s', 3)}); a bare "
        f"`python -c pass` {median(bare):.3f} s -> {wall / HELP_MAX_S:.2f}x the limit; target <= {HELP_MAX_S} s: "
        f"{verdict(ok)}")
    bench.results.append(Result(f"[4] newsgen --help <= {HELP_MAX_S} s", f"{wall:.3f} s", wall / HELP_MAX_S, ok))
