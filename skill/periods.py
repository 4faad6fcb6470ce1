"""Recap periods as plain functions: an AMAZON.DATE value to a window, answers to evenings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from skill.records import Answer

RECAP_QUESTIONS_PER_TURN = 3
RECAP_DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Window:
    """A recap period: answers in [start, until)."""

    start: datetime
    until: datetime
    kind: str  # "recent", "day", "week", "weekend", "month", "year", "since", "since_start"
    stage: int | None = None  # only answers given in this stage ("what did we say in stage two")


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def recap_window(value: str | None, now: datetime, since: datetime | None = None) -> Window:
    """Turn an AMAZON.DATE value into a window; none (or one we can't use) means the last week.

    Alexa resolves a bare weekday or a date without a year to the coming one; in a recap a
    future day means the most recent past one. `since` (the couple's first evening) keeps a
    window from starting before they did.
    """
    now = now.astimezone(UTC)
    # Whole days: a couple who answered last Sunday at 8 and asks this Sunday at 7 still hears it.
    recent = Window(_midnight(now.date() - timedelta(days=RECAP_DEFAULT_DAYS)), now, "recent")
    window = recent
    if value:
        try:
            window = _parse_period(value.strip().upper()) or recent
        except (ValueError, OverflowError):  # no such date, or past the end of the calendar
            window = recent
    if window.kind == "day" and window.start > now:
        window = _most_recent_past(window, now)
    if window.start >= now:  # the future: nothing said yet
        window = Window(window.start, window.start, window.kind)
    elif window.kind == "week" and window.until >= now - timedelta(days=RECAP_DEFAULT_DAYS):
        # "What did we say last week" on a Saturday means the last few days too:
        # read from the start of that week up to now, newest first.
        window = Window(window.start, now, "since")
    else:
        window = Window(window.start, min(window.until, now), window.kind)
    if since is not None and window.start < since <= window.until:
        start = _midnight(since.astimezone(UTC).date())
        if start > window.start:  # say when they started, not a day before it
            kind = "since_start" if window.kind in ("since", "recent", "week") else window.kind
            window = Window(start, window.until, kind)
    return window


def _most_recent_past(window: Window, now: datetime) -> Window:
    """A day Alexa placed in the future: last week's weekday, or last year's date."""
    ahead = window.start - now
    back = timedelta(days=7) if ahead <= timedelta(days=7) else None
    if back is not None:
        return Window(window.start - back, window.until - back, window.kind)
    day = window.start.date()
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # February 29th
        earlier = day.replace(year=day.year - 1, day=28)
    return Window(_midnight(earlier), _midnight(earlier + timedelta(days=1)), window.kind)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _parse_period(value: str) -> Window | None:
    if match := _DAY.match(value):
        day = date(int(match[1]), int(match[2]), int(match[3]))
        return Window(_midnight(day), _midnight(day + timedelta(days=1)), "day")
    if match := _WEEK.match(value):
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        if match[3]:
            saturday = monday + timedelta(days=5)
            return Window(_midnight(saturday), _midnight(saturday + timedelta(days=2)), "weekend")
        return Window(_midnight(monday), _midnight(monday + timedelta(days=7)), "week")
    if match := _MONTH.match(value):
        first = date(int(match[1]), int(match[2]), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Window(_midnight(first), _midnight(following), "month")
    if match := _YEAR.match(value):
        year = int(match[1])
        return Window(_midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1)), "year")
    return None


@dataclass(frozen=True)
class RecapItem:
    """One question in a recap with the answers given to it, partner A first."""

    question_text: str
    stage: int
    day: date
    answers: tuple[Answer, ...]


def group_answers(answers: list[Answer]) -> list[RecapItem]:
    """Group newest-first answers by question and day, keeping newest questions first."""
    items: list[RecapItem] = []
    for answer in answers:
        last = items[-1] if items else None
        if last and last.day == answer.day and last.answers[0].question_id == answer.question_id:
            ordered = sorted((*last.answers, answer), key=lambda a: (a.partner, a.answered_at))
            items[-1] = RecapItem(last.question_text, last.stage, last.day, tuple(ordered))
        else:
            items.append(RecapItem(answer.question_text, answer.stage, answer.day, (answer,)))
    return items
