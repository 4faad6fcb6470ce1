"""The couple's path, kept as a few counters in the profile (never by reading answers).

`Journey` holds when they started and last shared an evening, since when they are in
their stage, and how many weeks in a row they have shared at least one evening. It is
updated once per shared evening (both answered), inside the same write as the answer.
The evenings shared per stage are the profile's `completed` counts (one question a night).

Streaks are only ever celebrated: a milestone is marked on the evening it is reached,
and a gap silently starts the count again, so nothing ever counts what was missed.

The calendar rules (every date is a local evening, turn.day: a night runs until 4 am):
- A week is a local calendar week, Monday to Sunday (`week_of`).
- An evening is shared when both partners answered its question (or one passed); it
  counts once, whatever is said again that night.
- Weeks in a row: calendar weeks one after the other, each with a shared evening, and
  never a week away between two shared evenings. A week away is more than AWAY_EVENINGS
  days from one shared evening to the next, that is seven evenings or more in a row with
  none shared (`away`): it starts the count again at one, even when it straddles two
  calendar weeks. Coming back on a Sunday after a Monday the week before (13 days on,
  twelve evenings between) starts again; a Sunday, then the next Sunday (the weekly
  reconnect's rhythm: six evenings between) goes on. Right after a week away the count is
  one, so it is never "four weeks in a row".
- A milestone (MILESTONES weeks in a row) is said on the evening the count reaches it,
  once that evening.
- How long, said in words (`span_of`): counted in evenings from the first to tonight, both
  included. Under a week's worth it is "your first week"; under two weeks, days; then
  weeks (nearest whole number) up to nine weeks, months (of 30.44 days) up to two years,
  then years; and never fewer units than the evenings shared fill (eleven evenings are
  never "over one week"). 13 days on is 14 evenings: "two weeks".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

MILESTONES = (4, 8, 12, 26, 52)  # weeks in a row worth a word
AWAY_EVENINGS = 7  # evenings in a row with none shared: a week away, the count starts again
# How a stretch of evenings is said: (unit, its length in evenings, said below this many)
SPAN_UNITS = (
    ("day", 1.0, 14),
    ("week", 7.0, 63),
    ("month", 30.44, 730),
    ("year", 365.25, None),
)
FIRST_WEEK = 7  # evenings from the first shared one: "your first week"
YEAR = 365
YEAR_SLACK = 7  # "a year ago" is the evening closest to a year back, a week either side


def week_of(day: date) -> date:
    """The Monday that starts the evening's week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Journey:
    """Small counters about the couple's path; all dates are evening dates (turn.day)."""

    first: date | None = None  # the first shared evening
    latest: date | None = None  # the most recent shared evening
    stage: int = 0  # the stage `stage_since` belongs to
    stage_since: date | None = None  # first shared evening in the current stage
    streak: int = 0  # weeks in a row with a shared evening, up to `streak_week`
    streak_week: date | None = None  # the Monday of the last week counted
    milestone_on: date | None = None  # the evening a streak milestone was reached
    declined_stage: int = 0  # the stage in which a move on was declined (no second ask)
    year_ago_on: date | None = None  # the past evening last offered as a year-ago memory
    # (or, when none was there to offer, the night a year before the evening that looked)
    favourites: tuple[tuple[str, date], ...] = ()  # (question id, evening), newest last
    spans: dict[int, tuple[date, date]] = field(default_factory=dict)  # stage -> first, last

    def shared_evening(self, day: date, stage: int) -> Journey:
        """Both partners answered tonight: count it (once per evening)."""
        if self.latest == day:
            return self
        week = week_of(day)
        streak, milestone_on = self.streak, self.milestone_on
        if self.streak_week == week and not away(self.latest, day):
            pass
        elif self.streak_week == week - timedelta(days=7) and not away(self.latest, day):
            streak += 1
            if streak in MILESTONES:
                milestone_on = day
        else:
            streak = 1  # a fresh start; the gap is never mentioned
        moved = self.stage != stage or self.stage_since is None
        first_here = self.spans.get(stage, (day, day))[0]
        return replace(
            self,
            spans={**self.spans, stage: (first_here, day)},
            first=self.first or day,
            latest=day,
            stage=stage,
            stage_since=day if moved else self.stage_since,
            streak=streak,
            streak_week=week,
            milestone_on=milestone_on,
        )

    def milestone_tonight(self, day: date) -> int | None:
        """The streak to celebrate tonight, if tonight reached a milestone."""
        return self.streak if self.milestone_on == day and self.streak in MILESTONES else None

    def weeks_in_stage(self, day: date) -> int:
        return (day - self.stage_since).days // 7 if self.stage_since else 0

    def with_favourite(self, question_id: str, day: date, keep: int) -> Journey:
        kept = tuple(f for f in self.favourites if f != (question_id, day))
        return replace(self, favourites=(*kept, (question_id, day))[-keep:])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stage": self.stage,
            "streak": self.streak,
            "declined_stage": self.declined_stage,
            "favourites": [[q, d.isoformat()] for q, d in self.favourites],
            "spans": {str(n): [a.isoformat(), b.isoformat()] for n, (a, b) in self.spans.items()},
        }
        for name in (
            "first",
            "latest",
            "stage_since",
            "streak_week",
            "milestone_on",
            "year_ago_on",
        ):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Journey:
        if not data:
            return cls()
        return cls(
            first=_day(data.get("first")),
            latest=_day(data.get("latest")),
            stage=int(data.get("stage", 0)),
            stage_since=_day(data.get("stage_since")),
            streak=int(data.get("streak", 0)),
            streak_week=_day(data.get("streak_week")),
            milestone_on=_day(data.get("milestone_on")),
            declined_stage=int(data.get("declined_stage", 0)),
            year_ago_on=_day(data.get("year_ago_on")),
            favourites=tuple(
                (str(q), date.fromisoformat(str(d))) for q, d in data.get("favourites", ())
            ),
            spans={
                int(n): (date.fromisoformat(str(a)), date.fromisoformat(str(b)))
                for n, (a, b) in data.get("spans", {}).items()
            },
        )


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def away(last: date | None, day: date) -> bool:
    """Whether a week away lies between the last shared evening and tonight's."""
    return last is None or (day - last).days > AWAY_EVENINGS


def span_of(first: date, day: date, evenings: int = 0) -> tuple[str, int]:
    """How the stretch from `first` to `day` (both evenings included) is said, as a unit
    ("day", "week", "month", "year") and a count, never fewer units than `evenings` fill.

    The rules are in this module's docstring; "first_week" (count 0) for under a week.
    """
    length = (day - first).days + 1
    if length <= FIRST_WEEK:
        return "first_week", 0
    for unit, size, below in SPAN_UNITS:
        if below is None or length < below:
            nearest = math.floor(length / size + 0.5)
            return unit, max(nearest, math.ceil(evenings / math.ceil(size)), 1)
    raise AssertionError("the last unit has no upper bound")
