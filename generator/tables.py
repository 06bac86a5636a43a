"""The full sub-region table and the recap's turnout: plain data for two paragraphs.

:func:`sub_region_table` lays out every sub-region of a race (kab/kota of a
governor race, kecamatan of a regent or mayor race) with each ticket's votes:
columns in ballot order (nomor urut, as the ballot and KPU's forms print them),
rows in the data's order (KPU's region-code order, the order of its tables and of
the recap forms, so an editor can check the table line by line against the
source), the leader of each row marked (every tied leader when a row is tied), a
row without data said to be so rather than printed as zeros.

:func:`turnout_facts` reads an official recap's voter figures (DPT, voters, valid
and invalid votes) with the turnout as a share of the DPT, from integers with
``Decimal`` half-up (:func:`generator.models.share`).

Figures are formatted in house style here; the templates
(``paragraphs/table.md.j2``, ``paragraphs/turnout.md.j2``) only word them, and
every printed cell goes through the renderer's Markdown escaping.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from .facts import ElectionFacts, TicketFacts
from .formatting import count_words, format_percent, format_votes
from .models import RaceSnapshot, Stage, SubRegion, share
from .phrases import Phrases

__all__ = ["SubRegionTable", "TableCell", "TableRow", "TurnoutFacts", "paragraph_phrases", "sub_region_table",
           "turnout_facts"]


@dataclass(frozen=True)
class TableCell:
    votes: str  # "77.350"
    leader: bool  # the most votes in this row (every tied ticket when the row is tied)


@dataclass(frozen=True)
class TableRow:
    name: str
    cells: tuple[TableCell, ...]  # one per column; () when the row has no data yet

    @property
    def figures(self) -> Markup:
        """The row's cells after its name, as Markdown: " 56.043 | **77.350** |". Only figures
        in house style and bold markers, so nothing in it needs escaping; one piece rather
        than a template loop over every cell (the table is a fifth of a render otherwise)."""
        return Markup("".join(f" **{c.votes}** |" if c.leader else f" {c.votes} |" for c in self.cells))


@dataclass(frozen=True)
class SubRegionTable:
    level: str  # "kabupaten/kota", "kecamatan"
    count: str  # how many rows, in words where words say it: "sepuluh", "33"
    columns: tuple[TicketFacts, ...]  # ballot order
    rows: tuple[TableRow, ...]
    no_data: bool  # some row has no data yet
    tied_row: bool  # some row has more than one leader


def _has_data(row: SubRegion) -> bool:
    """Votes are in for this row (a row with no TPS in carries no candidate keys, or only zeros)."""
    return bool(row.votes) and (row.total_votes > 0 or row.tps_reported > 0)


def sub_region_table(snapshot: RaceSnapshot, tickets: tuple[TicketFacts, ...]) -> SubRegionTable | None:
    """The table of every sub-region, or None: no sub-regions, none with data yet, or a quick
    count (its institute publishes shares for the race, not votes per region)."""
    rows = snapshot.sub_regions
    if snapshot.stage is Stage.QUICK_COUNT or not any(_has_data(r) for r in rows):
        return None
    by_number = {t.number: t for t in tickets}
    ordered = sorted(snapshot.tickets, key=lambda t: t.number)
    columns = tuple(by_number[t.number] for t in ordered)
    out = []
    for row in rows:
        if not _has_data(row):
            out.append(TableRow(row.name, ()))
            continue
        leaders = set(row.leader_ids)
        out.append(TableRow(row.name, tuple(
            TableCell(format_votes(row.votes.get(t.id, 0)), t.id in leaders) for t in ordered)))
    return SubRegionTable(
        level=snapshot.sub_region_level,
        count=count_words(len(rows)),
        columns=columns,
        rows=tuple(out),
        no_data=any(not r.cells for r in out),
        tied_row=any(len(r.leader_ids) > 1 for r in rows),
    )


@dataclass(frozen=True)
class TurnoutFacts:
    """An official recap's voter figures; "" where the editor's file did not give one."""

    registered: str  # DPT: "2.712.931"
    voters: str  # pengguna hak pilih
    rate: str  # voters as a share of the DPT: "65,43%" ("" unless both are given)
    valid: str  # the sum of the tickets' votes
    invalid: str


def turnout_facts(snapshot: RaceSnapshot) -> TurnoutFacts | None:
    """The turnout figures of an official recap that gives any (None otherwise: a count's
    DPT stays a plausibility check, never printed against partial votes)."""
    registered, voters, invalid = snapshot.registered_voters, snapshot.voters, snapshot.invalid_votes
    if snapshot.stage is not Stage.OFFICIAL_RECAP or (registered, voters, invalid) == (None, None, None):
        return None
    return TurnoutFacts(
        registered=format_votes(registered) if registered is not None else "",
        voters=format_votes(voters) if voters is not None else "",
        rate=format_percent(share(voters, registered)) if voters is not None and registered else "",
        valid=format_votes(snapshot.total_votes),
        invalid=format_votes(invalid) if invalid is not None else "",
    )


def paragraph_phrases(phrases: Phrases, snapshot: RaceSnapshot, facts: ElectionFacts, leader: TicketFacts,
                      table: SubRegionTable | None) -> dict[str, str]:
    """The wording variants of these paragraphs for one race (seeded by its race code, as
    every phrase): the table's intro and bold note, and the lead against the votes out."""
    seed, chosen = snapshot.race, {}
    if table is not None:
        chosen["table_intro"] = phrases.pick(f"table.intro.{snapshot.stage.value}", seed,
                                             count=table.count, level=table.level)
        chosen["table_bold"] = phrases.pick("table.bold", seed, level=table.level)
    values = {"leader": leader.short, "votes": facts.margin_votes, "tps": facts.outstanding_tps}
    if facts.reversible and not facts.early:
        chosen["outstanding"] = phrases.pick("outstanding.reversible", seed, **values)
    elif facts.lead_holds:
        chosen["outstanding"] = phrases.pick("outstanding.holds", seed, **values)
    return chosen
