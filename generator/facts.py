"""The facts a story states, derived once from a snapshot and the configuration.

Plain data with figures already in house style. :func:`rank_groups` puts the
tickets in groups of equal votes (a tie at any rank is one group);
:func:`election_facts` reads the outcome, the legal thresholds, the margin
against the votes still out and a quick count against its margin of error.
Everything a sentence may claim is decided here, and the claim check
(:mod:`generator.claims`) holds the rendered text to the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .config import Config
from .formatting import (
    count_words,
    format_day_date,
    format_decimal2,
    format_percent,
    format_votes,
    ordinal,
)
from .models import QuickCountInfo, RaceKind, RaceSnapshot, RecapInfo, Stage, TicketResult

#: Province whose governor needs an absolute majority (UU 2/2024 on Jakarta).
TWO_ROUND_PROVINCE = "31"
HALF = Decimal(50)


@dataclass(frozen=True)
class PersonFacts:
    """A candidate who holds, or held in the term just ended, the office at stake."""

    name: str  # "Zainal Paliwang"
    office: str  # "Gubernur Kalimantan Utara"
    period: str  # "2021-2025"
    role: str  # "kepala" | "wakil"
    position: str  # on the 2024 ticket: "head" | "deputy"
    ticket: int
    #: The term against the election's year: "sitting" (it ends after that year), "former" (it
    #: ended before), "" (it ends that year: before or after the vote, the data does not say).
    term: str = ""


@dataclass(frozen=True)
class TicketFacts:
    """One ticket as the article names it, figures formatted."""

    number: int
    full: str
    short: str
    votes: str
    share: str
    rank: int  # equal votes share a rank
    position: str  # the rank in words: "pertama", "kedua"
    incumbents: tuple[PersonFacts, ...]
    empty_column: bool

    @property
    def incumbent(self) -> bool:
        return bool(self.incumbents)


@dataclass(frozen=True)
class RankGroup:
    """The tickets that share one rank (one ticket unless there is a tie there)."""

    rank: int
    position: str  # "pertama", "kedua"
    tickets: tuple[TicketFacts, ...]
    share: str
    votes: str
    count: str  # how many tickets, in words: "dua"

    @property
    def tied(self) -> bool:
        return len(self.tickets) > 1


@dataclass(frozen=True)
class QuickCountFacts:
    institute: str
    sample: str  # "2.000" or ""
    margin_of_error: str  # "1,00%" or ""
    data_in: str  # "98,50%" or ""
    sample_complete: bool  # every TPS of the sample is in

    @classmethod
    def of(cls, info: QuickCountInfo | None) -> QuickCountFacts | None:
        if info is None:
            return None
        return cls(
            institute=info.institute,
            sample=format_votes(info.sample_tps) if info.sample_tps else "",
            margin_of_error=format_percent(info.margin_of_error) if info.margin_of_error is not None else "",
            data_in=format_percent(info.data_in) if info.data_in is not None else "",
            sample_complete=info.data_in is not None and info.data_in >= 100,
        )


@dataclass(frozen=True)
class RecapFacts:
    plenary: str
    date: str  # "Rabu (4/12/2024)" or ""

    @classmethod
    def of(cls, info: RecapInfo | None, zone: str) -> RecapFacts | None:
        if info is None:
            return None
        return cls(plenary=info.plenary, date=format_day_date(info.date, zone) if info.date else "")


@dataclass(frozen=True)
class ElectionFacts:
    """What the figures mean, read the same way by the templates and the claim check."""

    #: "leading" or "tie" for a count; for an official recap "winner", "second_round"
    #: (DKI Jakarta, nobody above half), "tie_rule" (equal votes at the top) or "rerun"
    #: (the single ticket did not pass half: the kolom kosong won or drew).
    outcome: str
    final: bool  # an official recap
    margin_kind: str  # "tie" | "narrow" | "clear" | "landslide"
    margin_votes: str
    margin_points: str
    progress_kind: str  # "early" | "mid" | "complete"
    early: bool  # a real count below the early-progress threshold: no consequence is announced
    reversible: bool  # a count whose lead is smaller than the votes the missing TPS may hold
    outstanding_tps: str  # TPS not yet in ("" when all are)
    #: Where the 50% bar decides: "" (plurality), "two_round" (DKI Jakarta) or "single_ticket".
    majority_rule: str
    majority_ticket: str  # short name of the ticket measured against the bar
    majority_side: str  # "above" | "below" | "at" (exactly half) | ""
    majority_gap: str  # points between its share and 50 ("0,07")
    majority_close: bool  # within the configured distance of the bar
    two_round: str  # DKI: "one_round" | "second_round"; "" elsewhere
    too_close: bool  # a quick count whose lead is inside twice its margin of error
    majority_open: bool  # a quick count whose share is within its margin of error of 50%
    #: A real count (not early) whose lead is larger than the valid votes the missing TPS may
    #: hold at the average so far: an estimate, worded as one (the twin of ``reversible``).
    lead_holds: bool = False
    #: Say how far the measured share is from the 50% bar: a real count that is not early, or a
    #: recap, where a bar applies and the share is not exactly half.
    majority_distance: bool = False


def rank_groups(snapshot: RaceSnapshot, persons: dict[int, tuple[PersonFacts, ...]]
                ) -> tuple[tuple[RankGroup, ...], tuple[TicketFacts, ...]]:
    """Tickets in rank order, and grouped by rank (equal votes share one)."""
    tickets = []
    for result in snapshot.results:
        ticket = result.ticket
        tickets.append(TicketFacts(
            number=ticket.number,
            full="kolom kosong" if ticket.empty_column else ticket.full_name,
            short="kolom kosong" if ticket.empty_column else ticket.short_name,
            votes=format_votes(result.votes),
            share=format_percent(result.share),
            rank=result.rank,
            position=ordinal(result.rank),
            incumbents=() if ticket.empty_column else persons.get(ticket.number, ()),
            empty_column=ticket.empty_column,
        ))
    groups: list[RankGroup] = []
    for facts in tickets:
        if groups and groups[-1].rank == facts.rank:
            last = groups[-1]
            members = (*last.tickets, facts)
            groups[-1] = RankGroup(last.rank, last.position, members, last.share, last.votes,
                                   count_words(len(members)))
        else:
            groups.append(RankGroup(facts.rank, facts.position, (facts,), facts.share, facts.votes, "satu"))
    return tuple(groups), tuple(tickets)


def _outcome(snapshot: RaceSnapshot, rule: str) -> str:
    tie = snapshot.is_tie
    if snapshot.stage is not Stage.OFFICIAL_RECAP:
        return "tie" if tie else "leading"
    if rule == "single_ticket":
        person = next(r for r in snapshot.results if not r.ticket.empty_column)
        return "winner" if _bar_side(person.votes, snapshot.total_votes) == "above" else "rerun"
    if tie:
        return "tie_rule"
    if rule == "two_round" and _bar_side(snapshot.leader.votes, snapshot.total_votes) != "above":
        return "second_round"
    return "winner"


def _bar_side(votes: int, total: int) -> str:
    """Where ``votes`` stand against "more than half of ``total``", from the integers: a share
    printed as 50,00% may be 50,004% (above the bar) or 49,996% (below it)."""
    return "above" if 2 * votes > total else "below" if 2 * votes < total else "at"


#: The distance to the bar when the rounded shares print it as 0,00 but the votes are not
#: exactly half: "kurang dari 0,01" (the fact audit allows that 0,01 only then).
HAIRLINE_GAP = "kurang dari 0,01"


def _majority(snapshot: RaceSnapshot, config: Config) -> tuple[str, str, TicketResult | None]:
    """Which rule puts a 50% bar on this race, the ticket measured, and its result."""
    if any(t.empty_column for t in snapshot.tickets):
        person = next(r for r in snapshot.results if not r.ticket.empty_column)
        return "single_ticket", person.ticket.short_name, person
    if snapshot.kind is RaceKind.GUBERNUR and snapshot.region.code == TWO_ROUND_PROVINCE:
        return "two_round", snapshot.leader.ticket.short_name, snapshot.leader
    return "", "", None


def _gap_text(gap: Decimal | None, side: str) -> str:
    """The distance to the bar as printed: two decimals, or HAIRLINE_GAP when those read 0,00
    although the votes are not exactly half."""
    if gap is None:
        return ""
    return HAIRLINE_GAP if gap == 0 and side != "at" else format_decimal2(gap)


def _reversible(snapshot: RaceSnapshot) -> bool:
    """A real count's lead smaller than the valid votes the missing TPS may hold, at the
    average per reported TPS so far."""
    missing = snapshot.tps_total - snapshot.tps_reported
    if snapshot.stage is not Stage.REAL_COUNT or missing <= 0 or snapshot.tps_reported == 0 or snapshot.is_tie:
        return False
    return snapshot.margin_votes * snapshot.tps_reported < missing * snapshot.total_votes


def _lead_holds(snapshot: RaceSnapshot, early: bool) -> bool:
    """A real count's lead larger than the valid votes the missing TPS may hold (the
    average per reported TPS so far); never said of an early count."""
    missing = snapshot.tps_total - snapshot.tps_reported
    if snapshot.stage is not Stage.REAL_COUNT or early or missing <= 0 or snapshot.tps_reported == 0:
        return False
    return not snapshot.is_tie and snapshot.margin_votes * snapshot.tps_reported > missing * snapshot.total_votes


def election_facts(snapshot: RaceSnapshot, config: Config, margin: str, progress: str) -> ElectionFacts:
    thresholds = config.publication.thresholds
    rule, measured, result = _majority(snapshot, config)
    gap = abs(result.share - HALF) if result is not None else None
    side = "" if result is None else _bar_side(result.votes, snapshot.total_votes)
    quick = snapshot.quick_count if snapshot.stage is Stage.QUICK_COUNT else None
    moe = quick.margin_of_error if quick is not None else None
    missing = snapshot.tps_total - snapshot.tps_reported
    two_round = ""
    if rule == "two_round":
        two_round = "one_round" if side == "above" else "second_round"
    return ElectionFacts(
        outcome=_outcome(snapshot, rule),
        final=snapshot.stage is Stage.OFFICIAL_RECAP,
        margin_kind=margin,
        margin_votes=count_words(snapshot.margin_votes),  # "tiga suara": words up to nine
        # one vote or a few apart with the shares printed alike: never "0,00 poin" for a lead
        margin_points=HAIRLINE_GAP if snapshot.margin_points == 0 and snapshot.margin_votes
        else format_decimal2(snapshot.margin_points),
        progress_kind=progress,
        early=snapshot.stage is Stage.REAL_COUNT and progress == "early",
        reversible=_reversible(snapshot),
        outstanding_tps=count_words(missing) if missing > 0 and snapshot.stage is Stage.REAL_COUNT else "",
        majority_rule=rule,
        majority_ticket=measured,
        majority_side=side,
        majority_gap=_gap_text(gap, side),
        majority_close=gap is not None and gap <= thresholds.threshold_close,
        two_round=two_round,
        too_close=moe is not None and not snapshot.is_tie and snapshot.margin_points <= 2 * moe,
        majority_open=moe is not None and gap is not None and gap <= moe,
        lead_holds=_lead_holds(snapshot, progress == "early"),
        majority_distance=(rule != "" and side in ("above", "below") and snapshot.stage is not Stage.QUICK_COUNT
                           and not (snapshot.stage is Stage.REAL_COUNT and progress == "early")),
    )
