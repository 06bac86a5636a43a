"""Validated race snapshots: the one shape every source produces.

A :class:`RaceSnapshot` is immutable and checked on construction: every ticket
has a vote count, no count is negative, TPS reported never exceed the total, the
timestamp carries a zone, race code, region and kind agree, every name is one
clean line within its cap (:mod:`generator.text`) and the source is an http(s)
URL. Everything derived from the figures (shares, ranks, margins, the leader,
progress) is computed here once, from integer votes with ``Decimal`` and
half-up rounding, so templates never do arithmetic.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from .text import MAX_INSTITUTE, MAX_LEVEL, MAX_PERSON_NAME, MAX_PLENARY, MAX_REGION_NAME, capped, http_url

TWO_PLACES = Decimal("0.01")
#: A race code: ``pkwkp/PP`` (governor, 2-digit province) or ``pkwkk/PPKK`` (regent or mayor,
#: 4-digit kab/kota). The one pattern every source, the archive and --race use.
RACE_CODE = r"pkwkp/\d{2}|pkwkk/\d{4}"

#: More than any Indonesian electorate (about 204 million voters in 2024): a
#: larger count is a broken file, and would overflow the share arithmetic.
MAX_COUNT = 10**9
Votes = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]
#: Years a data timestamp may carry (a Pilkada of this century).
YEARS = range(2000, 2101)


def _line(limit: int, what: str, *, required: bool = False) -> AfterValidator:
    return AfterValidator(lambda value: capped(value, limit, what, required=required))


#: Free text as the models keep it: one clean line, capped (see generator.text).
RegionName = Annotated[str, _line(MAX_REGION_NAME, "a region name", required=True)]
PersonName = Annotated[str, _line(MAX_PERSON_NAME, "a name")]
#: A URL readers may follow: http or https, no spaces, no control characters.
HttpUrl = Annotated[str, AfterValidator(http_url)]


def share(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, two decimals, half-up (0 when whole is 0)."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def progress_share(reported: int, total: int) -> Decimal:
    """TPS reported as a percentage, two decimals rounded DOWN: 20.797 of 20.798 is 99,99%,
    so 100% is printed only when every TPS is in."""
    if total == 0:
        return Decimal("0.00")
    return (Decimal(reported) * 100 / Decimal(total)).quantize(TWO_PLACES, rounding=ROUND_DOWN)


class Stage(StrEnum):
    """Which kind of figures a snapshot holds; it decides the framing."""

    QUICK_COUNT = "quick_count"
    REAL_COUNT = "real_count"
    OFFICIAL_RECAP = "official_recap"


class RaceKind(StrEnum):
    GUBERNUR = "gubernur"
    BUPATI = "bupati"
    WALIKOTA = "walikota"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Region(_Frozen):
    """The region a race is held in: a province (2 digits) or kab/kota (4 digits)."""

    code: str = Field(pattern=r"^\d{2}(\d{2})?$")
    name: RegionName  # "Kalimantan Timur", "Kota Samarinda", "Kabupaten Paser"
    province_code: str = Field(pattern=r"^\d{2}$")

    @model_validator(mode="after")
    def _province_prefix(self) -> Region:
        if not self.code.startswith(self.province_code):
            raise ValueError(f"region code {self.code} is not inside province {self.province_code}")
        return self


class Ticket(_Frozen):
    """One column of the ballot: a pair of candidates, or the empty column."""

    id: str = Field(pattern=r"^[0-9A-Za-z_.-]{1,32}$")  # KPU: 7 digits; an editor file: any short code
    number: int = Field(ge=1, le=20)  # nomor urut
    head: PersonName = ""  # full names in house style; empty for the empty column
    deputy: PersonName = ""
    head_short: PersonName = ""
    deputy_short: PersonName = ""
    empty_column: bool = False
    colour: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    #: Why KPU's name gave a short form that cannot be printed ("" when fine): the full
    #: name stands in until an editor sets the short form in races.yaml.
    head_short_problem: str = ""
    deputy_short_problem: str = ""

    @model_validator(mode="after")
    def _names(self) -> Ticket:
        if self.empty_column and (self.head or self.deputy):
            raise ValueError("the empty column (kolom kosong) has no candidate names")
        if not self.empty_column and not self.head:
            raise ValueError(f"ticket nomor urut {self.number} has no head candidate name")
        return self

    def person(self, position: str) -> str:
        """The full name of the head (``position`` "head") or of the deputy ("deputy")."""
        return self.head if position == "head" else self.deputy

    @property
    def full_name(self) -> str:
        """``H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si.``"""
        return f"{self.head} - {self.deputy}" if self.deputy else self.head

    @property
    def short_name(self) -> str:
        """``Rudy Mas'ud-Seno Aji``"""
        head = self.head_short or self.head
        deputy = self.deputy_short or self.deputy
        return f"{head}-{deputy}" if deputy else head


