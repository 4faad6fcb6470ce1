"""Reading back what the couple said: "what did we say last week"."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.base import Handler
from skill.handlers.flows import recap_for


class RecapHandler(Handler):
    """A recap of a period (AMAZON.DATE), or of the past week; works as a one-shot."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("RecapIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return recap_for(turn, turn.slot("period"))
