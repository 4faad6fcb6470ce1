"""What Alexa sends for the words a slot was filled with, by slot type: numbers, first names,
dates (AMAZON.DATE's values, "2026-W46", "2026-11"), times ("20:30") and weekdays.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from skill.reconnect import parse_day

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
NUMBER_WORDS.update({"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def slot_value(slot_type: str, raw: str, today: date, *, long_names: bool = False) -> str | None:
    """The value Alexa would send for a slot of this type, or None if the words cannot fill it.

    `long_names`: a first name may have two words (only when names were asked for).
    """
    if slot_type == "AMAZON.NUMBER":
        if raw.isdigit():
            return raw
        return str(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else None
    if slot_type == "AMAZON.FirstName":
        # A name of at most two words ("mary ann", "anne-marie", "zoë"): a bare
        # "{first_name}" sample would otherwise swallow whole sentences.
        words = raw.split()
        most = 2 if long_names else 1
        ok = 0 < len(words) <= most and all(_NAME_WORD.match(w) for w in words)
        return raw if ok and not set(words) & _NOT_NAMES else None
    if slot_type == "AMAZON.DATE":
        return spoken_date(raw, today)
    if slot_type == "AMAZON.TIME":
        return spoken_time(raw)
    if slot_type == "WEEKDAY":
        return raw if parse_day(raw.removeprefix("every ")) else None
    return raw


def spoken_date(raw: str, today: date) -> str | None:
    """The AMAZON.DATE value Alexa would send for common phrases (a bare weekday or a
    date without a year resolves to the coming one, as Alexa does)."""
    raw = raw.removeprefix("on ").removeprefix("from ").removeprefix("the ")
    if raw in ("today", "tonight"):
        return today.isoformat()
    if raw in ("yesterday", "last night"):
        return (today - timedelta(days=1)).isoformat()
    if raw in ("this week", "last seven days"):
        return _week(today)
    if raw == "last week":
        return _week(today - timedelta(days=7))
    if raw == "this weekend":
        return _week(today) + "-WE"
    if raw == "last weekend":
        return _week(today - timedelta(days=7)) + "-WE"
    if raw == "this month":
        return today.strftime("%Y-%m")
    if raw == "last month":
        first = today.replace(day=1) - timedelta(days=1)
        return first.strftime("%Y-%m")
    if match := re.match(r"^(\w+) (days|weeks) ago$", raw):
        count = NUMBER_WORDS.get(match[1]) or (int(match[1]) if match[1].isdigit() else 0)
        if not count:
            return None
        if match[2] == "days":
            return (today - timedelta(days=count)).isoformat()
        return _week(today - timedelta(weeks=count))
    if raw == "a week ago":
        return _week(today - timedelta(weeks=1))
    if raw.startswith("last ") and raw[5:] in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS.index(raw[5:])) % 7 or 7
        return (today - timedelta(days=back)).isoformat()
    if raw in WEEKDAYS:  # Alexa: the coming one
        ahead = (WEEKDAYS.index(raw) - today.weekday()) % 7
        return (today + timedelta(days=ahead)).isoformat()
    day = _month_day(raw)
    if day is not None:
        month, number = day
        try:
            candidate = date(today.year, month, number)
            if candidate < today:
                candidate = date(today.year + 1, month, number)
        except ValueError:
            return None
        return candidate.isoformat()
    try:
        return datetime.strptime(raw, "%Y %m %d").date().isoformat()
    except ValueError:
        return None


MINUTE_WORDS = {"": 0, "fifteen": 15, "thirty": 30, "forty five": 45, "forty": 40, "fifty": 50}


def spoken_time(raw: str) -> str | None:
    """The AMAZON.TIME value for "8 pm", "eight thirty pm", "seven", "19:30" ("HH:MM").

    A bare hour from one to eleven is taken as the evening (a reconnect is an evening thing).
    """
    words = raw.replace("p.m.", "pm").replace("a.m.", "am").replace("o'clock", "").split()
    suffix = words.pop() if words and words[-1] in ("am", "pm") else ""
    if len(words) == 1 and ":" in words[0]:
        words = words[0].split(":")
    if not words:
        return None
    hour = int(words[0]) if words[0].isdigit() else NUMBER_WORDS.get(words[0], -1)
    rest = " ".join(words[1:])
    minute = int(rest) if rest.isdigit() else MINUTE_WORDS.get(rest, NUMBER_WORDS.get(rest, -1))
    if hour < 0 or minute < 0:
        return None
    if suffix == "pm" and hour < 12 or not suffix and 1 <= hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


MONTHS = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
ORDINALS = {
    **{w: i for w, i in NUMBER_WORDS.items() if i},
    **{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6},
    **{"seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12},
    **{"thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16},
    **{"seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20},
    **{"thirtieth": 30, "thirty": 30},
}


def _month_day(raw: str) -> tuple[int, int] | None:
    """ "november 3rd", "november third", "3rd of november", "first of november"."""
    words = raw.replace(" of ", " ").split()
    month = next((w for w in words if w in MONTHS), None)
    if month is None or len(words) not in (2, 3):
        return None
    rest = [w for w in words if w != month]
    number = _day_number(" ".join(rest))
    return (MONTHS.index(month) + 1, number) if number else None


def _day_number(text: str) -> int | None:
    text = text.replace("twenty ", "twenty-").replace("thirty ", "thirty-")
    if match := re.match(r"^(\d{1,2})(st|nd|rd|th)?$", text):
        return int(match[1])
    if "-" in text:
        tens, _, ones = text.partition("-")
        high = {"twenty": 20, "thirty": 30}.get(tens)
        low = ORDINALS.get(ones)
        return high + low if high and low and low < 10 else None
    return ORDINALS.get(text)


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")
_NOT_NAMES = frozenset(
    {
        *("yes", "no", "stop", "help", "cancel", "repeat", "recap", "skip", "pass", "next"),
        *("and", "the", "a", "is", "it", "what", "wait", "hmm", "um", "me", "first", "goes"),
        *("i", "we", "you", "my", "our", "this", "that", "not", "go", "back", "undo", "hold"),
    }
)