class SubRegion(_Frozen):
    """One row of a tally table: a child region (kab/kota, kecamatan) of the race."""

    code: str = Field(pattern=r"^\d{4,13}$")
    name: RegionName
    votes: dict[str, Votes]
    tps_reported: Count
    tps_total: Count

    @model_validator(mode="after")
    def _tps(self) -> SubRegion:
        if self.tps_reported > self.tps_total:
            raise ValueError(
                f"sub-region {self.code}: TPS reported ({self.tps_reported}) exceeds TPS total ({self.tps_total})"
            )
        return self

    @property
    def total_votes(self) -> int:
        return sum(self.votes.values())

    @cached_property
    def leader_ids(self) -> tuple[str, ...]:
        """Ids of the ticket(s) with the most votes here; empty when nothing is in."""
        if not self.votes or self.total_votes == 0:
            return ()
        top = max(self.votes.values())
        return tuple(sorted(i for i, v in self.votes.items() if v == top))


class QuickCountInfo(_Frozen):
    """Who ran a quick count and how (for stage quick_count)."""

    institute: Annotated[str, _line(MAX_INSTITUTE, "an institute name", required=True)]
    sample_tps: Count | None = None
    margin_of_error: Decimal | None = Field(default=None, ge=0, le=20)
    data_in: Decimal | None = Field(default=None, ge=0, le=100)  # percent of the sample in


class RecapInfo(_Frozen):
    """The plenary that adopted an official recapitulation (stage official_recap)."""

    #: "rapat pleno terbuka KPU Provinsi Kalimantan Timur"
    plenary: Annotated[str, _line(MAX_PLENARY, "a plenary", required=True)]
    date: AwareDatetime | None = None


class TicketResult(_Frozen):
    """A ticket's figures within its race, derived by the snapshot."""

    ticket: Ticket
    votes: int
    share: Decimal
    rank: int  # 1 = most votes; equal votes share a rank


