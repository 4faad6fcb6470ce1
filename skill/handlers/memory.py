"""Memories: what they said a year ago (asked for, or offered once after tonight's answers).

"A year ago" is the shared evening closest to a year before tonight, within a week either
side: one bounded query over those two weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ask_sdk_model.response import Response

from skill.handlers.onboarding import start_onboarding
from skill.handlers.recap import (
    LAST_TIME_DAYS,
    RECAP_FETCH,
    end_of_recap,
    evening_key,
    evening_of_key,
    first_evening,
    read_recap,
    when_phrase,
)
from skill.handlers.tonight import offer_question
from skill.handlers.turn import Turn
from skill.journey import YEAR, YEAR_SLACK
from skill.periods import RecapItem, Window, group_answers
from skill.question_order import valid_stage
from skill.records import Profile
from skill.session import MoreFavourites, OfferingKeep, OfferingYearAgo, RecapMore
from skill.speech import RECAP_WORDS, Speech, shorten

YEAR_FETCH = 2 * (2 * YEAR_SLACK + 1) + 2  # two answers an evening over the two weeks, and spare


def _midnight(turn: Turn, day: date) -> datetime:
    """When an evening starts (the device's local time, see skill.local_time)."""
    return turn.evening_start(day)


def year_ago(turn: Turn, after: date | None = None) -> RecapItem | None:
    """The shared evening closest to a year before tonight (a week either side), if any;
    `after`: only evenings later than this one (the last one offered: never offered twice)."""
    target = turn.day - timedelta(days=YEAR)
    start = _midnight(turn, target - timedelta(days=YEAR_SLACK))
    until = _midnight(turn, target + timedelta(days=YEAR_SLACK + 1))
    answers = turn.services.store.answers(
        turn.household_id, start=start, until=until, limit=YEAR_FETCH
    )
    items = [
        item
        for item in group_answers(answers, turn.zone)
        if len(item.answers) > 1 and (after is None or item.day > after)
    ]
    if not items:
        return None
    return min(items, key=lambda item: (abs((item.day - target).days), -item.day.toordinal()))


def offer_year_ago(turn: Turn, lead: Speech, memory: RecapItem) -> Response:
    """After both answers: "A year ago this week you were asked ... Want to hear it?"."""
    lead.pause(300).say(turn.line("memory.year_ago_offer", question=memory.question_text))
    return turn.ask(lead, turn.speech("memory.year_ago_reprompt"), OfferingYearAgo())


def say_evening(turn: Turn, item: RecapItem, speech: Speech) -> Speech:
    """Each partner's answer to one evening's question, by their current names."""
    couple = turn.household.couple()
    for answer in item.answers:
        name = couple.name(answer.partner) if couple else answer.partner_name
        text, cut = shorten(answer.text, RECAP_WORDS)
        speech.say(turn.line("recap.said_long" if cut else "recap.said", name=name, answer=text))
    return speech


def read_year_ago(turn: Turn) -> Response:
    """ "What did we say a year ago", or yes to the offer."""
    if turn.household.couple() is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    memory = year_ago(turn)
    if memory is None:
        return offer_question(turn, turn.speech("memory.year_ago_none"))
    turn.state.last_evening = evening_key(memory.answers[0].question_id, memory.day)
    speech = turn.speech("memory.year_ago", question=memory.question_text).pause(300)
    return end_of_recap(turn, say_evening(turn, memory, speech))


def decline_year_ago(turn: Turn) -> Response:
    return turn.close(turn.speech("goodbye.after_answers"))


def stage_window(turn: Turn, profile: Profile, number: int) -> Window:
    """The time the couple spent in a stage (first to last shared evening there), so the
    recap reads a bounded range; without that record, everything since they started."""
    span = profile.journey.spans.get(number)
    if span is None:
        return Window(
            first_evening(turn) or turn.now - timedelta(days=LAST_TIME_DAYS),
            turn.now,
            "stage",
            number,
        )
    start, last = span
    until = min(_midnight(turn, last + timedelta(days=1)), turn.now)
    return Window(_midnight(turn, start), until, "stage", number)


def recap_stage(turn: Turn) -> Response:
    """ "What did we say in stage two": that stage's evenings, three at a time, newest first."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    number = turn.number("stage_number")
    if not valid_stage(number) or number is None:
        return offer_question(turn, turn.speech("memory.which_stage"))
    return read_recap(turn, stage_window(turn, profile, number), first_page=True)


FAVOURITES_KEPT = 30  # the newest favourites kept in the profile


def that_evening(turn: Turn, profile: Profile) -> tuple[str, date] | None:
    """ "That one": the evening just offered or read back, else tonight's once someone
    has answered."""
    awaiting = turn.state.awaiting
    offered = awaiting.evening if isinstance(awaiting, OfferingKeep) else None
    said = offered or turn.state.last_evening
    if said:
        return evening_of_key(said)
    current = profile.current
    if current is not None and current.day == turn.day and current.answered:
        return current.question_id, current.day
    return None


def keep_favourite(turn: Turn) -> Response:
    """ "Keep that one", "that's a favourite", or yes to the offer after a recap."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    evening = that_evening(turn, profile)
    if evening is None:
        return offer_question(turn, turn.speech("memory.favourite_what"))
    question_id, day = evening
    turn.household.change(
        lambda p: p.with_changes(
            journey=p.journey.with_favourite(question_id, day, FAVOURITES_KEPT)
        )
    )
    kept = turn.speech("memory.favourite_kept")
    awaiting = turn.state.awaiting
    if isinstance(awaiting, RecapMore):  # the recap goes on where it was
        kept.say(turn.line("recap.more"))
        return turn.ask(kept, turn.speech("recap.more"), awaiting)
    return turn.close(kept.say(turn.line("goodbye.general")))


def read_favourite(turn: Turn, index: int) -> Response:
    """One favourite evening, newest first (one query: that evening), then offer another."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    favourites = list(reversed(profile.journey.favourites))
    if not favourites:
        return offer_question(turn, turn.speech("memory.no_favourites"))
    if index >= len(favourites):
        return turn.close(turn.speech("memory.favourites_end", "goodbye.general"))
    question_id, day = favourites[index]
    answers = turn.services.store.answers(
        turn.household_id,
        start=_midnight(turn, day),
        until=_midnight(turn, day + timedelta(days=1)),
        limit=RECAP_FETCH,
    )
    found = [a for a in answers if a.question_id == question_id]
    items = group_answers(found, turn.zone)
    speech = turn.speech("memory.favourite_intro" if index == 0 else "memory.favourite_next")
    if items:
        item = items[0]
        when = when_phrase(turn, item.day)
        speech.say(turn.line("recap.question", when=when, question=item.question_text))
        say_evening(turn, item, speech)
        turn.state.last_evening = evening_key(question_id, day)
    else:  # its answers were deleted since
        speech.say(turn.line("memory.favourite_gone"))
    if index + 1 < len(favourites):
        speech.pause(400).say(turn.line("memory.favourite_more"))
        return turn.ask(speech, turn.speech("memory.favourite_more"), MoreFavourites(index + 1))
    return turn.close(speech.pause(400).say(turn.line("recap.end")))


def next_favourite(turn: Turn) -> Response:
    """Yes to "want another favourite?"."""
    awaiting = turn.state.awaiting
    return read_favourite(turn, awaiting.next if isinstance(awaiting, MoreFavourites) else 0)


def play_favourites(turn: Turn) -> Response:
    """ "Play our favourites": the kept evenings, one at a time, newest first."""
    return read_favourite(turn, 0)
