"""newsgen's own snapshot format (YAML or JSON), typed by editors.

For figures without a feed (quick counts, the official recap) and for the
embedded example data. One file holds any number of races::

    format: newsgen/1
    races:
      - race: pkwkp/64                  # pkwkp/PP governor, pkwkk/PPKK regent/mayor
        region: Kalimantan Timur
        stage: real_count               # quick_count | real_count | official_recap
        timestamp: 2024-11-28T10:15:04+07:00
        source_url: https://sirekappilkada-obj-data.kpu.go.id/pilkada/hhcw/pkwkp/64.json
        tps: {reported: 6048, total: 6274}    # optional for quick counts
        tickets:
          - {number: 1, head: "Dr. Ir. H. ISRAN NOOR, M.Si.", deputy: "...", votes: 766850}
          - {number: 2, empty_column: true, votes: 1234}      # kolom kosong
        # stage quick_count: tickets give `share: 55.66` instead of votes, plus
        # quick_count: {institute: ..., sample_tps: 2000, margin_of_error: 1.0, data_in: 98.5}
        # stage official_recap: recap: {plenary: "rapat pleno terbuka KPU ...", date: 2024-12-04T10:00:00+07:00}
        # and, optional, the turnout: registered_voters (DPT), voters (pengguna hak pilih),
        # valid_votes (must equal the tickets' votes), invalid_votes (valid + invalid = voters)
        sub_regions:                    # optional: where each ticket led
          - {code: "6401", name: Paser, tps: {reported: 482, total: 485}, votes: {1: 56043, 2: 77350}}

Names may be typed as KPU prints them (capitals) or already cased. Every key
is checked: a typo is an error naming the file, the race and the field; a key
given twice holds back the race it is in (the whole file when outside a race).
``kind`` may be left out: the race code says it (``pkwkp`` governor; ``pkwkk``
a mayor when the kab/kota code's third digit is 7, a kota, else a regent), and
a ``kind`` or ``region`` that contradicts the code is an error. JSON files give
sub-region votes with string keys (``"1": 56043``), as :func:`dump_json` writes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from ..config import format_validation
from ..errors import DataError
from ..models import RACE_CODE, HttpUrl, QuickCountInfo, RaceKind, RaceSnapshot, RecapInfo, Stage, Ticket
from ..names import case_place
from ..yamlsafe import DuplicateKey, YAMLError, json_checked, load_checked
from . import make_ticket, validated_snapshot
from .sirekap import race_kind, region_display_name

FORMAT: Final = "newsgen/1"
#: Largest input file read (all 545 races with sub-regions take about 2 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TpsInput(_Input):
    reported: StrictInt = Field(ge=0)
    total: StrictInt = Field(gt=0)


class TicketInput(_Input):
    number: StrictInt = Field(ge=1, le=20)
    id: str | None = None
    head: str | None = None
    deputy: str | None = None
    empty_column: bool = False
    colour: str | None = None
    votes: StrictInt | None = Field(default=None, ge=0)
    share: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)  # quick counts only

    @model_validator(mode="after")
    def _names(self) -> TicketInput:
        if (self.votes is None) == (self.share is None):
            raise ValueError("give either 'votes' (real count, recap) or 'share' (quick count, in percent)")
        if self.empty_column and (self.head or self.deputy):
            raise ValueError("the empty column (kolom kosong) takes no names")
        if not self.empty_column and not (self.head and self.head.strip()):
            raise ValueError("a ticket needs 'head' (the head candidate's name)")
        return self


class SubRegionInput(_Input):
    code: str = Field(pattern=r"^\d{4,13}$")
    name: str = Field(min_length=1)
    tps: TpsInput
    votes: dict[StrictInt, StrictInt] = Field(default_factory=dict)  # nomor urut -> votes

    @field_validator("votes", mode="before")
    @classmethod
    def _numbered(cls, value: object) -> object:
        """Nomor urut keys as YAML types them (``1:``) or as JSON must (``"1":``)."""
        if not isinstance(value, dict):
            return value
        out: dict[object, object] = {}
        for key, votes in value.items():
            number = int(key) if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 2 else key
            if number in out:
                raise ValueError(f"nomor urut {number} is given twice ({sorted(map(repr, value))})")
            out[number] = votes
        return out


class RaceInput(_Input):
    race: str = Field(pattern=rf"^({RACE_CODE})$")
    region: str = Field(min_length=1)
    kind: Literal["gubernur", "bupati", "walikota"] | None = None
    year: StrictInt = 2024
    stage: Stage = Stage.REAL_COUNT
    timestamp: AwareDatetime
    source_url: HttpUrl
    tps: TpsInput | None = None
    tickets: list[TicketInput] = Field(min_length=1)
    sub_region_level: str | None = None
    sub_regions: list[SubRegionInput] = Field(default_factory=list)
    quick_count: QuickCountInfo | None = None
    recap: RecapInfo | None = None
    registered_voters: StrictInt | None = Field(default=None, ge=0)  # DPT (printed by an official recap)
    # An official recap's turnout (all optional): pengguna hak pilih, suara sah, suara tidak sah.
    voters: StrictInt | None = Field(default=None, ge=0)
    valid_votes: StrictInt | None = Field(default=None, ge=0)
    invalid_votes: StrictInt | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _stage_fields(self) -> RaceInput:
        shares = [t.share is not None for t in self.tickets]
        if self.stage is Stage.QUICK_COUNT:
            if not all(shares):
                raise ValueError("a quick count gives each ticket a 'share' (percent), not votes")
            total = sum((t.share for t in self.tickets if t.share is not None), Decimal(0))
            if abs(total - 100) > Decimal("0.05") * len(self.tickets):
                raise ValueError(f"quick-count shares add up to {total}, not 100; check the figures")
        elif any(shares):
            raise ValueError("'share' is only for quick counts; give 'votes' for this stage")
        if self.tps is None and self.stage is not Stage.QUICK_COUNT:
            raise ValueError("'tps' (reported, total) is required for a real count or recap")
        self._valid_votes()
        return self

    def _valid_votes(self) -> None:
        """``valid_votes`` is the recap form's total of valid votes: the tickets' votes add up to it."""
        if self.valid_votes is None:
            return
        if self.stage is not Stage.OFFICIAL_RECAP:
            raise ValueError("'valid_votes' is an official recap's figure; leave it out of a "
                             f"{self.stage.value}")
        total = sum(t.votes or 0 for t in self.tickets)
        if total != self.valid_votes:
            raise ValueError(f"valid_votes is {self.valid_votes:,} but the tickets' votes add up to {total:,}; "
                             "valid votes are exactly the votes for the ballot columns, so check both "
                             "against the recap form")


class FileInput(_Input):
    format: Literal["newsgen/1"] = "newsgen/1"
    races: list[dict[str, Any]] = Field(min_length=1)


def _kind(entry: RaceInput, where: str) -> RaceKind:
    """The kind the race code says; a ``kind`` that says otherwise is an error."""
    kind = race_kind(entry.race, None)
    if entry.kind and entry.kind != kind.value:
        code = entry.race.split("/")[1]
        why = ("pkwkp is a governor race" if kind is RaceKind.GUBERNUR
               else f"{code} is a kota (third digit 7)" if kind is RaceKind.WALIKOTA
               else f"{code} is a kabupaten (third digit not 7)")
        raise DataError(f"expected kind {kind.value} ({why}), found {entry.kind}; correct the race code or the kind",
                        where=where, race=entry.race, field="kind")
    return kind


def _tickets(entry: RaceInput, where: str) -> list[Ticket]:
    tickets = []
    for index, t in enumerate(entry.tickets):
        raw = "KOLOM KOSONG - " if t.empty_column else f"{t.head} - {t.deputy or ''}".rstrip(" -")
        try:
            tickets.append(make_ticket(t.id or str(t.number), t.number, raw, t.colour))
        except ValidationError as exc:
            first = exc.errors()[0]
            part = str(first["loc"][0]) if first["loc"] else ""
            field = f"tickets.{index}" + (f".{part}" if part in ("id", "head", "deputy", "colour") else "")
            problem = "; ".join(line.split(": ", 1)[-1] for line in format_validation(exc)[:2])
            raise DataError(problem, where=where, race=entry.race, field=field) from None
    return tickets


def _snapshot(entry: RaceInput, where: str) -> RaceSnapshot:
    code = entry.race.split("/")[1]
    kind = _kind(entry, where)
    tickets = _tickets(entry, where)
    by_number = {t.number: t for t in tickets}
    # A quick count publishes shares, not votes: they are kept exactly as
    # hundredths of a percent (55,66% -> 5566), so derived shares equal the input.
    counts = [t.votes if t.votes is not None else int(t.share * 100) for t in entry.tickets]  # type: ignore[operator]
    if entry.tps is not None:
        tps_reported, tps_total = entry.tps.reported, entry.tps.total
    else:
        sample = entry.quick_count.sample_tps if entry.quick_count and entry.quick_count.sample_tps else 1
        tps_reported = tps_total = sample
    sub_regions = []
    for index, row in enumerate(entry.sub_regions):
        unknown = sorted(set(row.votes) - set(by_number))
        if unknown:
            raise DataError(f"votes for nomor urut {unknown} but the race has no such ticket",
                            where=where, race=entry.race, field=f"sub_regions.{index}.votes")
        sub_regions.append({
            "code": row.code, "name": case_place(row.name),
            "votes": {by_number[n].id: row.votes.get(n, 0) for n in by_number} if row.votes else {},
            "tps_reported": row.tps.reported, "tps_total": row.tps.total,
        })
    data = {
        "race": entry.race,
        "kind": kind,
        "year": entry.year,
        "region": {"code": code, "province_code": code[:2],
                   "name": case_place(entry.region) if kind is RaceKind.GUBERNUR
                   else region_display_name(kind, entry.region)},
        "tickets": tuple(tickets),
        "votes": {t.id: count for t, count in zip(tickets, counts, strict=True)},
        "tps_reported": tps_reported,
        "tps_total": tps_total,
        "timestamp": entry.timestamp,
        "stage": entry.stage,
        "source_url": entry.source_url,
        "sub_regions": tuple(sub_regions),
        "sub_region_level": entry.sub_region_level or ("kabupaten/kota" if kind is RaceKind.GUBERNUR else "kecamatan"),
        "quick_count": entry.quick_count,
        "recap": entry.recap,
        "registered_voters": entry.registered_voters,
        "voters": entry.voters,
        "invalid_votes": entry.invalid_votes,
        "origin": where,
    }
    ticket_index = {t.id: index for index, t in enumerate(tickets)}
    return validated_snapshot(data, where=where, race=entry.race,
                              source_field=lambda f: _input_field(f, ticket_index))


def _input_field(field: str, ticket_index: dict[str, int]) -> str:
    """A snapshot field as this format spells it (``tps_reported`` -> ``tps``)."""
    parts = field.split(".")
    if parts[0] in ("tps_reported", "tps_total"):
        return "tps"
    if parts[0] == "region":
        return "region"
    if parts[0] == "votes" and len(parts) == 2 and parts[1] in ticket_index:
        return f"tickets.{ticket_index[parts[1]]}.votes"
    if parts[0] == "sub_regions" and len(parts) == 2:
        return f"{field}.tps"
    return field


def load_text(text: str, *, where: str) -> tuple[object, list[DuplicateKey]]:
    """Parse a ``.json`` file as JSON and anything else as YAML, safely: the document and
    the keys given twice in it (see :mod:`generator.yamlsafe`); errors name the file and line."""
    if where.lower().endswith(".json"):
        try:
            return json_checked(text)
        except RecursionError:
            raise DataError("the JSON is nested too deeply to be a snapshot file", where=where) from None
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise DataError(f"malformed JSON ({getattr(exc, 'msg', exc)}); fix the syntax near that line",
                            where=f"{where}:{line}" if line else where) from None
    try:
        return load_checked(text)
    except (YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}" if mark else where
        problem = ((f"not a valid date or time: {exc}" if isinstance(exc, ValueError) else None)
                   or getattr(exc, "problem", None) or "not valid YAML")
        raise DataError(f"malformed YAML ({problem}); fix the syntax near that line", where=at) from None


def read_file(path: Path) -> list[RaceSnapshot | DataError]:
    """Every race of one snapshot file: a snapshot, or the error that holds it back.

    A problem with the file as a whole (unreadable, malformed, wrong format)
    raises :class:`DataError`.
    """
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataError(f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} a snapshot file may hold; "
                            "split it by province", where=where)
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", where=where) from None
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", where=where) from None
    raw, duplicates = load_text(text, where=where)
    twice = _duplicates_by_race(duplicates, where)
    try:
        document = FileInput.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataError("; ".join(format_validation(exc)[:3]) + f" (expected 'format: {FORMAT}' and a list 'races')",
                        where=where, field=".".join(map(str, first["loc"])) or None) from None
    out: list[RaceSnapshot | DataError] = []
    for index, item in enumerate(document.races):
        race = item.get("race") if isinstance(item, dict) else None
        label = str(race) if race else f"#{index + 1}"
        if index in twice:
            dup = twice[index][0]
            out.append(DataError(
                "; ".join(str(d).removeprefix(f"key races.{index}.") for d in twice[index])
                + " (YAML would keep only the last, so the race is ambiguous)",
                where=where, race=label, field=".".join((*dup.path[2:], dup.key))))
            continue
        try:
            entry = RaceInput.model_validate(item)
            out.append(_snapshot(entry, where))
        except ValidationError as exc:
            lines = format_validation(exc)
            field = lines[0].split(": ", 1)[0] if ": " in lines[0] else None
            field = None if field == "(top level)" else field
            message = "; ".join(line.split(": ", 1)[-1] for line in lines[:3])
            out.append(DataError(message, where=where, race=label, field=field))
        except DataError as exc:
            out.append(exc)
    return out


def _duplicates_by_race(duplicates: list[DuplicateKey], where: str) -> dict[int, list[DuplicateKey]]:
    """Keys given twice, by the index of the race they are in; one outside any race refuses the file."""
    out: dict[int, list[DuplicateKey]] = {}
    for dup in duplicates:
        if len(dup.path) >= 2 and dup.path[0] == "races" and dup.path[1].isdigit():
            out.setdefault(int(dup.path[1]), []).append(dup)
        else:
            raise DataError(f"{dup} (YAML would keep only the last)", where=where,
                            field=".".join((*dup.path, dup.key)))
    return out


def snapshot_to_input(snapshot: RaceSnapshot) -> dict[str, Any]:
    """A snapshot in this module's format (for recording editor files from a feed)."""
    numbers = {t.id: t.number for t in snapshot.tickets}
    tickets = []
    for t in snapshot.tickets:
        item: dict[str, Any] = {"number": t.number, "id": t.id}
        if t.empty_column:
            item["empty_column"] = True
        else:
            item["head"] = t.head
            if t.deputy:
                item["deputy"] = t.deputy
        if t.colour:
            item["colour"] = t.colour
        if snapshot.stage is Stage.QUICK_COUNT:
            item["share"] = float(Decimal(snapshot.votes[t.id]) / 100)
        else:
            item["votes"] = snapshot.votes[t.id]
        tickets.append(item)
    out: dict[str, Any] = {
        "race": snapshot.race,
        "region": snapshot.region.name,
        "kind": snapshot.kind.value,
        "year": snapshot.year,
        "stage": snapshot.stage.value,
        "timestamp": snapshot.timestamp.isoformat(),
        "source_url": snapshot.source_url,
        "tps": {"reported": snapshot.tps_reported, "total": snapshot.tps_total},
        "tickets": tickets,
    }
    if snapshot.quick_count:
        out["quick_count"] = snapshot.quick_count.model_dump(mode="json", exclude_none=True)
        del out["tps"]
    if snapshot.recap:
        out["recap"] = snapshot.recap.model_dump(mode="json", exclude_none=True)
    for name in ("registered_voters", "voters", "invalid_votes"):
        if getattr(snapshot, name) is not None:
            out[name] = getattr(snapshot, name)
    if snapshot.sub_regions:
        out["sub_region_level"] = snapshot.sub_region_level
        out["sub_regions"] = [
            {"code": r.code, "name": r.name, "tps": {"reported": r.tps_reported, "total": r.tps_total},
             "votes": {numbers[i]: v for i, v in r.votes.items()}}
            for r in snapshot.sub_regions
        ]
    return out


def dump_json(snapshots: list[RaceSnapshot]) -> str:
    document = {"format": FORMAT, "races": [snapshot_to_input(s) for s in snapshots]}
    return json.dumps(document, ensure_ascii=False, indent=2)


__all__ = ["FORMAT", "dump_json", "load_text", "read_file", "snapshot_to_input"]
