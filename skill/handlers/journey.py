"""The couple's path, said back: "how are we doing", "how far have we come".

Read from the profile's counters (skill.journey), which the session already carries:
no store call beyond the session's one profile read.
"""

from __future__ import annotations

from datetime import date

from skill.handlers.turn import Turn
from skill.journey import evenings_shared
from skill.records import Profile, parse_iso
from skill.speech import Speech

# (one, many, days in the unit, said in this unit below this many days)
SPANS = (
    ("journey.span.week", "journey.span.weeks", 7, 9 * 7),
    ("journey.span.month", "journey.span.months", 30, 24 * 30),
    ("journey.span.year", "journey.span.years", 365, None),
)


def span(turn: Turn, days: int) -> str:
    """A stretch of time the way people say it: "three weeks", "five months", "two years"."""
    for one, many, size, below in SPANS:
        if below is None or days < below:
            count = max(days // size, 1)
            return turn.line(one if count == 1 else many, count=count)
    raise AssertionError("the last span has no upper bound")


def started(profile: Profile) -> date | None:
    """Their first shared evening, or the day they met Stagewise."""
    if profile.journey.first is not None:
        return profile.journey.first
    try:
        return parse_iso(profile.created_at).date() if profile.created_at else None
    except ValueError:
        return None


def summary(turn: Turn, profile: Profile) -> Speech:
    """Stage, evenings shared, and how long together with Stagewise: warm, short, no tallies
    of what was missed."""
    stage = turn.content.stage(profile.stage)
    journey, day = profile.journey, turn.day
    speech = Speech()
    since = journey.stage_since if journey.stage == profile.stage else None
    if since is not None and journey.weeks_in_stage(day) >= 1:
        speech.say(
            turn.line(
                "journey.stage_for",
                number=stage.number,
                stage_name=stage.name,
                span=span(turn, (day - since).days),
            )
        )
    else:
        speech.say(turn.line("journey.stage", number=stage.number, stage_name=stage.name))
    evenings = evenings_shared(profile)
    begun = started(profile)
    if evenings == 0:
        speech.say(turn.line("journey.none_yet"))
    elif evenings == 1:
        speech.say(turn.line("journey.first_evening"))
    elif begun is None or (day - begun).days < 7:
        speech.say(turn.line("journey.evenings_this_week", evenings=evenings))
    else:
        speech.say(
            turn.line(
                "journey.evenings",
                evenings=evenings,
                span=span(turn, (day - begun).days),
                stage_evenings=profile.completed_in(profile.stage),
            )
        )
    if evenings > 1:
        speech.say(turn.line("journey.warm"))
    return speech


def summary_step(turn: Turn) -> Speech | None:
    """ "How are we doing", "how far have we come": said in passing; None for a couple not
    met yet (then the question is offered, or onboarding asked for, as after any side trip)."""
    profile = turn.household.couple()
    if profile is None:
        return turn.speech("journey.not_started")
    return summary(turn, profile)
