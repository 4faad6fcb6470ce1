"""The couple's own calendar: a night runs until 4 am local; stored times stay UTC.

An evening is named by its local date; a partner answering at 00:30 still answers
that evening's question. Zones come from the device (Alexa settings); UTC when unknown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

NIGHT_ENDS = timedelta(hours=4)  # until 4 am local, it is still last night


def zone_named(name: str | None) -> tzinfo:
    """The zone of an IANA name; UTC for an empty or unknown one (never an error)."""
    if not name:
        return UTC
    # Imported when first needed: zoneinfo reads sysconfig to find the zone database, which
    # a new couple's first turn (no zone known yet) can do without.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def evening_of(moment: datetime, zone: tzinfo) -> date:
    """The local evening a moment belongs to (before 4 am: the evening before)."""
    return (moment.astimezone(zone) - NIGHT_ENDS).date()


def evening_start(day: date, zone: tzinfo) -> datetime:
    """When an evening begins (4 am local that day), in UTC."""
    hours = NIGHT_ENDS.seconds // 3600  # by the wall clock, whatever daylight saving did
    return datetime(day.year, day.month, day.day, hours, tzinfo=zone).astimezone(UTC)
