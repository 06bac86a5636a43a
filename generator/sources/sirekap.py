"""KPU Sirekap (Pilkada 2024) public JSON -> race snapshots.

Three kinds of file (see ``DESIGN.md``)::

    /pilkada/paslon/{t}.json          candidates: {region: {id: {nama, nomor_urut, warna}}}
    /wilayah/pilkada/{t}/{p}.json     region names: [{nama, kode, tingkat}]
    /pilkada/hhcw/{t}/{p}[/{k}].json  tallies: tungsura.chart / tungsura.table, ts

Upstream payloads are read leniently (unknown keys ignored) but every figure
used is checked. Candidate ids always come from the paslon file, never from
chart keys (a race with nothing reported has none); the empty column is an
ordinary candidate named ``KOLOM KOSONG - ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pydantic import ValidationError

from ..config import format_validation
from ..errors import DataError
from ..formatting import ZONES
from ..models import RaceKind, RaceSnapshot, Stage, Ticket
from ..names import case_place
from ..text import MAX_REGION_NAME, capped, one_line
from . import make_ticket, validated_snapshot

DEFAULT_BASE_URL = "https://sirekappilkada-obj-data.kpu.go.id"
_CANDIDATE_KEY = re.compile(r"^\d{6,7}$")
#: Keys beside the candidate ids in a chart or a table row (data/sirekap/FORMAT.md):
#: progress, the re-vote flag, whether a row has data, and the "null" entry of TPS files.
#: Any other key is an error: a figure is never dropped because its key looks odd.
NON_CANDIDATE_KEYS = frozenset({"progres", "persen", "psu", "status_progress", "null"})
_TS_FORMAT = "%Y-%m-%d %H:%M:%S"
#: Sirekap writes local time without a zone; in practice it is WIB.
SIREKAP_ZONE = ZONES["WIB"]


def tally_path(race: str, region: str | None = None) -> str:
    """Object-store path of a race's tally: ``pkwkp/64`` -> ``/pilkada/hhcw/pkwkp/64.json``.

    ``pkwkk/6472`` -> ``/pilkada/hhcw/pkwkk/64/6472.json``; ``region`` narrows a
    governor race to one kab/kota (``/pilkada/hhcw/pkwkp/64/6472.json``).
    """
    kind, code = race.split("/")
    parts = [code[:2]] if len(code) == 2 else [code[:2], code]
    if region:
        parts.append(region)
    return f"/pilkada/hhcw/{kind}/{'/'.join(parts)}.json"


def paslon_path(kind: str) -> str:
    return f"/pilkada/paslon/{kind}.json"


def wilayah_path(kind: str, *codes: str) -> str:
    """``wilayah_path("pkwkp")`` -> provinces; ``("pkwkp", "64")`` -> kab/kota of 64."""
    return f"/wilayah/pilkada/{kind}/{'/'.join(codes) if codes else '0'}.json"


@dataclass(frozen=True)
class PaslonEntry:
    id: str
    number: int
    name: str
    colour: str | None


@dataclass(frozen=True)
class TallyRow:
    code: str
    votes: dict[str, int]
    tps_reported: int
    tps_total: int


@dataclass(frozen=True)
class Tally:
    """One hhcw file: the chart of its own region plus a row per child region."""

    votes: dict[str, int]
    tps_reported: int
    tps_total: int
    rows: tuple[TallyRow, ...]
    timestamp: datetime


def _expect(cond: bool, message: str, where: str, fld: str, race: str | None = None) -> None:
    if not cond:
        raise DataError(message, where=where, race=race, field=fld)


def _count(value: object, where: str, fld: str, race: str | None) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise DataError(f"expected a whole number >= 0, found {value!r}", where=where, race=race, field=fld)


def _object(value: object, message: str, where: str, fld: str, race: str | None = None) -> dict[str, Any]:
    """``value`` when it is a JSON object, else a :class:`DataError` naming the field."""
    _expect(isinstance(value, dict), message, where, fld, race)
    return cast(dict[str, Any], value)


def parse_paslon(payload: object, *, where: str) -> dict[str, tuple[PaslonEntry, ...]]:
    """The candidate master: region code -> its entries in ballot order."""
    regions = _object(payload, f"expected an object keyed by region code, found {type(payload).__name__}", where,
                      "(top level)")
    out: dict[str, tuple[PaslonEntry, ...]] = {}
    for region, raw_entries in regions.items():
        entries = _object(raw_entries, "expected an object keyed by candidate id", where, region)
        parsed = []
        for cid, raw in entries.items():
            fld = f"{region}.{cid}"
            entry = _object(raw, "expected a candidate object", where, fld)
            name = entry.get("nama")
            number = entry.get("nomor_urut")
            if not isinstance(name, str) or not name.strip():
                raise DataError("candidate has no 'nama'", where=where, field=f"{fld}.nama")
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise DataError(f"bad 'nomor_urut' {number!r}", where=where, field=f"{fld}.nomor_urut")
            colour = entry.get("warna") if isinstance(entry.get("warna"), str) else None
            parsed.append(PaslonEntry(id=str(cid), number=number, name=name, colour=colour))
        out[str(region)] = tuple(sorted(parsed, key=lambda e: e.number))
    return out


class Wilayah(dict[str, str]):
    """A wilayah list: code -> KPU name (capitals), remembering the file and each entry's place,
    so a name that cannot be used is named as KPU's file spells it (``[3].nama``)."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where
        self.index: dict[str, int] = {}

    def field(self, code: str) -> str:
        return f"[{self.index[code]}].nama" if code in self.index else "nama"


