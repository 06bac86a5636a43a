"""[8] local pages and round-ups (issue 19): the national cold run with
``--stories races,local,roundups`` against the aiohttp floor of the same URLs.

The pages come from the files a race run fetches anyway: the server's log must show
exactly one 200 per URL of the discovery run (the same list as [1], no extra file),
and the whole process, pages included, is judged against the floor fetching those URLs.
"""

from __future__ import annotations

from pathlib import Path

from common import NOW, Bench, Proc, Result, articles, fail, median, newsgen_command, run_timed, say, span
from national import alternate, judge, run_floor, served

#: Issue 19's target: every story type of the national tree at <= 3x the floor of the files fetched.
STORIES_WALL_MAX = 3.0
STORIES = "races,local,roundups"


def run_stories(bench: Bench, out: Path) -> Proc:
    proc = run_timed([*newsgen_command(), "generate", "--source", "sirekap", "--base-url", bench.url, "--no-cache",
                      "--out", str(out), "--now", NOW, "--stories", STORIES, *bench.race_args],
                     log=bench.work / "newsgen.log")
    served(bench, "[8] newsgen --stories (the same files as a race run)", 200)
    if articles(out) <= len(bench.races):
        fail(f"[8] expected more than {len(bench.races)} pages in {out} (races, local pages, round-ups), "
             f"found {articles(out)}:\n{proc.output[-2000:]}")
    return proc


def step_stories(bench: Bench) -> None:
    outs: list[Path] = []

    def ours() -> Proc:  # a new output folder (and so state folder) each time: a cold run, never an unchanged poll
        outs.append(bench.folder("stories"))
        return run_stories(bench, outs[-1])

    floors, runs = alternate(bench, lambda: run_floor(bench, "[8] floor", 200), ours)
    out = outs[-1]
    walls = [r.wall / f.wall for r, f in zip(runs, floors, strict=True)]
    ratio, line, ok = judge(f"[8] --stories {STORIES}, wall",
                            f"newsgen {median([r.wall for r in runs]):.2f} s for {articles(out)} pages from "
                            f"{len(bench.paths)} files vs floor {median([f.wall for f in floors]):.2f} s (medians)",
                            walls, STORIES_WALL_MAX)
    say(line)
    bench.results.append(Result(f"[8] --stories run wall <= {STORIES_WALL_MAX}x floor", f"{ratio:.2f}x ({span(walls)})",
                                ratio / STORIES_WALL_MAX, ok))