class RaceSnapshot(_Frozen):
    """Every figure of one race at one moment, validated."""

    race: str = Field(pattern=rf"^({RACE_CODE})$")  # "pkwkp/64"
    kind: RaceKind
    year: int = Field(ge=2000, le=2100)
    region: Region
    tickets: tuple[Ticket, ...] = Field(min_length=1)
    votes: dict[str, Votes]
    tps_reported: Count
    tps_total: Count = Field(gt=0)
    timestamp: AwareDatetime
    stage: Stage = Stage.REAL_COUNT
    source_url: HttpUrl  # the file the figures came from (the URL the bytes came from)
    sub_regions: tuple[SubRegion, ...] = ()
    sub_region_level: Annotated[str, _line(MAX_LEVEL, "a level name", required=True)] = "kabupaten/kota"
    quick_count: QuickCountInfo | None = None
    recap: RecapInfo | None = None
    #: Registered voters (DPT) of the race, when known: a plausibility check, printed
    #: only by an official recap (the turnout paragraph).
    registered_voters: Count | None = None
    #: An official recap's voters who used their vote (pengguna hak pilih) and its invalid
    #: votes (suara tidak sah); the valid votes are the tickets' votes.
    voters: Count | None = None
    invalid_votes: Count | None = None
    #: sha256 of the raw payload(s) this snapshot came from, when known.
    data_sha256: str | None = None
    #: The editor file this snapshot was typed in (None for a KPU feed, where
    #: ``source_url`` is the file). Not part of the data: kept by copies
    #: (``model_dump``), left out of JSON (hashes of the data) and of equality.
    origin: str | None = None

    @model_serializer(mode="wrap")
    def _without_origin_in_json(self, handler: SerializerFunctionWrapHandler,
                                info: SerializationInfo) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if info.mode_is_json():
            data.pop("origin", None)
            for name in _OPTIONAL_FIGURES:  # absent figures leave the JSON (and its hash) as before they existed
                if data.get(name) is None:
                    data.pop(name, None)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> RaceSnapshot:
        self._identity()
        if self.timestamp.year not in YEARS:
            raise ValueError(f"timestamp: expected a time between {YEARS.start} and {YEARS.stop - 1}, "
                             f"found {self.timestamp.isoformat()}")
        if self.tps_reported > self.tps_total:
            raise ValueError(
                f"tps_reported: TPS reported ({self.tps_reported}) exceeds TPS total ({self.tps_total})"
            )
        ids = [t.id for t in self.tickets]
        numbers = [t.number for t in self.tickets]
        if len(set(ids)) != len(ids):
            raise ValueError(f"tickets: duplicate ticket ids: {ids}")
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"tickets: duplicate nomor urut: {sorted(numbers)}")
        missing = [i for i in ids if i not in self.votes]
        if missing:
            raise ValueError(f"votes: no votes given for ticket(s) {', '.join(missing)}")
        unknown = sorted(set(self.votes) - set(ids))
        if unknown:
            raise ValueError(f"votes: votes for unknown ticket id(s) {', '.join(unknown)}")
        for index, row in enumerate(self.sub_regions):
            extra = sorted(set(row.votes) - set(ids))
            if extra:
                raise ValueError(f"sub_regions.{index}.votes: sub-region {row.code} has votes for unknown ticket id(s) "
                                 f"{', '.join(extra)}")
        if len(self.tickets) < 2:
            raise ValueError(
                "tickets: a race needs at least two ballot columns; a single ticket runs against the "
                "kolom kosong (add it as a ticket with empty_column: true)"
            )
        if sum(t.empty_column for t in self.tickets) > 1:
            raise ValueError("tickets: more than one empty column")
        if any(t.empty_column for t in self.tickets) and len(self.tickets) != 2:
            raise ValueError("tickets: an empty column only appears in single-ticket races (ticket vs kolom kosong)")
        if self.stage is Stage.QUICK_COUNT and self.quick_count is None:
            raise ValueError("quick_count: a quick count needs quick_count.institute")
        if self.stage is Stage.OFFICIAL_RECAP and self.recap is None:
            raise ValueError("recap: an official recap needs recap.plenary")
        self._turnout()
        return self

    def _turnout(self) -> None:
        """Voters and invalid votes belong to an official recap, and add up: valid (the
        tickets' votes) plus invalid votes are the voters who used their vote."""
        given = [name for name in ("voters", "invalid_votes") if getattr(self, name) is not None]
        if given and self.stage is not Stage.OFFICIAL_RECAP:
            raise ValueError(f"{given[0]}: voter figures are an official recap's (the plenary's totals); "
                             f"a {self.stage.value} counts only part of the ballots, so leave them out")
        if self.voters is not None and self.invalid_votes is not None \
                and self.total_votes + self.invalid_votes != self.voters:
            raise ValueError(f"voters: expected valid votes ({self.total_votes:,}, the tickets' votes) plus "
                             f"invalid votes ({self.invalid_votes:,}) = {self.total_votes + self.invalid_votes:,} "
                             f"voters, found {self.voters:,}; check the figures against the recap form")
        if self.voters is not None and self.voters < self.total_votes:
            raise ValueError(f"voters: expected at least the {self.total_votes:,} valid votes, found "
                             f"{self.voters:,}; check the figures against the recap form")

    def _identity(self) -> None:
        """Race code, region code, kind and region name tell the same story: ``pkwkp/PP`` is a
        governor race of province PP; ``pkwkk/PPKK`` a mayor race when KK starts with 7 (a kota,
        named "Kota ..."), else a regent race."""
        kind_code, code = self.race.split("/")
        if self.region.code != code:
            raise ValueError(f"region: expected the region code of race {self.race} ({code}), found {self.region.code}")
        if kind_code == "pkwkp":
            if self.kind is not RaceKind.GUBERNUR:
                raise ValueError(f"kind: race {self.race} is a governor race (gubernur), found kind {self.kind.value}")
            return
        city = code[2] == "7"
        expected = RaceKind.WALIKOTA if city else RaceKind.BUPATI
        what = "a city (kota: its code's third digit is 7)" if city else "a regency (kabupaten)"
        if self.kind is not expected:
            raise ValueError(f"kind: {code} is {what}, so race {self.race} is a {expected.value} race, "
                             f"found kind {self.kind.value}")
        if self.region.name.lower().startswith("kota ") != city:
            raise ValueError(f"region: {code} is {what}, found the name {self.region.name!r}")

    def __eq__(self, other: object) -> bool:
        """Equal data: the same figures from the same source URL, whichever file typed them (``origin``)."""
        if not isinstance(other, RaceSnapshot):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _DATA_FIELDS)

    __hash__ = BaseModel.__hash__

    @property
    def where(self) -> str:
        """The file or URL to name in a message about this snapshot: the editor file it
        was typed in, else the KPU file it was read from."""
        return self.origin or self.source_url

    # -- derived figures -------------------------------------------------

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def total_votes(self) -> int:
        """Valid votes for all columns (the base of every share)."""
        return sum(self.votes.values())

    @cached_property
    def results(self) -> tuple[TicketResult, ...]:
        """Tickets in rank order (most votes first; ballot number breaks ties in order only)."""
        total = self.total_votes
        ordered = sorted(self.tickets, key=lambda t: (-self.votes[t.id], t.number))
        out: list[TicketResult] = []
        for position, ticket in enumerate(ordered, start=1):
            votes = self.votes[ticket.id]
            rank = out[-1].rank if out and out[-1].votes == votes else position
            out.append(TicketResult(ticket=ticket, votes=votes, share=share(votes, total), rank=rank))
        return tuple(out)

    @property
    def leader(self) -> TicketResult:
        return self.results[0]

    @property
    def runner_up(self) -> TicketResult | None:
        return self.results[1] if len(self.results) > 1 else None

    @property
    def is_tie(self) -> bool:
        """The top two have the same number of votes."""
        return self.runner_up is not None and self.runner_up.votes == self.leader.votes

    @property
    def margin_votes(self) -> int:
        """Votes between first and second (0 in a single-column race)."""
        return self.leader.votes - self.runner_up.votes if self.runner_up else self.leader.votes

    @property
    def margin_points(self) -> Decimal:
        """Percentage points between first and second, from the shares as published.

        Taken as the difference of the two rounded shares, so the figure a
        reader computes from the article (55,66 - 44,34 = 11,32) is the one printed.
        """
        return self.leader.share - self.runner_up.share if self.runner_up else self.leader.share

    @property
    def progress(self) -> Decimal:
        """Share of TPS reported, two decimals rounded down (96,40 for 6.048 of 6.274)."""
        return progress_share(self.tps_reported, self.tps_total)

    @property
    def has_data(self) -> bool:
        """False for a race with no TPS reported (no article is written)."""
        return self.tps_reported > 0 and self.total_votes > 0


#: Figures added after snapshots were first hashed: left out of the JSON when not given.
_OPTIONAL_FIGURES = ("voters", "invalid_votes")

#: Everything a snapshot says about its race: every field but where it was typed.
_DATA_FIELDS = tuple(name for name in RaceSnapshot.model_fields if name != "origin")
