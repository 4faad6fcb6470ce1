"""Deleting by voice: everything, the last answer, or tonight's answers; confirmed first,
told truthfully afterwards. (Disabling the skill deletes everything too: events.py.)"""

from __future__ import annotations

import logging
from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.onboarding import start_onboarding
from skill.handlers.turn import Handler, Turn
from skill.privacy import short_id
from skill.records import PARTNERS, Answer, Profile
from skill.session import Moment
from skill.speech import READBACK_WORDS, Speech, shorten
from skill.store import StorageError

log = logging.getLogger("stagewise")
TONIGHT_MOST = 8  # answers a night can hold, corrections included


def ask_to_delete(turn: Turn, what: str) -> Response:
    """Say exactly what would go, and ask for a yes."""
    turn.state.deleting, turn.state.to_delete = None, ()
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    if what == "all":
        turn.state.deleting = "all"
        return _confirm(turn, turn.speech("forget.confirm_all"))
    found = _tonight(turn, profile)
    if what == "last":
        last = turn.state.last_answer
        if last is None or all(last.request_id != a.request_id for a in found):
            last = found[0] if found else None
        if last is None:
            return turn.close(turn.speech("forget.nothing_tonight"))
        turn.state.deleting, turn.state.to_delete = "last", (last,)
        short, _ = shorten(last.text, READBACK_WORDS)
        name = profile.name(last.partner)
        return _confirm(turn, turn.speech("forget.confirm_last", name=name, answer=short))
    if not found:
        return turn.close(turn.speech("forget.nothing_tonight"))
    turn.state.deleting, turn.state.to_delete = "tonight", tuple(found)
    return _confirm(turn, turn.speech("forget.confirm_tonight", count=len(found)))


def _confirm(turn: Turn, speech: Speech) -> Response:
    return turn.ask(speech, turn.speech("forget.confirm_reprompt"), Moment.DELETE_CONFIRM)


def _tonight(turn: Turn, profile: Profile) -> list[Answer]:
    """Tonight's stored answers, newest first (one query)."""
    start = turn.evening_start(turn.day)  # the couple's own evening, from 4 am local
    return turn.services.store.answers(
        turn.household_id, start=start, until=turn.now, limit=TONIGHT_MOST
    )


def delete_confirmed(turn: Turn) -> Response:
    """Yes: delete, verify, and say what went (or, truthfully, that it did not)."""
    what, answers = turn.state.deleting, turn.state.to_delete
    turn.state.deleting, turn.state.to_delete = None, ()
    store = turn.services.store
    try:
        if what == "all":
            removed = store.delete_household(turn.household_id)
            turn.state.profile, turn.state.profile_loaded = None, True
            turn.state.last_answer = None
            tag = short_id(turn.household_id)
            log.info("deleted by voice: household %s, %d records", tag, removed)
            return turn.close(turn.speech("forget.done_all", count=max(removed - 1, 0)))
        if not answers:
            return turn.close(turn.speech("forget.nothing_tonight"))
        removed = store.delete_answers(turn.household_id, answers)
        turn.household.change(lambda p: _unanswer(p, answers))
    except StorageError as err:
        log.error("deletion by voice failed (%s)", err.code or type(err).__name__)
        return turn.close(turn.speech("forget.failed"))
    turn.state.last_answer = None
    if what == "last":
        return turn.close(turn.speech("forget.done_last", name=answers[0].partner_name))
    return turn.close(turn.speech("forget.done_tonight", count=removed))


def _unanswer(profile: Profile, gone: tuple[Answer, ...]) -> Profile:
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


def delete_declined(turn: Turn) -> Response:
    turn.state.deleting, turn.state.to_delete = None, ()
    return turn.close(turn.speech("forget.kept"))


class DeleteAllHandler(Handler):
    """ "Delete all our answers", "forget everything"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteAllIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_to_delete(self.turn(handler_input), "all")


class DeleteLastAnswerHandler(Handler):
    """ "Delete my last answer", "forget what I just said"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteLastAnswerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_to_delete(self.turn(handler_input), "last")


class DeleteTonightHandler(Handler):
    """ "Delete tonight's answers"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteTonightIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_to_delete(self.turn(handler_input), "tonight")