def parse_wilayah(payload: object, *, where: str) -> Wilayah:
    """A wilayah list: code -> KPU name (capitals). Names are checked when a race uses them
    (:func:`region_name_of`), so one bad name costs only the races that print it."""
    if not isinstance(payload, list):
        raise DataError(f"expected a list of regions, found {type(payload).__name__}", where=where, field="(top level)")
    names = Wilayah(where)
    for index, item in enumerate(payload):
        code = item.get("kode") if isinstance(item, dict) else None
        name = item.get("nama") if isinstance(item, dict) else None
        if not isinstance(code, str) or not isinstance(name, str):
            raise DataError("expected {nama, kode}", where=where, field=f"[{index}]")
        if code in names:
            raise DataError(f"region {code} is listed twice ({names[code]!r} and {name!r})", where=where,
                            field=f"[{index}].kode")
        names[code] = name
        names.index[code] = index
    return names


def _region_name(name: str, code: str, *, where: str, field: str, race: str) -> str:
    """A KPU region name as one clean line, or a :class:`DataError` naming the entry when it
    is empty or longer than a region name can be."""
    try:
        return capped(name, MAX_REGION_NAME, "a region name", required=True)
    except ValueError as exc:
        raise DataError(f"region {code}: {exc}", where=where, race=race, field=field) from None


def _progress(obj: object, where: str, fld: str, race: str | None) -> tuple[int, int]:
    progress = _object(obj, "expected a 'progres' object with total and progres", where, fld, race)
    total = _count(progress.get("total"), where, f"{fld}.total", race)
    done = _count(progress.get("progres"), where, f"{fld}.progres", race)
    return done, total


def _candidate_votes(obj: dict[str, Any], where: str, fld: str, race: str | None) -> dict[str, int]:
    """Votes by candidate id; a key that is neither a candidate id (6-7 digits) nor one of
    :data:`NON_CANDIDATE_KEYS` is an error naming it, never dropped."""
    votes = {}
    for key, value in obj.items():
        if _CANDIDATE_KEY.match(key):
            votes[key] = _count(value, where, f"{fld}.{key}", race)
        elif key not in NON_CANDIDATE_KEYS:
            looks = "a malformed candidate id (KPU's are 6-7 digits)" if key.strip().isdigit() else "an unknown key"
            raise DataError(f"{looks} {key!r}; expected candidate ids and {', '.join(sorted(NON_CANDIDATE_KEYS))} "
                            "only, so its figures cannot be placed", where=where, race=race, field=f"{fld}.{key}")
    return votes


def parse_timestamp(value: object, *, where: str, race: str | None = None) -> datetime:
    """Sirekap ``ts`` (``2024-11-28 10:15:04``, WIB) -> aware datetime."""
    try:
        return datetime.strptime(str(value), _TS_FORMAT).replace(tzinfo=SIREKAP_ZONE)
    except ValueError:
        raise DataError(f"expected a time like '2024-11-28 10:15:04', found {value!r}",
                        where=where, race=race, field="ts") from None


def parse_tally(payload: object, *, where: str, race: str | None = None) -> Tally:
    """One hhcw file (any level)."""
    top = _object(payload, f"expected a JSON object, found {type(payload).__name__}", where, "(top level)", race)
    tungsura = _object(top.get("tungsura"), "missing 'tungsura' object", where, "tungsura", race)
    chart = _object(tungsura.get("chart"), "missing 'tungsura.chart' object", where, "tungsura.chart", race)
    done, total = _progress(chart.get("progres", top.get("progres")), where, "tungsura.chart.progres", race)
    table = _object(tungsura.get("table") or {}, "expected 'tungsura.table' to be an object", where, "tungsura.table",
                    race)
    rows = []
    for code, raw in table.items():
        fld = f"tungsura.table.{code}"
        row = _object(raw, "expected a row object", where, fld, race)
        row_done, row_total = _progress(row.get("progres"), where, f"{fld}.progres", race)
        rows.append(TallyRow(code=str(code), votes=_candidate_votes(row, where, fld, race),
                             tps_reported=row_done, tps_total=row_total))
    return Tally(
        votes=_candidate_votes(chart, where, "tungsura.chart", race),
        tps_reported=done,
        tps_total=total,
        rows=tuple(rows),
        timestamp=parse_timestamp(top.get("ts"), where=where, race=race),
    )


