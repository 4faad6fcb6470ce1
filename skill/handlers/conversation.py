"""The conversation's glue with no moment open: help, repeat, a miss, stop, session end.

Within a moment these mean what its row says (skill.handlers.moments); these steps are
what they mean otherwise.
"""

from __future__ import annotations

import logging

from ask_sdk_model import Intent, IntentConfirmationStatus, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.response import Response

from skill.handlers.moments import ask_again
from skill.handlers.onboarding import keep_first_name, keep_names_on_leaving
from skill.handlers.tonight import restate, stop_evening
from skill.handlers.turn import Turn
from skill.session import AskingName, ChoosingStage

log = logging.getLogger("stagewise")

# Every slot of each intent a moment elicits: ElicitSlot must name the intent's slots.
INTENT_SLOTS = {"AnswerIntent": ("answer",), "NamesIntent": ("first_name", "second_name")}


def unclear(turn: Turn) -> Response:
    """A yes or no that means nothing here."""
    return ask_again(turn, "unclear")


def goodbye(turn: Turn) -> Response:
    return turn.close(turn.speech("goodbye.general"))


def help_step(turn: Turn) -> Response:
    return ask_again(turn, "help")


def fallback(turn: Turn) -> Response:
    """AMAZON.FallbackIntent and any intent we don't know: help in context, never an error."""
    return ask_again(turn, "fallback")


def repeat(turn: Turn) -> Response:
    """Tonight's open question again (and whose turn), else what can be said here."""
    return restate(turn) or ask_again(turn, "help")


def stop(turn: Turn) -> Response:
    """Stop, cancel and home: close warmly, saying what waits for next time."""
    return stop_evening(turn)


def session_ended(turn: Turn) -> Response:
    """Alexa closed the session: nothing may be said. A first name heard is kept; both names,
    once greeted at the stage offer, are kept at stage one (as when they leave it for
    something else), so the couple is welcomed back, not asked their names again."""
    error = getattr(turn.request.sdk, "error", None)
    if error is not None:  # Alexa rejected one of our responses: the operator must know
        log.warning("session ended by an Alexa error: %s", getattr(error, "object_type", error))
    if isinstance(turn.state.awaiting, AskingName):  # they walked away after one name
        keep_first_name(turn, turn.state.awaiting.names)
    elif isinstance(turn.state.awaiting, ChoosingStage):  # they walked away at the offer
        keep_names_on_leaving(turn)
    turn.state.awaiting = None
    return turn.empty()


def elicit(intent: str, slot: str) -> ElicitSlotDirective:
    """Ask Alexa to listen for a bare slot value (an answer, a name) as this intent."""
    slots = {
        name: Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE)
        for name in INTENT_SLOTS[intent]
    }
    return ElicitSlotDirective(
        updated_intent=Intent(
            name=intent, slots=slots, confirmation_status=IntentConfirmationStatus.NONE
        ),
        slot_to_elicit=slot,
    )
