"""The couple's path, said back: "how are we doing", "how far have we come".

Read from the profile's counters (skill.journey), which the session already carries:
no store call beyond the session's one profile read.
"""

from __future__ import annotations

from datetime import date

from skill.handlers.turn import Turn
from skill.journey import span_of
from skill.profile_rules import evenings_shared, started
from skill.records import Profile
from skill.speech import Speech


def span(turn: Turn, first: date, day: date, evenings: int = 0) -> str:
    """A stretch of evenings the way people say it: "ten days", "three weeks", "two years"
    (skill.journey.span_of holds the rules)."""
    unit, count = span_of(first, day, evenings)
    if unit == "first_week":
        unit, count = "day", (day - first).days + 1
    return turn.line(f"journey.span.{unit}", count=count)


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
                span=span(turn, since, day),
            )
        )
    else:
        speech.say(turn.line("journey.stage", number=stage.number, stage_name=stage.name))
    evenings = evenings_shared(profile)
    here = profile.completed_in(profile.stage)
    begun = started(profile)
    if evenings == 0:
        speech.say(turn.line("journey.none_yet"))
    elif evenings == 1:
        speech.say(turn.line("journey.first_evening"))
    elif begun is None or span_of(begun, day)[0] == "first_week":
        speech.say(turn.line("journey.evenings_this_week", evenings=evenings))
    else:
        # "N of them in this stage" only when it says something: never 0, never all.
        key = "journey.evenings_in_stage" if 0 < here < evenings else "journey.evenings"
        speech.say(
            turn.line(
                key, evenings=evenings, span=span(turn, begun, day, evenings), stage_evenings=here
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
