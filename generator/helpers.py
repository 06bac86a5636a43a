"""Helper processes that draft races while the fetch is still running.

A national run is bound by the HTTP client, which keeps the main process busy
while the other CPUs mostly wait. A :class:`Drafter` hands each race to a
helper process as soon as its files are in; the helper builds its snapshot
(parsing the tally), validates it, decides its story, renders and audits the
article and draws its chart, with stand-ins for the two things only the whole
run knows (Baca Juga links and the run's time; see :mod:`generator.drafts`).
:func:`~generator.pipeline.generate` then finds that work in its memo and only
links the races, puts the links and time in and writes the files. A draft
that no longer fits (the article on disk changed meanwhile, other links than
expected) is worked out again, so the output is byte for byte what a run
without helpers writes.

Helpers run at the lowest priority (Linux's idle scheduling class) and off the
CPU the main process is on, so they take only CPU time the fetch leaves idle;
once the fetch is over they run at normal priority on every CPU. They are
forked when that is safe (Linux, no other thread running), else spawned;
either way they start before the fetch does. A helper that fails or dies
costs only speed: the races it did not draft are worked out in the main
process, with the same messages.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .drafts import make_draft
from .errors import DataError, NewsgenError
from .models import RaceSnapshot
from .output import load_manifest
from .phrases import Phrases
from .pipeline import Report, as_run, generate, place, prepare
from .render import Renderer
from .writer import Writer

if TYPE_CHECKING:
    from .sources.live import RaceFiles

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

#: Seconds to wait for the helpers' drafts at the end of a fetch before doing without.
COLLECT_TIMEOUT = 120.0
POLL = 0.2
#: A helper sends its drafts back once it has this many and no race waits for it ...
BATCH_IDLE = 8
#: ... or this many in any case.
BATCH_MAX = 64
#: Where there is no idle scheduling class, helpers run at this nice value instead.
NICENESS = 10
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux
PIPE_BYTES = 1 << 20


def default_processes() -> int:
    """One helper per CPU, at most four; none on a single CPU.

    As many helpers as CPUs, not one fewer: while the fetch runs they share the
    idle time (at a lower priority), and when it ends the drafts still queued
    are finished on every CPU at once.
    """
    cpus = _usable_cpus()
    usable = len(cpus) if cpus is not None else (os.cpu_count() or 1)
    return 0 if usable < 2 else min(4, usable)


def _usable_cpus() -> set[int] | None:
    """The CPUs this process may run on (None where that cannot be told)."""
    return set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None


def _context() -> Any:
    """``fork`` where it is cheap and safe (Linux, one thread), else ``spawn``."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _fetch_cpus() -> set[int] | None:
    """The CPUs a helper may use during the fetch: all but the one the main process is on.

    The fetch keeps its CPU to itself: a helper there would take it each time
    the fetch waits a moment, and leave it with cold caches (about 5% of a
    national run). None where that cannot be told (Linux only) or on one CPU.
    """
    usable = _usable_cpus()
    try:
        stat = Path("/proc/self/stat").read_text()
        current = int(stat.rsplit(")", 1)[1].split()[36])  # field 39, "processor"
    except (OSError, ValueError, IndexError):
        return None
    if not usable or current not in usable or len(usable) < 2:
        return None
    return usable - {current}


def _lower_priority(cpus: set[int] | None = None) -> None:
    """Spare CPU only: the fetch (and a server on the same machine answering it) come first.

    Linux's idle scheduling class runs a helper only when a CPU would
    otherwise be idle, and gives the CPU back at once when the fetch wakes up;
    elsewhere a lower nice value does much the same, less strictly. With
    ``cpus``, the helper keeps to those until the fetch is over.
    """
    if cpus:
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setaffinity(0, cpus)
    with contextlib.suppress(OSError, AttributeError):  # Linux only
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on Windows
        os.nice(NICENESS)


def _serve(tasks: Any, results: Any, config: Config, phrases: Phrases, out: Path, strict: bool,
           now: datetime | None, cpus: set[int] | None = None) -> None:
    """A helper's loop: draft each race received until told to stop; send the drafts as they are done.

    Drafts go back in batches, pickled here while the helper would otherwise
    wait for work, so little is left to send when the fetch ends; an empty
    message ends them.
    """
    _lower_priority(cpus)
    try:
        renderer = Renderer(config)
        writer = Writer(out)
        manifest = load_manifest(writer)
    except NewsgenError:
        return  # a broken template or manifest: the main process meets it too, and says what is wrong
    drafted: list = []
    while (item := tasks.recv()) is not None:
        try:
            snap = item if isinstance(item, RaceSnapshot) else item.snapshot()  # RaceFiles
        except Exception:  # noqa: BLE001 - the main process builds it again, with the real message
            continue
        try:
            entry = _draft_one(snap, config, phrases, renderer, writer, manifest, strict, now)
        except Exception:  # noqa: BLE001 - the main process works this race out itself, with the real message
            entry = None
        drafted.append((snap.race, snap if snap is not item else None, entry))
        if len(drafted) >= BATCH_MAX or (len(drafted) >= BATCH_IDLE and not tasks.poll()):
            results.send_bytes(pickle.dumps(drafted, protocol=pickle.HIGHEST_PROTOCOL))
            drafted = []
    if drafted:
        results.send_bytes(pickle.dumps(drafted, protocol=pickle.HIGHEST_PROTOCOL))
    results.send_bytes(b"")


