"""The rules about a couple's profile: pure functions of (Profile, day, ...) to a value.

What completes an evening and what it earns (counted as shared, a streak milestone, the
gentle reminder offer, a suggestion to move on), when a year-ago memory is worth a look,
what deleting an answer takes back, and when a couple started. No speech, no store, no
turn: the handlers ask these rules and turn their answer into words
(skill.handlers.after_answer).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from skill.journey import YEAR, YEAR_SLACK
from skill.question_order import WEEK, record_answer
from skill.reconnect import OFFER_AFTER_EVENINGS
from skill.records import PARTNERS, Answer, CurrentQuestion, Profile, parse_iso

# -- evenings ------------------------------------------------------------------------------


def completes_evening(current: CurrentQuestion, partner: str) -> bool:
    """Whether `partner`'s answer is the one that leaves both partners answered tonight."""
    return set(PARTNERS) <= {*current.answered, partner}


def evenings_shared(profile: Profile) -> int:
    """Evenings both answered, all stages (one question a night)."""
    return sum(profile.completed.values())


def started(profile: Profile) -> date | None:
    """Their first shared evening, or the day they met Stagewise."""
    if profile.journey.first is not None:
        return profile.journey.first
    try:
        return parse_iso(profile.created_at).date() if profile.created_at else None
    except ValueError:
        return None


def shared_tonight(profile: Profile, day: date) -> Profile:
    """After an answer: if both have now answered tonight's question, count the evening."""
    current = profile.current
    if current is None or current.pending is not None or current.day != day:
        return profile
    return profile.with_changes(journey=profile.journey.shared_evening(day, current.stage))


def answer_recorded(profile: Profile, partner: str, day: date, *, offer: bool = True) -> Profile:
    """The profile after `partner` answered tonight: marked, counted once both have, and
    (with `offer`) the gentle reminder offer noted when this evening earns it."""
    answered = record_answer(profile, partner, day)
    return shared_tonight(with_offer(answered, day) if offer else answered, day)


def unanswer(profile: Profile, gone: tuple[Answer, ...]) -> Profile:
    """Deleted answers to tonight's question can be given again; progress counts follow."""
    current = profile.current
    if current is None:
        return profile
    partners = {a.partner for a in gone if a.question_id == current.question_id}
    if not partners:
        return profile
    was_complete = set(current.answered) >= set(PARTNERS)
    answered = tuple(p for p in current.answered if p not in partners)
    completed = dict(profile.completed)
    if was_complete and completed.get(current.stage, 0) > 0:
        completed[current.stage] -= 1
    return profile.with_changes(current=replace(current, answered=answered), completed=completed)


def declined_next_stage(profile: Profile, target: int) -> Profile:
    """They said no to moving on to the next stage: no more suggestions in this stage."""
    if target != profile.stage + 1:
        return profile
    return profile.with_changes(journey=replace(profile.journey, declined_stage=profile.stage))


# -- the gentle reminder offer --------------------------------------------------------------


def offer_due(profile: Profile) -> bool:
    """The gentle offer: after the third shared evening, once, and never with a reminder."""
    ritual = profile.ritual
    shared = evenings_shared(profile)
    return shared >= OFFER_AFTER_EVENINGS and not ritual.offered and not ritual.has_reminder


def with_offer(profile: Profile, day: date) -> Profile:
    """Mark the gentle offer as made when this answer ends the evening that earns it.

    Stored with the answer (no write of its own), so it is made once, whatever they say.
    """
    current = profile.current
    finished = current is not None and current.pending is None
    if not finished or not offer_due(profile) or profile.suggested_on == day:
        return profile  # a stage suggestion tonight is enough for one evening
    return profile.with_changes(ritual=profile.ritual.with_changes(offered=True))


# -- a year ago -----------------------------------------------------------------------------


def year_ago_due(profile: Profile, day: date) -> bool:
    """Worth a look tonight: they began about a year ago or more, and the evening last offered
    (or looked for and not found) is a week or more before this night's year-ago (so at most
    about once a week, and never a look every evening at an empty week)."""
    journey = profile.journey
    if journey.first is None or (day - journey.first).days < YEAR - YEAR_SLACK:
        return False
    last = journey.year_ago_on
    return last is None or (day - timedelta(days=YEAR) - last).days >= WEEK


def year_ago_look(profile: Profile, partner: str, day: date) -> bool:
    """Whether `partner`'s answer tonight should look for the evening a year ago: it
    completes the evening and a look is due."""
    current = profile.current
    if current is None or not completes_evening(current, partner):
        return False
    return year_ago_due(profile, day)


def year_ago_none_found(day: date) -> date:
    """The day noted when a look found no evening to offer: the night a year before tonight,
    so the next look is a week away (as after an offer), not tomorrow."""
    return day - timedelta(days=YEAR)


def year_ago_noted(profile: Profile, day: date) -> Profile:
    """The year-ago evening offered (or looked for) is `day`: never offered twice."""
    return profile.with_changes(journey=replace(profile.journey, year_ago_on=day))


# -- the end of an evening ------------------------------------------------------------------


@dataclass(frozen=True)
class EveningEnd:
    """What ending tonight's evening brings, decided by the write that ended it and said
    once a night however often the evening is finished again (an answer deleted and
    given again)."""

    milestone: int | None = None  # weeks in a row reached tonight: celebrated now
    offer_reminder: bool = False  # the gentle reminder offer, marked in this very write
    suggest_next_stage: bool = False  # the move to the next stage suggested (at most weekly)


def evening_end(
    before: Profile, after: Profile, day: date, *, may_offer: bool = True
) -> EveningEnd:
    """What the write from `before` to `after` was the first to record tonight."""
    counted = before.journey.latest != day and after.journey.latest == day
    return EveningEnd(
        milestone=after.journey.milestone_tonight(day) if counted else None,
        offer_reminder=may_offer and after.ritual.offered and not before.ritual.offered,
        suggest_next_stage=before.suggested_on != day and after.suggested_on == day,
    )
