"""The couple's path, kept as a few counters in the profile (never by reading answers).

`Journey` holds when they started and last shared an evening, since when they are in
their stage, and how many weeks in a row they have shared at least one evening. It is
updated once per shared evening (both answered), inside the same write as the answer.
The evenings shared per stage are the profile's `completed` counts (one question a night).

Streaks are only ever celebrated: a milestone is marked on the evening it is reached,
and a gap silently starts the count again, so nothing ever counts what was missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # records imports Journey; the functions below only call Profile's methods
    from skill.records import Profile

MILESTONES = (4, 8, 12, 26, 52)  # weeks in a row worth a word
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
        if self.streak_week == week:
            pass
        elif self.streak_week is not None and self.streak_week == week - timedelta(days=7):
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


def shared_tonight(profile: Profile, day: date) -> Profile:
    """After an answer: if both have now answered tonight's question, count the evening."""
    current = profile.current
    if current is None or current.pending is not None or current.day != day:
        return profile
    return profile.with_changes(journey=profile.journey.shared_evening(day, current.stage))


def declined_next_stage(profile: Profile, target: int) -> Profile:
    """They said no to moving on to the next stage: no more suggestions in this stage."""
    if target != profile.stage + 1:
        return profile
    return profile.with_changes(journey=replace(profile.journey, declined_stage=profile.stage))


def evenings_shared(profile: Profile) -> int:
    """Evenings both answered, all stages (one question a night)."""
    return sum(profile.completed.values())