def _draft_one(snap: RaceSnapshot, config: Config, phrases: Phrases, renderer: Renderer, writer: Writer,
               manifest: dict, strict: bool, now: datetime | None) -> tuple | None:
    """(memo entry, slug) for one snapshot, as :func:`~generator.pipeline.prepare` keys it."""
    snap = as_run(snap, config)  # as generate() keys it
    if not snap.has_data:
        return None
    memo: dict = {}
    prepared = prepare(snap, None, config, phrases, writer, strict, memo)
    key, _ = memo[snap.race]
    if not isinstance(prepared, str):
        placed = replace(prepared)
        place(placed, config, now or snap.timestamp, manifest.get(snap.race, {}))
        prepared.draft = make_draft(placed.story, placed.snapshot, renderer, config, chart=placed.chart is not None,
                                    existing=placed.existing, aliases=placed.aliases, flags=placed.flags)
        prepared.snapshot = None  # type: ignore[assignment]  # the main process has it (see prepare)
    return (key, prepared), memo["_slugs"][snap.race]


def _receive(results: Any, batches: list[bytes]) -> None:
    """A thread of the main process: keep a helper's batches of drafts as they come (unpickled later)."""
    with contextlib.suppress(EOFError, OSError):
        while batch := results.recv_bytes():
            batches.append(batch)


