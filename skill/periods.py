"""Recap periods as plain functions: an AMAZON.DATE value to a window, answers to evenings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from skill.local_time import evening_of, evening_start
from skill.records import Answer

RECAP_QUESTIONS_PER_TURN = 3
RECAP_DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Window:
    """A recap period: answers in [start, until)."""

    start: datetime
    until: datetime
    kind: str  # "recent", "day", "week", "weekend", "month", "season", "year", "since", ...
    stage: int | None = None  # only answers given in this stage ("what did we say in stage two")


Midnight = Callable[[date], datetime]  # a local evening -> when it starts, in UTC


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_SEASON = re.compile(r"^(\d{4})-(WI|SP|SU|FA)$")
# Seasons as Alexa names them (northern, by month): winter runs December to February.
SEASON_MONTHS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def recap_window(
    value: str | None, now: datetime, since: datetime | None = None, zone: tzinfo = UTC
) -> Window:
    """Turn an AMAZON.DATE value into a window; none (or one we can't use) means the last week.

    Dates are the couple's local ones (Alexa resolves AMAZON.DATE on the device); a day is
    an evening, from 4 am local to 4 am the next day. Alexa resolves a bare weekday or a
    date without a year to the coming one; in a recap a future day means the most recent
    past one. `since` (the couple's first evening) keeps a window from starting before they did.
    """
    now = now.astimezone(UTC)

    def _midnight(day: date) -> datetime:
        return evening_start(day, zone)

    # Whole days: a couple who answered last Sunday at 8 and asks this Sunday at 7 still hears it.
    today = evening_of(now, zone)
    recent = Window(_midnight(today - timedelta(days=RECAP_DEFAULT_DAYS)), now, "recent")
    window = recent
    if value:
        try:
            window = _parse_period(value.strip().upper(), _midnight) or recent
        except (ValueError, OverflowError):  # no such date, or past the end of the calendar
            window = recent
    if window.kind == "day" and window.start > now:
        day = evening_of(window.start, zone)
        if day == now.astimezone(zone).date():
            # "Tonight" after midnight: Alexa sends the calendar date, still this evening.
            window = Window(_midnight(today), _midnight(today + timedelta(days=1)), "day")
        else:
            window = _most_recent_past(window, now, day, _midnight)
    if window.start >= now:  # the future: nothing said yet
        window = Window(window.start, window.start, window.kind)
    elif window.kind == "week" and window.until >= now - timedelta(days=RECAP_DEFAULT_DAYS):
        # "What did we say last week" on a Saturday means the last few days too:
        # read from the start of that week up to now, newest first.
        window = Window(window.start, now, "since")
    else:
        window = Window(window.start, min(window.until, now), window.kind)
    if since is not None and window.start < since <= window.until:
        start = _midnight(evening_of(since, zone))
        if start > window.start:  # say when they started, not a day before it
            kind = "since_start" if window.kind in ("since", "recent", "week") else window.kind
            window = Window(start, window.until, kind)
    return window


def _most_recent_past(window: Window, now: datetime, day: date, _midnight: Midnight) -> Window:
    """A day Alexa placed in the future: last week's weekday, or last year's date."""
    if window.start - now <= timedelta(days=7):
        earlier = day - timedelta(days=7)
        return Window(_midnight(earlier), _midnight(earlier + timedelta(days=1)), window.kind)
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # February 29th
        earlier = day.replace(year=day.year - 1, day=28)
    return Window(_midnight(earlier), _midnight(earlier + timedelta(days=1)), window.kind)


def _parse_period(value: str, _midnight: Midnight) -> Window | None:
    def span(first: date, days_or_end: int | date, kind: str) -> Window:
        end = days_or_end if isinstance(days_or_end, date) else first + timedelta(days_or_end)
        return Window(_midnight(first), _midnight(end), kind)

    if match := _DAY.match(value):
        return span(date(int(match[1]), int(match[2]), int(match[3])), 1, "day")
    if match := _WEEK.match(value):
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        if match[3]:
            return span(monday + timedelta(days=5), 2, "weekend")
        return span(monday, 7, "week")
    if match := _MONTH.match(value):
        first = date(int(match[1]), int(match[2]), 1)
        return span(first, date(first.year + first.month // 12, first.month % 12 + 1, 1), "month")
    if match := _YEAR.match(value):
        year = int(match[1])
        return span(date(year, 1, 1), date(year + 1, 1, 1), "year")
    if match := _SEASON.match(value):
        first = date(int(match[1]), SEASON_MONTHS[match[2]], 1)
        end_month = first.month + 3
        end = date(first.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
        return span(first, end, "season")
    return None


@dataclass(frozen=True)
class RecapItem:
    """One question in a recap with the answers given to it, partner A first."""

    question_text: str
    stage: int
    day: date
    answers: tuple[Answer, ...]


def group_answers(answers: list[Answer], zone: tzinfo) -> list[RecapItem]:
    """Group newest-first answers by question and local evening, keeping newest first."""
    items: list[RecapItem] = []
    for answer in answers:
        last = items[-1] if items else None
        day = evening_of(answer.answered_at, zone)
        if last and last.day == day and last.answers[0].question_id == answer.question_id:
            ordered = sorted((*last.answers, answer), key=lambda a: (a.partner, a.answered_at))
            items[-1] = RecapItem(last.question_text, last.stage, last.day, tuple(ordered))
        else:
            items.append(RecapItem(answer.question_text, answer.stage, day, (answer,)))
    return items
