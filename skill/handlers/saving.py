"""Storing an answer, and what is true when the store fails: a write that may or may not
have landed is read back before anything is said, and can be tried again safely (an
answer is keyed by its request, so writing it twice stores it once)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from ask_sdk_model.response import Response

from skill.handlers.after_answer import next_partner, said_back
from skill.handlers.memory import year_ago
from skill.handlers.tonight import after_side_trip, offer_question
from skill.handlers.turn import Turn
from skill.periods import RecapItem
from skill.profile_rules import (
    answer_recorded,
    evening_end,
    year_ago_look,
    year_ago_none_found,
    year_ago_noted,
)
from skill.records import Answer, Profile
from skill.session import RetryingSave
from skill.speech import Speech
from skill.store import StorageError

log = logging.getLogger("stagewise")
TONIGHT_MOST = 8  # answers a night can hold, corrections included


def store_answer(
    turn: Turn,
    answer_for: Callable[[Profile], Answer],
    also: Callable[[Profile], Profile] | None = None,
    lead: Speech | None = None,
) -> Response:
    """Write the answer; if the store fails, find out what is true before saying anything.

    The answer that completes the evening counts it in the journey, and may bring back the
    evening a year ago (looked up first, so the offer is noted in this same write).
    """
    day = turn.day
    couple = turn.household.couple()
    if couple is None or couple.current is None:
        return offer_question(turn, turn.speech("answer.nothing_open"))
    planned = answer_for(couple)
    extra = also or (lambda p: p)
    memory, dealt_with = _year_ago_tonight(turn, couple, planned.partner)
    if dealt_with is not None:  # offered once, or looked for: noted in the answer's own write
        extra = _noting_year_ago(extra, dealt_with)

    def change(profile: Profile) -> Profile:
        return answer_recorded(extra(profile), answer_for(profile).partner, day)

    try:
        profile, answer = turn.household.add_answer(answer_for, change)
    except StorageError as err:
        log.error(
            "answer write failed (%s): checking what was stored", err.code or type(err).__name__
        )
        return _after_failed_write(turn, planned)
    turn.state.last_answer = answer
    speech = (lead or Speech()).extend(said_back(turn, "answer.heard", answer))
    return next_partner(turn, profile, speech, evening_end(couple, profile, day), memory=memory)


def _after_failed_write(turn: Turn, answer: Answer) -> Response:
    """Never "not saved" for what is stored: read before speaking, say only what is true.

    A retry is safe whatever happened: an answer is keyed by its request, so writing it
    again cannot store it twice.
    """
    stored = is_stored(turn, answer)
    if stored is True:  # the write committed; only its reply was lost
        turn.household.forget_profile()  # what it stored is read afresh on the next turn
        turn.state.last_answer = answer
        speech = said_back(turn, "answer.heard", answer)
        return after_side_trip(turn, speech.pause(300))
    key = "answer.not_saved" if stored is False else "answer.not_sure_saved"
    return turn.ask(
        turn.speech(key, name=answer.partner_name),
        turn.speech("answer.not_saved_reprompt"),
        RetryingSave(answer),
    )


def is_stored(turn: Turn, answer: Answer) -> bool | None:
    """Whether this very answer (this request's) is stored: True, False, or None (unknown)."""
    try:
        found = turn.services.store.answers(
            turn.household_id,
            start=answer.answered_at,
            until=answer.answered_at,
            limit=TONIGHT_MOST,
            consistent=True,
        )
    except StorageError:
        return None
    return any(a.request_id == answer.request_id and a.partner == answer.partner for a in found)


def _year_ago_tonight(
    turn: Turn, couple: Profile, partner: str
) -> tuple[RecapItem | None, date | None]:
    """When this answer completes tonight and a look is due: the evening a year ago to offer
    (if there is one), and the day to note as dealt with.

    That is the evening offered, or, when the weeks around a year back hold no shared
    evening, the night a year before tonight: the next look is then a week away (as after
    an offer), not tomorrow. Nothing is missed: each look spans a week either side.
    """
    if not year_ago_look(couple, partner, turn.day):
        return None, None
    memory = year_ago(turn, after=couple.journey.year_ago_on)
    if memory is None:
        return None, year_ago_none_found(turn.day)
    return memory, memory.day


def _noting_year_ago(
    change: Callable[[Profile], Profile], day: date
) -> Callable[[Profile], Profile]:
    return lambda profile: year_ago_noted(change(profile), day)


def retry_save(turn: Turn) -> Response:
    """Yes to "shall I try again?": the kept answer is written now, or the couple is told."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, RetryingSave) or turn.household.couple() is None:
        return offer_question(turn, Speech())
    answer = awaiting.answer
    try:
        profile = turn.household.reload()
        if profile is None:
            return offer_question(turn, Speech())
        stored, answer = turn.household.add_answer(
            lambda p: answer,
            lambda p: answer_recorded(p, answer.partner, turn.day, offer=False),
        )
    except StorageError:
        return _given_up(turn, answer)
    turn.state.last_answer = answer
    speech = said_back(turn, "answer.heard", answer)
    end = evening_end(profile, stored, turn.day, may_offer=False)
    return next_partner(turn, stored, speech, end)


def _given_up(turn: Turn, answer: Answer) -> Response:
    """The store still fails: say what is true of this answer (read once more)."""
    stored = is_stored(turn, answer)
    if stored is True:
        turn.household.forget_profile()
        speech = said_back(turn, "answer.heard", answer)
        return turn.close(speech.say(turn.line("goodbye.general")))
    key = "answer.still_not_saved" if stored is False else "answer.still_not_sure"
    return turn.close(turn.speech(key, name=answer.partner_name))


def drop_unsaved(turn: Turn) -> Response:
    """No to trying again: they hear whether the answer is kept, as it is now."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, RetryingSave):
        return turn.close(turn.speech("goodbye.general"))
    answer = awaiting.answer
    stored = is_stored(turn, answer)
    if stored is True:
        turn.household.forget_profile()
        speech = said_back(turn, "answer.heard", answer)
        return turn.close(speech.say(turn.line("goodbye.general")))
    key = "answer.not_saved_dropped" if stored is False else "answer.not_sure_dropped"
    return turn.close(turn.speech(key, name=answer.partner_name))


def unsaved_on_leaving(turn: Turn) -> Speech | None:
    """They moved on while an answer waited to be saved: say what is true of it."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, RetryingSave):
        return None
    stored = is_stored(turn, awaiting.answer)
    if stored is True:
        turn.household.forget_profile()
        return None
    key = "answer.not_saved_left" if stored is False else "answer.not_sure_left"
    return turn.speech(key, name=awaiting.answer.partner_name)
