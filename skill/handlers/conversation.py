"""The conversation's glue: yes and no, repeat, help, stop, fallback, session end."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, is_intent_name, is_request_type
from ask_sdk_model.response import Response

from skill.content import supports_locale
from skill.handlers.base import Handler, Turn, request_type
from skill.handlers.flows import (
    apply_change,
    begin_at_stage,
    continue_recap,
    offer_question,
    present_tonight,
    recap_today,
    start_onboarding,
)

log = logging.getLogger("stagewise")

# The question each yes-or-no state asked, to ask again after help or a miss.
YES_NO_QUESTIONS = {
    "question_offer": "offer.question",
    "recap_more": "recap.more",
    "recap_today": "question.both_done_reprompt",
    "stage_confirm": "stage.confirm_reprompt",
}


def pending_name(turn: Turn) -> str:
    """Whose answer we are waiting for (only called while an answer is awaited)."""
    profile = turn.state.profile
    current = profile.current if profile else None
    if profile and current and current.pending:
        return profile.name(current.pending)
    return ""


def ask_again(turn: Turn, key: str) -> Response:
    """Explain what we are waiting for, and ask for it again."""
    awaiting = turn.state.awaiting
    if awaiting == "answer":
        name = pending_name(turn)
        return turn.ask(
            turn.speech(f"{key}.answer", name=name),
            turn.speech("answer.how", name=name),
            awaiting="answer",
        )
    if awaiting == "name":
        return turn.ask(
            turn.speech(f"{key}.name"), turn.speech("onboarding.ask_first_name"), awaiting="name"
        )
    if awaiting == "stage_choice":
        return turn.ask(
            turn.speech(f"{key}.stage_choice"),
            turn.speech("onboarding.offer_stage_reprompt"),
            awaiting="stage_choice",
        )
    if awaiting in YES_NO_QUESTIONS:
        # Explain, then ask the same yes-or-no question again.
        question = turn.speech(YES_NO_QUESTIONS[awaiting], number=turn.state.target_stage or "")
        speech = turn.speech(f"{key}.yes_no").extend(question)
        return turn.ask(speech, question, awaiting=awaiting)
    return turn.ask(turn.speech(f"{key}.general"), turn.speech("help.reprompt"))


class UnsupportedLocaleHandler(Handler):
    """Stagewise speaks English only; say so kindly instead of failing."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_request_type("SessionEndedRequest")(handler_input):
            return False
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
        turn = self.turn(handler_input)
        awaiting = turn.state.awaiting
        if awaiting == "stage_choice" and len(turn.state.names) == 2:
            return begin_at_stage(turn, 1)
        if awaiting == "recap_more":
            return continue_recap(turn)
        if awaiting == "recap_today":
            return recap_today(turn)
        profile = turn.profile()
        if awaiting == "stage_confirm" and profile is not None:
            return apply_change(turn, profile)
        if awaiting == "question_offer":
            if profile is None:
                return start_onboarding(turn, "onboarding.welcome_before_question")
            return present_tonight(turn, profile)
        return ask_again(turn, "unclear")


class NoHandler(Handler):
    """No to whatever the last prompt offered."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        awaiting = turn.state.awaiting
        if awaiting == "stage_choice":
            return turn.ask(
                turn.speech("stage.which"), turn.speech("stage.which"), awaiting="stage_choice"
            )
        if awaiting == "stage_confirm":
            turn.state.target_stage = None
            profile = turn.profile()
            number = profile.stage if profile else 1
            name = turn.content.stage(number).name
            return offer_question(turn, turn.speech("stage.stay", number=number, stage_name=name))
        if awaiting in ("answer", "name"):
            return ask_again(turn, "unclear")
        return turn.close(turn.speech("goodbye.general"))


class RepeatHandler(Handler):
    """Say the last thing again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        if turn.state.last_speech:
            return turn.replay()
        return turn.ask(turn.speech("help.general"), turn.speech("help.reprompt"))


class HelpHandler(Handler):
    """Explain what fits the moment, then ask."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_again(self.turn(handler_input), "help")


class StopHandler(Handler):
    """Stop, cancel and home: close warmly; a half-answered question waits for later today."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(
            is_intent_name(name)(handler_input)
            for name in ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.state.profile
        current = profile.current if profile else None
        if (
            profile
            and current
            and current.answered
            and current.pending
            and turn.state.awaiting == "answer"
        ):
            speech = turn.speech(
                "goodbye.answer_saved",
                name=profile.name(current.answered[0]),
                other=profile.name(current.pending),
            )
            return turn.close(speech)
        return turn.close(turn.speech("goodbye.general"))


class SessionEndedHandler(Handler):
    """Alexa closed the session: nothing may be said."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        error = getattr(handler_input.request_envelope.request, "error", None)
        if error is not None:  # Alexa rejected one of our responses: the operator must know
            log.warning("session ended by an Alexa error: %s", getattr(error, "object_type", error))
        return handler_input.response_builder.response


class FallbackHandler(Handler):
    """AMAZON.FallbackIntent and any intent we don't know: help in context, never an error."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_again(self.turn(handler_input), "fallback")