def race_kind(race: str, kab_name: str | None) -> RaceKind:
    """Governor for ``pkwkp``; mayor for a ``KOTA`` (third digit 7), else regent."""
    kind, code = race.split("/")
    if kind == "pkwkp":
        return RaceKind.GUBERNUR
    if (kab_name or "").upper().startswith("KOTA ") or (kab_name is None and code[2] == "7"):
        return RaceKind.WALIKOTA
    return RaceKind.BUPATI


def region_display_name(kind: RaceKind, kpu_name: str) -> str:
    """``KOTA SAMARINDA`` -> ``Kota Samarinda``; ``PASER`` -> ``Kabupaten Paser``.

    A name that says the other kind (``KOTA ...`` for a regent race) is left as it
    is, for the snapshot to refuse.
    """
    name = case_place(one_line(kpu_name))
    lower = name.lower()
    if kind is RaceKind.BUPATI and not lower.startswith(("kabupaten ", "kota ")):
        name = f"Kabupaten {name}"
    elif kind is RaceKind.WALIKOTA and not lower.startswith(("kota ", "kabupaten ")):
        name = f"Kota {name}"
    return name


def _tickets(entries: tuple[PaslonEntry, ...], *, where: str, race: str) -> tuple[Ticket, ...]:
    """Tickets from paslon entries; a bad entry is a DataError naming it (``{region}.{id}.nama``)."""
    tickets = []
    code = race.split("/")[1]
    for e in entries:
        try:
            tickets.append(make_ticket(e.id, e.number, e.name, e.colour))
        except ValidationError as exc:
            problem = "; ".join(line.split(": ", 1)[-1] for line in format_validation(exc)[:2])
            loc = exc.errors()[0]["loc"]
            part = {"colour": "warna", "number": "nomor_urut", "id": ""}.get(str(loc[0]) if loc else "", "nama")
            raise DataError(f"unusable candidate entry ({problem}); check the paslon file",
                            where=where, race=race, field=".".join(p for p in (code, e.id, part) if p)) from None
    return tuple(tickets)


def _check_rows(known: set[str], rows: tuple[TallyRow, ...], where: str, race: str) -> None:
    """A row that has data (votes, or TPS reported) has a figure for every candidate."""
    for row in rows:
        if not row.votes and row.tps_reported == 0:
            continue  # nothing in yet: KPU leaves the candidate keys out
        missing = sorted(known - set(row.votes))
        if missing:
            raise DataError(f"the row has data but no votes for candidate id(s) {', '.join(missing)} of the paslon "
                            "file; a candidate cannot be counted as 0 by omission",
                            where=where, race=race, field=f"tungsura.table.{row.code}.{missing[0]}")


def _check_chart_rows(votes: dict[str, int], rows: tuple[TallyRow, ...], where: str, race: str) -> None:
    with_votes = [r for r in rows if r.votes]
    if not with_votes:
        return
    for cid, total in votes.items():
        summed = sum(r.votes.get(cid, 0) for r in with_votes)
        if summed != total:
            raise DataError(
                f"chart total {total} differs from the sum of the table rows {summed}; the file is inconsistent",
                where=where, race=race, field=f"tungsura.chart.{cid}",
            )


def _candidates(paslon: dict[str, tuple[PaslonEntry, ...]], tally: Tally, race: str, source_url: str,
                paslon_url: str | None) -> tuple[PaslonEntry, ...]:
    """The race's paslon entries, each with a figure in the chart and rows once TPS have reported."""
    code = race.split("/")[1]
    entries = paslon.get(code)
    if not entries:
        raise DataError(f"no candidates for region {code} in the paslon file",
                        where=paslon_url or source_url, race=race, field=code)
    known = {e.id for e in entries}
    unknown = sorted(set(tally.votes) - known)
    if unknown:
        raise DataError(f"chart has votes for candidate ids not in the paslon file: {', '.join(unknown)}",
                        where=source_url, race=race, field="tungsura.chart")
    missing = sorted(known - set(tally.votes))
    if missing and tally.tps_reported > 0:
        raise DataError(f"TPS have reported but the chart has no votes for candidate id(s) {', '.join(missing)} "
                        "of the paslon file; a candidate cannot be counted as 0 by omission",
                        where=source_url, race=race, field=f"tungsura.chart.{missing[0]}")
    _check_rows(known, tally.rows, source_url, race)
    _check_chart_rows(tally.votes, tally.rows, source_url, race)
    return entries


