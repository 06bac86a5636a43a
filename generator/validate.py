"""Plausibility and consistency checks on a snapshot, before anything is rendered.

The parser and the models already refuse input that cannot be a count at all
(negative or non-integer votes, TPS reported above the total, unknown ticket
ids in the race totals, timestamps that do not parse, malformed shapes): such
input never becomes a :class:`~generator.models.RaceSnapshot`. What is left
here are figures that are well formed but cannot be trusted:

- ``error``: the snapshot contradicts itself (sub-region rows that do not add
  up to the race totals, rows with votes for tickets not in the race), is timed
  later than the run's time (``now``) by more than a tolerance, or a text an
  editor gave (races.yaml) is longer than a reader's page can carry. The race
  is held back.
- ``suspicious``: the figures are possible but unlikely (more valid votes per
  reported TPS than a TPS holds voters, more votes than registered voters, a
  count that goes backwards or jumps compared with the previous snapshot). The
  race is written as a draft with a review flag, or held back under
  ``--strict``.

Every reason says what was expected and what was found, with numbers in house
style (``962.804``, ``55,66%``), so an editor can check it against KPU's site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from .formatting import format_decimal2, format_percent, format_votes, to_zone
from .models import RaceSnapshot, Stage, SubRegion, Ticket
from .names import names_the_person
from .text import MAX_NOTE, MAX_PERSON_NAME, MAX_REGION_NAME, capped

if TYPE_CHECKING:
    from .config import Incumbent

Severity = Literal["error", "suspicious"]


@dataclass(frozen=True)
class Finding:
    """One problem with one field of one race; ``where`` is the file or URL that holds the field."""

    race: str
    field: str
    reason: str
    severity: Severity
    where: str | None = None

    def __str__(self) -> str:
        return f"race {self.race}: field {self.field}: {self.reason}"


@dataclass(frozen=True)
class Limits:
    """Thresholds of the plausibility checks."""

    #: Voters one TPS may hold (Pilkada 2024: up to 600).
    tps_capacity: int = 600
    #: Largest plausible change of a ticket's share between two snapshots, in points.
    share_jump_points: Decimal = Decimal("10")
    #: How much later than the run's time (``now``) data may be timed: clocks differ a little.
    future_tolerance: timedelta = timedelta(hours=2)


def check_snapshot(
    snapshot: RaceSnapshot,
    *,
    previous: RaceSnapshot | None = None,
    limits: Limits = Limits(),
    now: datetime | None = None,
) -> list[Finding]:
    """Every finding about ``snapshot``, errors first; ``[]`` when it can be trusted.

    ``previous`` is an earlier snapshot of the same race (the last one
    published), used to catch counts that go backwards or jump. ``now`` is the
    run's time: data timed later than that by more than
    ``limits.future_tolerance`` is an error (a wrong clock or a forged file would
    otherwise date the article in the future, where Hugo hides it).
    """
    if previous is not None and previous.race != snapshot.race:
        raise ValueError(f"previous snapshot is of race {previous.race}, not {snapshot.race}")
    findings = _future(snapshot, now, limits) if now is not None else []
    findings += _sub_region_consistency(snapshot)
    if snapshot.stage is not Stage.QUICK_COUNT:  # a quick count has shares, not votes
        findings += _capacity(snapshot, limits)
        findings += _voter_roll(snapshot)
    if previous is not None:
        findings += _against_previous(snapshot, previous, limits)
    return sorted(findings, key=lambda f: f.severity != "error")


def source_field(snapshot: RaceSnapshot, field: str) -> str:
    """A finding's field as the snapshot's source spells it.

    A KPU file (no ``origin``) is named by its JSON path: ``tps_reported`` ->
    ``tungsura.chart.progres``, ``votes.1000054`` -> ``tungsura.chart.1000054``,
    ``sub_regions.6401`` -> ``tungsura.table.6401``, ``timestamp`` -> ``ts``. An
    editor file keeps newsgen's names, which are its own.
    """
    if snapshot.origin is not None:
        return field
    head, _, rest = field.partition(".")
    kpu = {"tps_reported": "tungsura.chart.progres", "tps_total": "tungsura.chart.progres",
           "votes": "tungsura.chart", "sub_regions": "tungsura.table", "timestamp": "ts"}.get(head)
    if kpu is None:
        return field
    return f"{kpu}.{rest}" if rest and head in ("votes", "sub_regions") else kpu


def located(snapshot: RaceSnapshot, findings: list[Finding]) -> list[Finding]:
    """``findings`` with the field as the source spells it and the file or URL that holds it."""
    return [replace(f, field=source_field(snapshot, f.field), where=f.where or snapshot.where) for f in findings]


def check_texts(snapshot: RaceSnapshot, *, notes: Sequence[str] = (), region_context: str = "",
                notes_where: str | None = None) -> list[Finding]:
    """Errors for editors' texts (``races.yaml``) too long for an article: notes, the region
    context, and names or places as the overrides left them (a source's own are capped by
    the model). Named by their path in races.yaml."""
    race = snapshot.race
    base = f"races.{race}"
    texts: list[tuple[str, str, int, str]] = [
        (f"{base}.notes.{index}", note, MAX_NOTE, "a note") for index, note in enumerate(notes)]
    if region_context:
        texts.append((f"{base}.region_context", region_context, MAX_NOTE, "a region context"))
    for ticket in snapshot.tickets:
        for part in ("head", "deputy", "head_short", "deputy_short"):
            texts.append((f"{base}.tickets.{ticket.number}.{part}", getattr(ticket, part), MAX_PERSON_NAME, "a name"))
    texts.append(("region", snapshot.region.name, MAX_REGION_NAME, "a region name"))
    findings = []
    for field, text, limit, what in texts:
        try:
            capped(text, limit, what)
        except ValueError as exc:
            where = notes_where if field.startswith(base) else None
            findings.append(Finding(race, field, str(exc), "error", where=where))
    return findings


def check_incumbents(snapshot: RaceSnapshot, incumbents: Sequence[Incumbent], *,
                     where: str | None = None) -> list[Finding]:
    """Review flags for incumbents in ``races.yaml`` whose name is not the person the data puts
    at their ticket and position (a ballot number mistyped, a ticket that changed): the story
    leaves them out (:func:`.story._persons`) rather than tie an office to the wrong candidate."""
    by_number = {t.number: t for t in snapshot.tickets if not t.empty_column}
    findings = []
    for index, person in enumerate(incumbents):
        ticket = by_number.get(person.ticket)
        if ticket is None:
            continue  # on no candidate ticket: a configuration error (story._persons)
        candidate = ticket.person(person.position)
        if not names_the_person(person.name, candidate):
            role = "the candidate" if person.position == "head" else "the running mate"
            findings.append(Finding(
                snapshot.race, f"races.{snapshot.race}.incumbents.{index}",
                f"incumbent {person.name} ({person.office}) is given as {role} of nomor urut {person.ticket}, "
                f"but the data names {candidate or 'nobody'} there, so the article leaves out the office; correct "
                "the incumbent's ticket, position or name in races.yaml", "suspicious", where=where))
    return findings


def check_identity(snapshot: RaceSnapshot, *, province_name: str | None, election_year: int) -> list[Finding]:
    """Race code, region and year against the region table and the run's election.

    ``province_name`` is the name regions.yaml gives the race's province (None: not
    in the table). A governor race is named after its province; every race is of
    ``election_year``. (Kind and kab/kota names against the code: the model.)
    """
    race, code = snapshot.race, snapshot.race.split("/")[1]
    findings = []
    if province_name is None:
        findings.append(Finding(race, "race", f"expected a province code of regions.yaml, found {code[:2]} "
                                "(no such province); correct the race code", "error"))
    elif race.startswith("pkwkp/") and snapshot.region.name != province_name:
        findings.append(Finding(race, "region", f"expected {province_name!r}, the province of race {race} in "
                                f"regions.yaml, found {snapshot.region.name!r}; correct the race code or the region",
                                "error"))
    if snapshot.year != election_year:
        findings.append(Finding(race, "year", f"expected {election_year} (publication.yaml election_year), "
                                f"found {snapshot.year}", "error"))
    return findings


# -- helpers -----------------------------------------------------------------


def _ticket_label(ticket: Ticket) -> str:
    name = "kolom kosong" if ticket.empty_column else ticket.short_name
    return f"nomor urut {ticket.number} ({name}, id {ticket.id})"


def _moment(value: datetime) -> str:
    """``28/11/2024 10.15.04 WIB``: one zone for every message, seconds kept."""
    local = to_zone(value, "WIB")
    return f"{local:%d/%m/%Y %H.%M.%S} WIB"


def _per_tps(votes: int, tps: int) -> str:
    average = (Decimal(votes) / Decimal(tps)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_decimal2(average)


# -- errors: the snapshot contradicts itself ----------------------------------


def _future(snapshot: RaceSnapshot, now: datetime, limits: Limits) -> list[Finding]:
    latest = now + limits.future_tolerance
    if snapshot.timestamp <= latest:
        return []
    minutes = int(limits.future_tolerance.total_seconds() // 60)
    return [Finding(
        snapshot.race, "timestamp",
        f"expected a data time no later than {minutes} minutes after the run's time {_moment(now)}, "
        f"found {_moment(snapshot.timestamp)}; a clock or the file is wrong",
        "error",
    )]


def _sub_region_consistency(snapshot: RaceSnapshot) -> list[Finding]:
    """Rows against the race totals.

    A row without data (no candidate keys, nothing reported) counts as 0 for
    every ticket. When the rows cover every TPS of the race (their TPS totals
    add up to the race's), they are the whole race and must add up exactly;
    when they cover only part of it (an editor typed a few regions), their sums
    can only be checked not to exceed the race totals.
    """
    rows = snapshot.sub_regions
    if not rows:
        return []
    race = snapshot.race
    findings: list[Finding] = []

    row_tps_total = sum(r.tps_total for r in rows)
    row_tps_reported = sum(r.tps_reported for r in rows)
    complete = row_tps_total == snapshot.tps_total
    if row_tps_total > snapshot.tps_total:
        findings.append(Finding(
            race, "sub_regions",
            f"expected the {snapshot.sub_region_level} rows to hold at most the race's "
            f"{format_votes(snapshot.tps_total)} TPS, found {format_votes(row_tps_total)} TPS in "
            f"{format_votes(len(rows))} rows",
            "error",
        ))
    if complete and row_tps_reported != snapshot.tps_reported:
        findings.append(Finding(
            race, "tps_reported",
            f"expected the {snapshot.sub_region_level} rows to add up to the race's "
            f"{format_votes(snapshot.tps_reported)} TPS reported, found {format_votes(row_tps_reported)}",
            "error",
        ))
    for ticket in snapshot.tickets:
        total = snapshot.votes[ticket.id]
        summed = sum(r.votes.get(ticket.id, 0) for r in rows)
        if complete and summed != total:
            expected = f"expected the rows to add up to the race total of {format_votes(total)} votes"
        elif summed > total:
            expected = f"expected the rows to add up to at most the race total of {format_votes(total)} votes"
        else:
            continue
        findings.append(Finding(
            race, f"votes.{ticket.id}",
            f"ticket {_ticket_label(ticket)}: {expected}, found {format_votes(summed)} "
            f"in {format_votes(len(rows))} {snapshot.sub_region_level} rows",
            "error",
        ))
    return findings


# -- suspicious: possible, but unlikely ---------------------------------------


def _capacity_finding(race: str, field: str, where: str, votes: int, tps: int, capacity: int) -> Finding | None:
    if votes == 0:
        return None
    if tps == 0:
        return Finding(
            race, field,
            f"expected no votes {where} while no TPS has reported, found {format_votes(votes)} votes",
            "suspicious",
        )
    if votes <= capacity * tps:
        return None
    return Finding(
        race, field,
        f"expected at most {format_votes(capacity)} valid votes per reported TPS {where} "
        f"({format_votes(capacity * tps)} for {format_votes(tps)} TPS), found {format_votes(votes)} votes, "
        f"{_per_tps(votes, tps)} per TPS",
        "suspicious",
    )


def _capacity(snapshot: RaceSnapshot, limits: Limits) -> list[Finding]:
    capacity = limits.tps_capacity
    found = [_capacity_finding(snapshot.race, "votes", "in the race", snapshot.total_votes,
                               snapshot.tps_reported, capacity)]
    for row in snapshot.sub_regions:
        found.append(_row_capacity(snapshot.race, row, capacity))
    return [f for f in found if f is not None]


def _row_capacity(race: str, row: SubRegion, capacity: int) -> Finding | None:
    return _capacity_finding(race, f"sub_regions.{row.code}", f"in {row.name}", row.total_votes,
                             row.tps_reported, capacity)


def _voter_roll(snapshot: RaceSnapshot) -> list[Finding]:
    """More votes or voters than the DPT: voters off the roll (DPTb, DPK) are a handful per
    TPS, never a race's surplus, so the figures are suspect."""
    registered = snapshot.registered_voters
    if registered is None:
        return []
    found = []
    if snapshot.total_votes > registered:
        found.append(Finding(
            snapshot.race, "registered_voters",
            f"expected at most the {format_votes(registered)} registered voters (DPT) to have voted, "
            f"found {format_votes(snapshot.total_votes)} valid votes",
            "suspicious",
        ))
    elif snapshot.voters is not None and snapshot.voters > registered:
        found.append(Finding(
            snapshot.race, "voters",
            f"expected at most the {format_votes(registered)} registered voters (DPT) to have voted, "
            f"found {format_votes(snapshot.voters)} voters; check both against the recap form",
            "suspicious",
        ))
    return found


def _against_previous(snapshot: RaceSnapshot, previous: RaceSnapshot, limits: Limits) -> list[Finding]:
    race = snapshot.race
    before = f"the previous snapshot ({_moment(previous.timestamp)})"
    findings: list[Finding] = []
    if snapshot.timestamp < previous.timestamp:
        findings.append(Finding(
            race, "timestamp",
            f"expected a time at or after {before}, found {_moment(snapshot.timestamp)}",
            "suspicious",
        ))
    if snapshot.tps_reported < previous.tps_reported:
        findings.append(Finding(
            race, "tps_reported",
            f"expected at least the {format_votes(previous.tps_reported)} TPS reported in {before}, "
            f"found {format_votes(snapshot.tps_reported)}",
            "suspicious",
        ))
    now_ids = {t.id for t in snapshot.tickets}
    then_ids = {t.id for t in previous.tickets}
    if now_ids != then_ids:
        findings.append(Finding(
            race, "tickets",
            f"expected the tickets of {before} ({', '.join(sorted(then_ids))}), "
            f"found {', '.join(sorted(now_ids))}",
            "suspicious",
        ))
    shares_then = {r.ticket.id: r.share for r in previous.results}
    for result in snapshot.results:
        tid = result.ticket.id
        if tid not in then_ids:
            continue
        label = _ticket_label(result.ticket)
        then_votes = previous.votes[tid]
        if result.votes < then_votes:
            findings.append(Finding(
                race, f"votes.{tid}",
                f"ticket {label}: expected at least the {format_votes(then_votes)} votes of {before}, "
                f"found {format_votes(result.votes)}",
                "suspicious",
            ))
        if previous.total_votes == 0:
            continue  # nothing was in: any share is a jump from zero
        jump = abs(result.share - shares_then[tid])
        if jump > limits.share_jump_points:
            findings.append(Finding(
                race, f"votes.{tid}",
                f"ticket {label}: expected its share to move at most {format_decimal2(limits.share_jump_points)} "
                f"points from {format_percent(shares_then[tid])} in {before}, found {format_percent(result.share)} "
                f"(a move of {format_decimal2(jump)} points)",
                "suspicious",
            ))
    return findings
