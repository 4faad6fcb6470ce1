"""The couple's own calendar: a night runs until 4 am local; stored times stay UTC.

An evening is named by its local date; a partner answering at 00:30 still answers
that evening's question. Zones come from the device (Alexa settings); UTC when unknown.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

NIGHT_ENDS = timedelta(hours=4)  # until 4 am local, it is still last night
# The parts of the couple's day that greetings and goodbyes are worded for, by the local
# hour each begins at: "Sleep well" only late at night (21:00 to 4 am, when the night
# ends), "the rest of your evening" only from 17:00 to 21:00, "any time today" never after
# midnight. A prompt keyed `key@band` is said only in that band (Content.at_hour).
BANDS = ("morning", "afternoon", "evening", "late")
BAND_STARTS = (("morning", 4), ("afternoon", 12), ("evening", 17), ("late", 21))

# IANA names are Area/Location (at most three parts, the longest 32 characters today) of
# letters, digits, "_", "+" and "-": "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC".
MAX_ZONE_NAME = 64
ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z][A-Za-z0-9_+-]*){0,2}")


def zone_name_valid(name: object) -> bool:
    """Whether a name from outside (Alexa, a stored profile) is a zone we can use.

    Checked by its form before the file system sees it: zoneinfo raises OSError for a name
    over 255 characters or a folder ("America"), and ValueError for "../etc".
    """
    if not isinstance(name, str) or len(name) > MAX_ZONE_NAME or not ZONE_NAME.fullmatch(name):
        return False
    # Imported when first needed: zoneinfo reads sysconfig to find the zone database, which
    # a new couple's first turn (no zone known yet) can do without.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def zone_named(name: str | None) -> tzinfo:
    """The zone of an IANA name; UTC for an empty, malformed or unknown one (never an error)."""
    if not name or not zone_name_valid(name):
        return UTC
    from zoneinfo import ZoneInfo  # zone_name_valid imported it already

    return ZoneInfo(name)


def evening_of(moment: datetime, zone: tzinfo) -> date:
    """The local evening a moment belongs to (before 4 am: the evening before)."""
    return (moment.astimezone(zone) - NIGHT_ENDS).date()


def evening_start(day: date, zone: tzinfo) -> datetime:
    """When an evening begins (4 am local that day), in UTC."""
    hours = NIGHT_ENDS.seconds // 3600  # by the wall clock, whatever daylight saving did
    return datetime(day.year, day.month, day.day, hours, tzinfo=zone).astimezone(UTC)


def hour_band(moment: datetime, zone: tzinfo) -> str:
    """The part of the day a moment falls in, on the couple's own clock (one of BANDS)."""
    hour = moment.astimezone(zone).hour
    band = "late"  # from midnight until the night ends at 4 am
    for name, start in BAND_STARTS:
        if hour >= start:
            band = name
    return band
