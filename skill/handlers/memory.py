"""Memories: what they said a year ago (asked for, or offered once after tonight's answers).

"A year ago" is the shared evening closest to a year before tonight, within a week either
side: one bounded query over those two weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.display import recap_card
from skill.handlers.onboarding import start_onboarding
from skill.handlers.recap import LAST_TIME_DAYS, first_evening, read_recap
from skill.handlers.tonight import offer_question
from skill.handlers.turn import Handler, Turn
from skill.journey import YEAR, YEAR_SLACK
from skill.periods import RecapItem, Window, group_answers
from skill.records import Profile
from skill.ritual import WEEK, valid_stage
from skill.session import Moment
from skill.speech import RECAP_WORDS, Speech, shorten

YEAR_FETCH = 2 * (2 * YEAR_SLACK + 1) + 2  # two answers an evening over the two weeks, and spare


def _midnight(turn: Turn, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=turn.now.tzinfo)


def year_ago_due(profile: Profile, day: date) -> bool:
    """Worth a look tonight: they began about a year ago or more, and the evening last offered
    is a week or more before this night's year-ago (so at most about once a week)."""
    journey = profile.journey
    if journey.first is None or (day - journey.first).days < YEAR - YEAR_SLACK:
        return False
    last = journey.year_ago_on
    return last is None or (day - timedelta(days=YEAR) - last).days >= WEEK


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
        for item in group_answers(answers)
        if len(item.answers) > 1 and (after is None or item.day > after)
    ]
    if not items:
        return None
    return min(items, key=lambda item: (abs((item.day - target).days), -item.day.toordinal()))


def offer_year_ago(turn: Turn, lead: Speech, memory: RecapItem) -> Response:
    """After both answers: "A year ago this week you were asked ... Want to hear it?"."""
    lead.pause(300).say(turn.line("memory.year_ago_offer", question=memory.question_text))
    return turn.ask(lead, turn.speech("memory.year_ago_reprompt"), Moment.YEAR_AGO)


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
    speech = turn.speech("memory.year_ago", question=memory.question_text).pause(300)
    say_evening(turn, memory, speech).pause(400).say(turn.line("recap.end"))
    return turn.close(speech, card=recap_card(speech.text()))


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


class RecapStageHandler(Handler):
    """ "What did we say in stage two": that stage's evenings, three at a time, newest first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("RecapStageIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.household.couple()
        if profile is None:
            return start_onboarding(turn, "onboarding.welcome_before_question")
        number = turn.number("stage_number")
        if not valid_stage(number) or number is None:
            return offer_question(turn, turn.speech("memory.which_stage"))
        return read_recap(turn, stage_window(turn, profile, number), first_page=True)


class RecapYearAgoHandler(Handler):
    """ "What did we say a year ago": the evening closest to a year back."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("RecapYearAgoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return read_year_ago(self.turn(handler_input))
