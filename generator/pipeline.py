"""The order of things, in two phases: gather and decide in memory, then write.

::

    generate(items, config, out)        the phases below, for items already read
                                        (:func:`generator.runner.run` reads the source first)

    gather   snapshots (or the errors that hold races back), newest per race
    decide   validate each race, decide its story, place its files
    link     "Baca Juga" between the races of the run
    render   each race's article with a pure function (optionally over a process pool)
    write    articles and charts, then the manifest and the review page

Only the write phase touches the output folder, so a bad race never leaves a
half-written folder and the files of a held-back race stay as they were. Any
failure while working on one race holds back that race alone, as a
:class:`~generator.errors.Problem`; the others are written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .article import Article, article_or_problem, fingerprint, in_worker, start_worker
from .config import Config
from .decide import RaceWork, as_run, decide_race, place
from .errors import DataError, OutputError, Problem
from .extra import (
    ExtraPage,
    ExtraWork,
    back_links,
    extra_review_entry,
    link_extras,
    page_or_problem,
    place_links,
    plan,
)
from .links import LinkTarget, link_stories
from .models import RaceSnapshot
from .output import ManifestEntry, load_files, load_manifest, read_existing, write_manifest
from .phrases import Phrases
from .render import Renderer
from .review import ReviewEntry, Status, build_review, entry_from_snapshot, link_base_for
from .runner import RACES_ONLY, Report
from .state import PENDING, check_outside, default_state_dir, locked, sha256
from .story import Link
from .writer import Writer

Item = RaceSnapshot | DataError


def default_now(snapshots: Iterable[RaceSnapshot]) -> datetime | None:
    """Without ``--now``, the newest data timestamp: reruns stay byte-identical."""
    return max((s.timestamp for s in snapshots), default=None)


def newest_by_race(snapshots: list[RaceSnapshot]) -> dict[str, tuple[RaceSnapshot, RaceSnapshot | None]]:
    """Newest snapshot of each race, with the one before it when given."""
    groups: dict[str, list[RaceSnapshot]] = {}
    for snap in snapshots:
        groups.setdefault(snap.race, []).append(snap)
    out = {}
    for race in sorted(groups):
        ordered = sorted(groups[race], key=lambda s: s.timestamp, reverse=True)
        out[race] = (ordered[0], ordered[1] if len(ordered) > 1 else None)
    return out


def generate(items: list[Item], config: Config, out: Path, *, now: datetime | None = None, strict: bool = False,
             jobs: int = 0, renderer: Renderer | None = None, phrases: Phrases | None = None,
             state: Path | None = None, dry_run: bool = False, stories: frozenset[str] = RACES_ONLY) -> Report:
    """Render every usable race of ``items`` into ``out`` (bookkeeping into ``state``).

    A race is held back (its files left as they were) when its data is wrong,
    when its text fails the fact audit, or, with ``strict``, when its data is
    suspicious; suspicious data is otherwise written with review flags.
    """
    state_dir = state or default_state_dir(out)
    check_outside(state_dir, out)
    with locked(state_dir):
        report = _generate(items, config, Writer(out, dry_run=dry_run), Writer(state_dir, dry_run=dry_run),
                           now=now, strict=strict, jobs=jobs, renderer=renderer, phrases=phrases, stories=stories)
    report.state = state_dir
    return report


def _generate(items: list[Item], config: Config, writer: Writer, state: Writer, *, now: datetime | None,
              strict: bool, jobs: int, renderer: Renderer | None, phrases: Phrases | None,
              input_keys: dict[str, str] | None = None, stories: frozenset[str] = RACES_ONLY) -> Report:
    renderer = renderer or Renderer(config)
    night = _Night(config, writer, state, renderer, phrases or renderer.phrases, input_keys or {})
    night.wanted = stories
    ready = night.gather(items)
    races = night.decide(ready, strict=strict, now=now)
    articles = night.render(races, jobs)
    night.write(races, articles)
    night.write_extras()
    night.bookkeeping(now or default_now(snap for snap, _ in ready.values()))
    night.report.planned = writer.planned + state.planned
    return night.report


class _Night:
    """One run of :func:`generate`: its races, its report and its bookkeeping."""

    def __init__(self, config: Config, writer: Writer, state: Writer, renderer: Renderer, phrases: Phrases,
                 input_keys: dict[str, str]) -> None:
        self.config, self.writer, self.state, self.renderer, self.phrases = config, writer, state, renderer, phrases
        self.input_keys = input_keys
        self.report = Report()
        self.old_manifest = load_manifest(state)
        #: Every file newsgen wrote into the output folder, with the sha256 of what it wrote.
        self.files = load_files(state)
        self.paths: dict[str, str] = {}  # article path -> the race it belongs to this run
        self.manifest: dict[str, ManifestEntry] = {}
        self.review: dict[str, ReviewEntry] = {}
        self.narrow = config.publication.thresholds.narrow_margin
        self.fingerprints: dict[str, str] = {}
        #: Story types beyond races (``--stories``), and this run's local pages and round-ups.
        self.wanted: frozenset[str] = RACES_ONLY
        self.now: datetime | None = None
        self.extras: list[tuple[ExtraWork, ExtraPage]] = []
        self.failed_extras: set[str] = set()
        #: Every race held back this run, with its snapshot when it got one (round-ups name them).
        self.held: dict[str, RaceSnapshot | None] = {}

    def hold(self, problem: Problem, snapshot: RaceSnapshot | None = None) -> None:
        """Hold a race back: its earlier files and manifest entry stay as they were."""
        race, message = problem.race, str(problem)
        self.report.held_back.append(problem)
        self.held[race] = snapshot or self.held.get(race)
        old = self.old_manifest.get(race, {})
        self.manifest[race] = ManifestEntry(race=race, status="held_back", path=old.get("path"),
                                            slug=old.get("slug"), headline=old.get("headline"), reason=message,
                                            kind=old.get("kind"), flags=tuple(old.get("flags") or ()),
                                            chart=old.get("chart"))
        path, headline, slug = (str(old[k]) if old.get(k) else None for k in ("path", "headline", "slug"))
        self.review[race] = (
            entry_from_snapshot(snapshot, status="held_back", narrow_margin=self.narrow, reason=message,
                                reason_kind=problem.kind, path=path, headline=headline, slug=slug)
            if snapshot else ReviewEntry(race=race, status="held_back", reason=message, reason_kind=problem.kind,
                                         path=path, headline=headline, slug=slug))

    # -- gather ------------------------------------------------------------------------

    def gather(self, items: list[Item]) -> dict[str, tuple[RaceSnapshot, RaceSnapshot | None]]:
        """The races with data, newest snapshot first; the rest held back or listed as without data."""
        snapshots: list[RaceSnapshot] = []
        for item in items:
            if isinstance(item, DataError):
                self.hold(Problem.from_exception(item.race or item.where or "?", item))
                continue
            try:
                snapshots.append(as_run(item, self.config))
            except Exception as exc:  # one race's failure never stops another
                self.hold(Problem.from_exception(item.race, exc), item)
        ready = {}
        for race, (snap, older) in newest_by_race(snapshots).items():
            if snap.has_data:
                ready[race] = (snap, older)
                continue
            self.report.no_data.append(race)
            self.manifest[race] = ManifestEntry(race=race, status="no_data", data_timestamp=snap.timestamp.isoformat(),
                                                input_key=self.input_keys.get(race))
            self.review[race] = entry_from_snapshot(snap, status="no_data", narrow_margin=self.narrow)
        return ready

    # -- decide ------------------------------------------------------------------------

    def decide(self, ready: dict[str, tuple[RaceSnapshot, RaceSnapshot | None]], *, strict: bool,
               now: datetime | None) -> dict[str, RaceWork]:
        races: dict[str, RaceWork] = {}
        self.now = now
        for race, (snap, older) in ready.items():
            try:
                decided = decide_race(snap, older, self.config, self.phrases, self.writer, strict=strict, now=now)
                if isinstance(decided, RaceWork):
                    place(decided, self.config, now, self.old_manifest.get(race, {}).get("slug"), self.phrases)
            except Exception as exc:  # one race's failure never stops another
                decided = Problem.from_exception(race, exc)
            if isinstance(decided, RaceWork):
                decided = self._claim_path(decided)
            if isinstance(decided, Problem):
                self.hold(decided, snap)
            else:
                # Flags stay until an editor clears them (newsgen flags --clear), whatever the data does next.
                decided.flags = tuple(dict.fromkeys((*self.old_manifest.get(race, {}).get("flags", ()),
                                                     *decided.flags)))
                races[race] = decided
        self._keep_others_paths(races)
        return races

    def _keep_others_paths(self, races: dict[str, RaceWork]) -> None:
        """A race held back, or not in this run, keeps its earlier article: no race may take its path."""
        for race, entry in self.old_manifest.items():
            path = entry.get("path")
            taker = self.paths.get(str(path)) if path else None
            if race in races or taker is None or taker == race or taker not in races:
                continue
            problem = Problem(taker, f"its article {path} is the earlier article of race {race}, which this run does "
                                     "not rewrite (their names give the same slug); set a distinct name for one of "
                                     "them in races.yaml", kind="config")
            self.hold(problem, races.pop(taker).snapshot)

    def _claim_path(self, item: RaceWork) -> RaceWork | Problem:
        """The race's article path, unless another race of this run has it (two names that slug alike)."""
        race = item.snapshot.race
        other = self.paths.setdefault(item.path, race)
        if other != race:
            return Problem(race, f"its article {item.path} is also the article of race {other} (their names give the "
                                 "same slug); set a distinct name for one of them in races.yaml", kind="config")
        return item

    # -- link and render ---------------------------------------------------------------

    def render(self, races: dict[str, RaceWork], jobs: int) -> dict[str, Article]:
        """Link the races and render those whose text may have changed.

        A race whose article fails (the fact audit, a template) is held back
        and its siblings are linked and rendered again without it.
        """
        while True:
            kept = self._kept_targets(races)
            published = self._published(races, kept) if self.config.publication.output.links == "published" else None
            extras, back, places = self._plan_extras(races, published)
            for story in link_stories([r.story for r in races.values()], self.config, targets=kept,
                                      published=published):
                more = back.get(story.race)
                story = story.evolve(links=story.links + more) if more else story
                mine = places.get(story.race, ())
                races[story.race].story = story.evolve(places=mine) if mine != story.places else story
            todo = [item for item in races.values() if self._needs_render(item)]
            articles: dict[str, Article] = {}
            failed = False
            for item, done in zip(todo, self._render_all(todo, jobs), strict=True):
                race = item.snapshot.race
                if isinstance(done, Article) and (done.problems or done.claims):
                    found = (["fact audit: " + "; ".join(done.problems)] if done.problems else []) + list(done.claims)
                    done = Problem(race, "; ".join(found), where=item.snapshot.where, kind="audit")
                if isinstance(done, Problem):
                    self.hold(done, item.snapshot)
                    del races[race]
                    failed = True
                else:
                    articles[race] = done
            if not failed and not self._render_extras(extras, races):
                return articles

    # -- local pages and round-ups (see generator.extra) -------------------------------

    def _plan_extras(self, races: dict[str, RaceWork], published: set[str] | None
                     ) -> tuple[list[ExtraWork], dict[str, tuple[Link, ...]], dict[str, tuple[Link, ...]]]:
        """This run's local pages and round-ups, linked; the links the races get back (Baca
        Juga) and the kecamatan pages each regent/mayor race lists (its places line)."""
        if self.wanted == RACES_ONLY:
            return [], {}, {}
        stories = {race: item.story for race, item in races.items()}
        extras = [e for e in plan(stories, {r: i.snapshot for r, i in races.items()}, self.wanted, self.config,
                                  self.phrases, self.held) if e.id not in self.failed_extras]
        extras = [e for e in extras if self._claim_extra(e)]
        if published is not None:
            published = published | {e.id for e in extras if self._extra_published(e)}
        link_extras(extras, stories, self.config, published)
        return extras, back_links(extras, self.config, published), place_links(extras, self.config, published)

    def _claim_extra(self, work: ExtraWork) -> bool:
        other = self.paths.setdefault(work.path, work.id)
        if other == work.id:
            return True
        self.failed_extras.add(work.id)
        self.hold(Problem(work.id, f"its page {work.path} is also the page of {other} (their names give the same "
                                   "slug); set a distinct place name for one of them in regions.yaml",
                          kind="config"))
        return False

    def _extra_published(self, work: ExtraWork) -> bool:
        existing = read_existing(self.writer, work.path)
        return existing is not None and existing.published

    def _render_extras(self, extras: list[ExtraWork], races: dict[str, RaceWork]) -> bool:
        """Render the pages; True when one failed (it is held back and the run links again without it)."""
        snapshots = {race: item.snapshot for race, item in races.items()}
        self.extras = []
        failed = False
        whole_numbers: dict[str, set[str]] = {}
        for work in extras:
            done = page_or_problem(work, self.renderer, self.config, snapshots, self.writer, self.now, whole_numbers)
            if isinstance(done, Problem):
                self.hold(done)
                self.failed_extras.add(work.id)
                failed = True
            else:
                self.extras.append((work, done))
        return failed

    def write_extras(self) -> None:
        for work, page in self.extras:
            try:
                status = self._write_extra(work, page)
            except Exception as exc:  # a full disk, a read-only file: this page only
                self.hold(Problem.from_exception(work.id, exc))
                continue
            waiting = f"{PENDING}/{work.path}" if status == "waiting" else None
            shown: Status = "unchanged" if waiting or status == "unchanged" else "written"
            digest = hashlib.sha256(page.text.encode("utf-8")).hexdigest()
            self.manifest[work.id] = ManifestEntry(
                race=work.id, status=shown, path=work.path, slug=work.slug, headline=work.headline,
                data_timestamp=work.timestamp.isoformat(), data_sha256=page.data_sha256, fingerprint=digest[:16],
                kind=work.kind, waiting=waiting)
            self.review[work.id] = extra_review_entry(work, shown, waiting)

    def _write_extra(self, work: ExtraWork, page: ExtraPage) -> str:
        if self._edited(work.path, page.text):
            path = self.writer.claim(work.path)
            self.state.write_group([(f"{PENDING}/{work.path}", page.text)])
            self.report.waiting.append((work.id, path))
            return "waiting"
        ((path, changed),) = self.writer.write_group([(work.path, page.text)])
        self.files[work.path] = sha256(page.text.replace("\r\n", "\n").encode("utf-8"))
        (self.report.written if changed else self.report.unchanged).append((work.id, path))
        return "written" if changed else "unchanged"

    def _kept_targets(self, races: dict[str, RaceWork]) -> list[LinkTarget]:
        """Held-back races whose earlier article is still there: siblings keep linking it."""
        kept = []
        for race, entry in self.old_manifest.items():
            if race in races or race not in self.manifest or self.manifest[race].status != "held_back":
                continue
            if entry.get("path") and entry.get("headline") and entry.get("slug") and entry.get("kind") \
                    and (self.writer.folder / str(entry["path"])).is_file():
                kept.append(LinkTarget(race, str(entry["kind"]), str(entry["headline"]), str(entry["slug"])))
        return kept

    def _published(self, races: dict[str, RaceWork], kept: list[LinkTarget]) -> set[str]:
        """The races whose article an editor has published (the only ones a link may point to)."""
        out = {race for race, item in races.items() if item.existing and item.existing.published}
        for target in kept:
            existing = read_existing(self.writer, str(self.old_manifest[target.race]["path"]))
            if existing and existing.published:
                out.add(target.race)
        return out

    def _needs_render(self, item: RaceWork) -> bool:
        """False when the article on disk was made from the same story and flags."""
        race = item.snapshot.race
        self.fingerprints[race] = print_ = fingerprint(item.story, item.flags, self.renderer.overrides)
        old = self.old_manifest.get(race, {})
        return not (item.existing and old.get("path") == item.path and old.get("fingerprint") == print_)

    def _render_all(self, todo: list[RaceWork], jobs: int) -> Iterator[Article | Problem]:
        if jobs < 1 or len(todo) < 2:
            return (article_or_problem(item, self.renderer, self.config) for item in todo)
        from concurrent.futures import ProcessPoolExecutor  # only with --jobs: the pool's modules cost ~15 ms

        with ProcessPoolExecutor(jobs, initializer=start_worker,
                                 initargs=(self.config, self.renderer.templates)) as pool:
            return iter(list(pool.map(in_worker, todo, chunksize=16)))

    # -- write -------------------------------------------------------------------------

    def write(self, races: dict[str, RaceWork], articles: dict[str, Article]) -> None:
        for race, item in races.items():
            try:
                status = self._write_race(item, articles.get(race))
            except Exception as exc:  # a full disk, a read-only file: this race only
                self.hold(Problem.from_exception(race, exc), item.snapshot)
                continue
            story, snap = item.story, item.snapshot
            waiting = f"{PENDING}/{item.path}" if status == "waiting" else None
            self.manifest[race] = ManifestEntry(
                race=race, status="unchanged" if waiting else status, path=item.path, slug=story.slug,
                headline=story.headline, data_timestamp=snap.timestamp.isoformat(), data_sha256=snap.data_sha256,
                fingerprint=self.fingerprints[race], flags=item.flags, input_key=self.input_keys.get(race),
                kind=story.kind, waiting=waiting, chart=item.chart,
            )
            self.review[race] = entry_from_snapshot(snap, status="unchanged" if waiting else "written"
                                                    if status == "written" else "unchanged",
                                                    narrow_margin=self.narrow, headline=story.headline,
                                                    path=item.path, flags=item.flags, slug=story.slug,
                                                    waiting=waiting is not None, waiting_path=waiting)
            old = self.old_manifest.get(race, {})
            if old.get("path") and old["path"] != item.path:  # a new slug: the old URL is an alias now
                for relative in (old.get("chart"), old["path"]):  # only files still as newsgen wrote them
                    if relative and self.writer.remove(relative, expected_sha256=self.files.get(relative)):
                        self.files.pop(relative, None)

    def _write_race(self, item: RaceWork, article: Article | None) -> str:
        """Write a race's files together; an article an editor changed is never overwritten:
        the update waits in the state folder instead."""
        race = item.snapshot.race
        if article is None:  # not re-rendered: same story and templates as on disk
            path = self.writer.claim(item.path)
            self.report.unchanged.append((race, path))
            return "unchanged"
        group = [(item.chart, article.chart_svg)] if item.chart and article.chart_svg is not None else []
        group.append((item.path, article.text))
        if any(self._edited(relative, text) for relative, text in group):
            path = self.writer.claim(item.path)
            self.state.write_group([(f"{PENDING}/{relative}", text) for relative, text in group])
            self.report.waiting.append((race, path))
            return "waiting"
        results = self.writer.write_group(group)
        for relative, text in group:
            self.files[relative] = sha256(text.replace("\r\n", "\n").encode("utf-8"))
        path, changed = results[-1]
        changed = any(c for _, c in results)
        (self.report.written if changed else self.report.unchanged).append((race, path))
        return "written" if changed else "unchanged"

    def _edited(self, relative: str, text: str) -> bool:
        """True when the file on disk is not what newsgen last wrote there (an editor changed it,
        or it was never newsgen's) and not already what newsgen would write now."""
        current = self.writer.read_bytes(relative)
        if current is None or current == text.replace("\r\n", "\n").encode("utf-8"):
            return False
        return sha256(current) != self.files.get(relative)

    def bookkeeping(self, now: datetime | None) -> None:
        """The manifest and the review page; races not in this run keep their entries."""
        for race, old in self.old_manifest.items():
            if race not in self.manifest:
                self.manifest[race] = ManifestEntry.from_json(old)
        report = self.report
        try:
            if write_manifest(self.state, list(self.manifest.values()), self.files) or report.changed:
                markdown, html = build_review(
                    list(self.review.values()), generated_at=now or datetime.now().astimezone(),
                    section=self.config.publication.section,
                    link_base=link_base_for(self.state.folder, self.writer.folder),
                    province_names={code: p.name for code, p in self.config.regions.provinces.items()},
                    url_pattern=self.config.publication.review_url, templates=self.renderer.templates)
                self.state.write_text("review.md", markdown)
                self.state.write_text("review.html", html)
        except OutputError as exc:  # a full disk: the articles are written, say what the bookkeeping lost
            report.bookkeeping_error = (f"{exc}; the manifest keeps its earlier content (each file is replaced "
                                        "whole or not at all), so the next run compares with that")


def clear_flags(out: Path, races: Iterable[str] = (), *, state: Path | None = None) -> dict[str, tuple[str, ...]]:
    """An editor's "checked": remove the review flags of ``races`` (every race when empty)
    from the manifest; the next run writes their articles without them. Returns what was cleared."""
    state_dir = state or default_state_dir(out)
    wanted = set(races)
    with locked(state_dir):
        keeper = Writer(state_dir)
        entries = load_manifest(keeper)
        cleared: dict[str, tuple[str, ...]] = {}
        updated = []
        for race, entry in entries.items():
            item = ManifestEntry.from_json(entry)
            if item.flags and (not wanted or race in wanted):
                cleared[race] = item.flags
                item = replace(item, flags=())
            updated.append(item)
        if cleared:
            write_manifest(keeper, updated, load_files(keeper))
    return cleared