def _roomy(connection: Any) -> Any:
    """A pipe that holds a few hundred snapshots, so handing one over never waits (Linux)."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        fcntl.fcntl(connection.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
    return connection


class Drafter:
    """Helper processes that draft the races a fetch delivers (see the module docs).

    Use as a context manager around the fetch; pass :meth:`submit` as the
    source's ``on_files`` and :meth:`collect` as ``generate(memo=...)``::

        with Drafter(config, out, processes=1) as drafter:
            run = fetch_live(url, selection, on_files=drafter.submit)
            memo = drafter.collect()
            report = generate(build(run.items, drafter.built), config, out, memo=memo)

    A race handed over as :class:`~generator.sources.live.RaceFiles` has its
    snapshot built by the helper too; :attr:`built` holds those snapshots.

    ``now`` is the run's ``--now``, if given; without it the front matter is
    drafted with a stand-in time, and the race's own time decides where a file
    goes in the ``dated`` layout (a draft placed elsewhere than the run decides
    is not used).
    """

    def __init__(self, config: Config, out: Path, *, phrases: Phrases | None = None, strict: bool = False,
                 now: datetime | None = None, processes: int | None = None) -> None:
        self.count = default_processes() if processes is None else processes
        self._helpers: list[tuple[Any, Any, Any]] = []  # (process, tasks sender, results receiver)
        self._receivers: list[tuple[threading.Thread, list[bytes]]] = []  # per helper: (thread, batches)
        self._cpus: set[int] | None = None  # every CPU this process may use
        self._next = 0
        self._memo: dict | None = None
        #: Snapshots the helpers built from the :class:`RaceFiles` they were given, by race.
        self.built: dict[str, RaceSnapshot] = {}
        if self.count <= 0:
            return
        context = _context()
        phrases = phrases or Phrases.load()
        self._cpus = _usable_cpus()
        fetch_cpus = _fetch_cpus()
        for _ in range(self.count):
            task_out, task_in = context.Pipe(duplex=False)
            result_out, result_in = context.Pipe(duplex=False)
            proc = context.Process(target=_serve, daemon=True, name="newsgen-drafter",
                                   args=(task_out, result_in, config, phrases, Path(out).resolve(), strict, now,
                                         fetch_cpus))
            proc.start()
            task_out.close()
            result_in.close()
            self._helpers.append((proc, _roomy(task_in), result_out))
        for _, _, results in self._helpers:  # threads only once every helper is forked
            batches: list[bytes] = []
            thread = threading.Thread(target=_receive, args=(results, batches), daemon=True,
                                      name="newsgen-drafts")
            thread.start()
            self._receivers.append((thread, batches))

    def submit(self, item: RaceFiles | RaceSnapshot | DataError) -> None:
        """Hand a race to a helper (anything else is left to the main process)."""
        if not self._helpers or self._memo is not None or isinstance(item, DataError):
            return
        _, tasks, _ = self._helpers[self._next % len(self._helpers)]
        self._next += 1
        # Plain pickle: a race holds nothing that needs multiprocessing's own picklers.
        with contextlib.suppress(OSError):  # a helper that died: its races are worked out here
            tasks.send_bytes(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))

    def collect(self) -> dict:
        """The drafts as a memo for :func:`~generator.pipeline.generate` (empty without helpers)."""
        if self._memo is not None:
            return self._memo
        memo: dict = {"_slugs": {}}
        self._memo = memo
        self._stop()
        with _no_collections():
            # The batches already in, while the helpers finish their last drafts ...
            done = [len(batches) for _, batches in self._receivers]
            for (_, batches), upto in zip(self._receivers, done, strict=True):
                self._take(batches[:upto], memo)
            # ... then the rest, from each helper that ends in time.
            for (proc, _, _), (thread, batches), upto in zip(self._helpers, self._receivers, done, strict=True):
                waited = 0.0
                while thread.is_alive() and waited < COLLECT_TIMEOUT:
                    thread.join(POLL)
                    waited += POLL
                    if not proc.is_alive():
                        thread.join(POLL)  # what it sent before it died is still in the pipe
                        break
                # A helper that died or hangs: the races it held are worked out in this process.
                self._take(batches[upto:], memo)
        self.close()
        return memo

    def _take(self, batches: list[bytes], memo: dict) -> None:
        for batch in batches:
            for race, built, drafted in pickle.loads(batch):
                if built is not None:
                    self.built[race] = built
                if drafted is not None:
                    memo[race], memo["_slugs"][race] = drafted

    def _stop(self) -> None:
        for proc, tasks, _ in self._helpers:
            with contextlib.suppress(OSError):
                tasks.send(None)
            # The fetch is over and the main process waits for what is left: full speed on
            # every CPU, even on a machine busy with other work.
            with contextlib.suppress(OSError, AttributeError, ValueError, TypeError):
                os.sched_setscheduler(proc.pid, os.SCHED_OTHER, os.sched_param(0))
            if self._cpus:
                with contextlib.suppress(OSError, AttributeError, ValueError, TypeError):
                    os.sched_setaffinity(proc.pid, self._cpus)

    def close(self, *, wait: float = 5.0) -> None:
        """Stop the helpers; one still busy after ``wait`` seconds is ended."""
        for proc, _, _ in self._helpers:
            proc.join(timeout=wait)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for thread, _ in self._receivers:  # the helpers are gone: their pipes are at an end
            thread.join(timeout=5)
        for _, tasks, results in self._helpers:
            tasks.close()
            results.close()
        self._helpers = []
        self._receivers = []

    def __enter__(self) -> Drafter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(wait=0)  # after collect() nothing is left; before it (a failed read) the drafts are not needed


#: How many full collections there had been when a run last left its objects unscanned.
_left_unscanned: list[int] = []


def _full_collections() -> int:
    return gc.get_stats()[-1]["collections"]


@contextlib.contextmanager
def _no_collections(*, run: bool = False) -> Iterator[None]:
    """The garbage collector off for a while (restored afterwards).

    The collector's scans during a run find little to free (the run's objects
    live until its end): they only cost time, 50 to 90 ms of a national run,
    and collecting less often saves little, as the objects survive each scan.
    With ``run`` (a whole run):

    - what is loaded already (modules, config, templates) is frozen out of the
      scans, which also spares forked helpers from copying the pages a scan
      would touch;
    - at the end, what the run made and kept goes to the oldest generation
      unscanned, as the survivors of collections would; else the first young
      collection after the run scanned all of it at once (50 to 100 ms);
    - the run's cyclic garbage (some 9 MB for a national run, mostly the HTTP
      client's) is collected at the start of the next run in the same process,
      unless a full collection came first, so it never piles up. A ``newsgen``
      command makes one run and exits.
    """
    if run and _left_unscanned and _left_unscanned[0] == _full_collections():
        gc.collect()
    enabled = gc.isenabled()
    if run:
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if run:
            gc.freeze()  # everything, then into the oldest generation, without a scan
            gc.unfreeze()
            _left_unscanned[:] = [_full_collections()]
        if enabled:
            gc.enable()


def read_and_generate(
    load: Callable[[Callable[[RaceFiles], None] | None], list],
    config: Config,
    out: Path,
    *,
    now: datetime | None = None,
    strict: bool = False,
    processes: int | None = None,
) -> Report:
    """``load(on_files)`` reads a source; its races are built and drafted by helpers as they arrive, then generated.

    ``load`` is given ``on_files`` when there are helpers (see
    :func:`~generator.sources.live.collect`), else None. What ``newsgen
    generate`` does for the Sirekap and archive sources; with ``processes=0``
    it is ``generate(load(None), ...)``.
    """
    phrases = Phrases.load()
    with _no_collections(run=True), Drafter(config, out, phrases=phrases, strict=strict, now=now,
                                       processes=processes) as drafter:
        items = load(drafter.submit if drafter.count > 0 else None)
        # Imported after the read: only the live and archive sources hand over RaceFiles,
        # and they have loaded the HTTP stack by then (this module does not need it).
        from .sources.live import build

        memo = drafter.collect()
        # A helper drafts only once its renderer is built: then the templates compile, and
        # here they need to only for a race the helpers could not draft.
        renderer = Renderer(config, compile_now=memo.keys() <= {"_slugs"})
        return generate(build(items, drafter.built), config, out, now=now, strict=strict, memo=memo,
                        renderer=renderer, phrases=phrases)
