"""Deleting by voice: everything, the last answer, or tonight's answers; confirmed first,
told truthfully afterwards. Everything includes the weekly reminder at Alexa, or the couple
hear that it may remain and where to remove it. (Disabling the skill deletes everything
too: events.py.)"""

from __future__ import annotations

import logging

from ask_sdk_model.response import Response

from skill.handlers.deletion import delete_everything
from skill.handlers.onboarding import start_onboarding
from skill.handlers.turn import Turn
from skill.handlers.voices import speaker
from skill.profile_rules import unanswer
from skill.records import Answer
from skill.session import ConfirmingDelete
from skill.speech import READBACK_WORDS, Speech, shorten
from skill.store import StorageError

log = logging.getLogger("stagewise")
TONIGHT_MOST = 8  # answers a night can hold, corrections included


def delete_all(turn: Turn) -> Response:
    """ "Delete all our answers", "forget everything"."""
    return ask_to_delete(turn, "all")


def delete_last(turn: Turn) -> Response:
    """ "Delete my last answer": the speaker's own by voice, else tonight's latest."""
    return ask_to_delete(turn, "last")


def delete_tonight(turn: Turn) -> Response:
    """ "Delete tonight's answers"."""
    return ask_to_delete(turn, "tonight")


def ask_to_delete(turn: Turn, what: str) -> Response:
    """Say exactly what would go, and ask for a yes."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    if what == "all":
        return _confirm(turn, turn.speech("forget.confirm_all"), ConfirmingDelete("all"))
    found = _tonight(turn)
    if what == "last":
        mine = speaker(turn, profile)
        if mine is not None:  # a recognised voice deletes only its own answer
            found = [a for a in found if a.partner == mine]
        last = turn.state.last_answer
        if last is None or all(last.request_id != a.request_id for a in found):
            last = found[0] if found else None
        if last is None:
            return turn.close(turn.speech("forget.nothing_tonight"))
        short, _ = shorten(last.text, READBACK_WORDS)
        name = profile.name(last.partner)
        return _confirm(
            turn,
            turn.speech("forget.confirm_last", name=name, answer=short),
            ConfirmingDelete("last", (last,)),
        )
    if not found:
        return turn.close(turn.speech("forget.nothing_tonight"))
    return _confirm(
        turn,
        turn.speech("forget.confirm_tonight", count=len(found)),
        ConfirmingDelete("tonight", tuple(found)),
    )


def _confirm(turn: Turn, speech: Speech, awaiting: ConfirmingDelete) -> Response:
    return turn.ask(speech, turn.speech("forget.confirm_reprompt"), awaiting)


def _tonight(turn: Turn) -> list[Answer]:
    """Tonight's stored answers, newest first (one consistent query: one may be just written)."""
    start = turn.evening_start(turn.day)  # the couple's own evening, from 4 am local
    return turn.services.store.answers(
        turn.household_id, start=start, until=turn.now, limit=TONIGHT_MOST, consistent=True
    )


def delete_confirmed(turn: Turn) -> Response:
    """Yes: delete, verify, and say what went (or, truthfully, that it did not)."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, ConfirmingDelete):
        return turn.close(turn.speech("forget.kept"))
    what, answers = awaiting.what, awaiting.answers
    try:
        if what == "all":  # in steps that fit in a turn: skill.handlers.deletion
            return delete_everything(turn)
        if not answers:
            return turn.close(turn.speech("forget.nothing_tonight"))
        profile = turn.household.couple()
        if profile is None:
            return turn.close(turn.speech("forget.nothing_tonight"))
        _, removed = turn.household.delete_answers(answers, lambda p: unanswer(p, answers))
    except StorageError as err:
        log.error("deletion by voice failed (%s)", err.code or type(err).__name__)
        return turn.close(turn.speech("forget.failed"))
    turn.state.last_answer = None
    if what == "last":
        return turn.close(turn.speech("forget.done_last", name=answers[0].partner_name))
    return turn.close(turn.speech("forget.done_tonight", count=removed))


def delete_declined(turn: Turn) -> Response:
    return turn.close(turn.speech("forget.kept"))
