"""Sources: raw payloads in, validated :class:`~generator.models.RaceSnapshot` out.

- :mod:`.sirekap`  KPU's public real-count JSON (paslon, wilayah, hhcw files)
- :mod:`.files`    newsgen's own YAML/JSON format, typed by editors
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..config import format_validation
from ..errors import DataError
from ..models import RaceSnapshot, Ticket
from ..names import is_empty_column, person_name, short_form_problem, split_ticket
from ..text import one_line


def make_ticket(ticket_id: str, number: int, raw_name: str, colour: str | None = None) -> Ticket:
    """A ticket from KPU's ``"HEAD - DEPUTY"`` name, cased in house style.

    The name is made one clean line first (no control, bidi or zero-width
    characters, no line breaks); the ticket caps each name's length.
    """
    raw_name = one_line(raw_name, strip=False)  # " - DEPUTY" keeps its empty head
    if is_empty_column(raw_name):
        return Ticket(id=ticket_id, number=number, empty_column=True, colour=colour)
    head_raw, deputy_raw = split_ticket(raw_name)
    head = person_name(head_raw)
    deputy = person_name(deputy_raw) if deputy_raw else None
    head_problem = short_form_problem(head.short) or ""
    deputy_problem = (short_form_problem(deputy.short) or "") if deputy else ""
    return Ticket(
        id=ticket_id,
        number=number,
        head=head.full,
        deputy=deputy.full if deputy else "",
        # A short form that looks broken is never printed: the full name stands in.
        head_short=head.full if head_problem else head.short,
        deputy_short=(deputy.full if deputy_problem else deputy.short) if deputy else "",
        colour=colour,
        head_short_problem=f"{head.short!r}: {head_problem}" if head_problem else "",
        deputy_short_problem=f"{deputy.short!r}: {deputy_problem}" if deputy and deputy_problem else "",
    )


def validated_snapshot(data: dict[str, Any], *, where: str, race: str,
                       source_field: Callable[[str], str] = str) -> RaceSnapshot:
    """Build a snapshot, turning validation errors into a :class:`DataError`.

    The model checks every invariant once; ``source_field`` names the offending
    field as the source spells it (``tps_reported`` -> ``tungsura.chart.progres``
    in a KPU file, ``tps`` in an editor file).
    """
    try:
        return RaceSnapshot.model_validate(data)
    except ValidationError as exc:
        lines = format_validation(exc)
        field = lines[0].split(": ", 1)[0] if ": " in lines[0] else None
        field = None if field in (None, "(top level)") else source_field(field)
        message = "; ".join(line.split(": ", 1)[1] if ": " in line else line for line in lines[:3])
        raise DataError(message, where=where, race=race, field=field) from None
