"""Per-request plumbing: make the Turn before a handler runs, keep the session after."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.response import Response

from skill.handlers.moments import MOMENTS
from skill.handlers.turn import TURN_KEY, Services, Turn
from skill.session import remember_written

# Every slot of each intent a moment elicits: ElicitSlot must name the intent's slots.
INTENT_SLOTS = {"AnswerIntent": ("answer",), "NamesIntent": ("first_name", "second_name")}


class TurnInterceptor(AbstractRequestInterceptor):
    """Reads the request's clock, household, content and session state once."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(self, handler_input: HandlerInput) -> None:
        turn = Turn(handler_input, self.services)
        handler_input.attributes_manager.request_attributes[TURN_KEY] = turn


class SessionInterceptor(AbstractResponseInterceptor):
    """Writes the session state back and, when a moment wants a bare reply, elicits its slot."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        turn = handler_input.attributes_manager.request_attributes.get(TURN_KEY)
        if not isinstance(turn, Turn) or not turn.has_session or response is None:
            return
        attributes = turn.state.to_attributes()
        handler_input.attributes_manager.session_attributes = attributes
        remember_written(attributes)
        moment = turn.state.moment
        elicit = MOMENTS[moment].elicit if moment is not None else None
        if elicit and response.should_end_session is False:
            response.directives = [*(response.directives or []), elicit_directive(*elicit)]


def elicit_directive(intent: str, slot: str) -> ElicitSlotDirective:
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
