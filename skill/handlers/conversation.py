"""The conversation's glue: yes and no, repeat, help, stop, fallback, session end.

What yes, no, help and a miss mean depends on the moment; skill.handlers.moments says.
"""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, is_intent_name, is_request_type
from ask_sdk_model.response import Response

from skill.content import supports_locale
from skill.handlers.moments import ask_again, on_no, on_yes
from skill.handlers.onboarding import keep_first_name
from skill.handlers.tonight import restate, stop
from skill.handlers.turn import Handler, request_type
from skill.session import Moment

log = logging.getLogger("stagewise")


class UnsupportedLocaleHandler(Handler):
    """Stagewise speaks English only; say so kindly instead of failing."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if request_type(handler_input) not in ("LaunchRequest", "IntentRequest"):
            return False
        return not supports_locale(str(get_locale(handler_input) or ""))

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return turn.close(turn.speech("error.locale"))


class YesHandler(Handler):
    """Yes to whatever the last prompt offered."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return on_yes(self.turn(handler_input))


class NoHandler(Handler):
    """No to whatever the last prompt offered."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return on_no(self.turn(handler_input))


class RepeatHandler(Handler):
    """Tonight's question again (and whose turn) while it is open; else the last thing said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        if turn.state.moment == Moment.ANSWER:
            restated = restate(turn)
            if restated is not None:
                return restated
        if turn.state.last_speech:
            return turn.replay()
        return ask_again(turn, "help")


class HelpHandler(Handler):
    """Explain what fits the moment, then ask."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_again(self.turn(handler_input), "help")


class StopHandler(Handler):
    """Stop, cancel and home."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(
            is_intent_name(name)(handler_input)
            for name in ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return stop(self.turn(handler_input))


class SessionEndedHandler(Handler):
    """Alexa closed the session: nothing may be said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        error = getattr(handler_input.request_envelope.request, "error", None)
        if error is not None:  # Alexa rejected one of our responses: the operator must know
            log.warning("session ended by an Alexa error: %s", getattr(error, "object_type", error))
        turn = self.turn(handler_input)
        if turn.state.moment == Moment.NAME:  # they walked away after one name: keep it
            keep_first_name(turn)
        return handler_input.response_builder.response


class FallbackHandler(Handler):
    """AMAZON.FallbackIntent and any intent we don't know: help in context, never an error."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_again(self.turn(handler_input), "fallback")