def _sub_regions(tally: Tally, child_names: dict[str, str] | None, source_url: str,
                 race: str) -> list[dict[str, Any]]:
    """The table rows as sub-regions, when the wilayah list names them."""
    sub_regions: list[dict[str, Any]] = []
    for row in tally.rows if child_names else ():
        assert child_names is not None
        if row.code not in child_names:
            raise DataError(f"table row {row.code} has no name in the wilayah list",
                            where=source_url, race=race, field=f"tungsura.table.{row.code}")
        name = _region_name(child_names[row.code], row.code, race=race,
                            where=child_names.where if isinstance(child_names, Wilayah) else source_url,
                            field=child_names.field(row.code) if isinstance(child_names, Wilayah) else "nama")
        sub_regions.append({"code": row.code, "name": case_place(name), "votes": dict(row.votes),
                            "tps_reported": row.tps_reported, "tps_total": row.tps_total})
    return sub_regions


def snapshot_from_tally(
    race: str,
    tally: Tally,
    paslon: dict[str, tuple[PaslonEntry, ...]],
    *,
    region_name: str,
    child_names: dict[str, str] | None,
    source_url: str,
    year: int = 2024,
    data_sha256: str | None = None,
    paslon_url: str | None = None,
    names_url: str | None = None,
    region_field: str = "nama",
) -> RaceSnapshot:
    """A race file (chart = this race) -> snapshot; rows become sub-regions when named.

    ``region_name`` is the KPU name (``KALIMANTAN TIMUR``, ``KOTA SAMARINDA``);
    ``child_names`` the wilayah names of the table rows, if known. Every candidate
    of the paslon file must have a figure once TPS have reported, in the chart and
    in every row with data. The kind follows from the race code, and a region name
    that says otherwise (``KOTA`` for a regency) is refused. ``paslon_url``,
    ``names_url`` and ``region_field`` (the files the candidates and the region
    name came from, and the name's place in its file) are named in errors about them.
    """
    kind_code, code = race.split("/")
    entries = _candidates(paslon, tally, race, source_url, paslon_url)
    kind = race_kind(race, None)  # from the code
    region_name = _region_name(region_name, code, where=names_url or source_url, field=region_field, race=race)
    if kind is not RaceKind.GUBERNUR and region_name.upper().startswith("KOTA ") != (kind is RaceKind.WALIKOTA):
        what = "a kota (third digit 7)" if kind is RaceKind.WALIKOTA else "a kabupaten"
        raise DataError(f"region {code} is {what}, but its name is {region_name!r}; the race cannot be named",
                        where=names_url or source_url, race=race, field=region_field)
    sub_regions = _sub_regions(tally, child_names, source_url, race)
    data = {
        "race": race,
        "kind": kind,
        "year": year,
        "region": {"code": code, "name": region_display_name(kind, region_name), "province_code": code[:2]},
        "tickets": _tickets(entries, where=paslon_url or source_url, race=race),
        "votes": {e.id: tally.votes.get(e.id, 0) for e in entries},
        "tps_reported": tally.tps_reported,
        "tps_total": tally.tps_total,
        "timestamp": tally.timestamp,
        "stage": Stage.REAL_COUNT,
        "source_url": source_url,
        "sub_regions": tuple(sub_regions),
        "sub_region_level": "kabupaten/kota" if kind_code == "pkwkp" and len(code) == 2 else "kecamatan",
        "data_sha256": data_sha256,
    }
    codes = [str(row["code"]) for row in sub_regions]
    return validated_snapshot(data, where=source_url, race=race, source_field=lambda f: _kpu_field(f, codes))


def _kpu_field(field: str, row_codes: list[str]) -> str:
    """A snapshot field as KPU's file spells it (``sub_regions.0`` -> ``tungsura.table.6401.progres``)."""
    parts = field.split(".")
    if parts[0] in ("tps_reported", "tps_total"):
        return "tungsura.chart.progres"
    if parts[0] == "votes":
        return "tungsura.chart"
    if parts[0] == "timestamp":
        return "ts"
    if parts[0] == "sub_regions" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(row_codes):
        row = f"tungsura.table.{row_codes[int(parts[1])]}"
        return row if parts[2:3] == ["votes"] else f"{row}.progres"
    return field
