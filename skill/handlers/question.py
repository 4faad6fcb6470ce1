"""Tonight's question: launch, asking, the two answers, and skipping."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model.response import Response

from skill.handlers.base import Handler
from skill.handlers.flows import offer_question, present_tonight, start_onboarding, wrap_up
from skill.records import Answer
from skill.ritual import next_question, pass_question, record_answer
from skill.speech import trim_answer


class LaunchHandler(Handler):
    """ "Open Stagewise": onboard a new couple, greet a known one and go to tonight's question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.profile()
        if profile is None:
            return start_onboarding(turn)
        greeting = turn.speech(
            "launch.welcome_back", name_a=profile.partner_a, name_b=profile.partner_b
        )
        return present_tonight(turn, profile, greeting)


class TonightQuestionHandler(Handler):
    """ "Tonight's question", also as a one-shot; a new couple is onboarded first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("TonightQuestionIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.profile()
        if profile is None:
            return start_onboarding(turn, "onboarding.welcome_before_question")
        return present_tonight(turn, profile)


class AnswerHandler(Handler):
    """One partner's spoken answer: stored, then the other partner is asked, then wrap-up."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AnswerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.profile()
        if profile is None:
            return start_onboarding(turn, "onboarding.welcome_before_question")
        current = profile.current
        if current is None or current.day != turn.day or current.pending is None:
            return offer_question(turn, turn.speech("answer.nothing_open"))
        partner = current.pending
        name = profile.name(partner)
        question = turn.content.question(current.question_id)
        question_text = question.text if question else ""
        text = turn.slot("answer")
        if text is None:
            return turn.ask(
                turn.speech("answer.missed", name=name),
                turn.speech("answer.reprompt", name=name, question=question_text),
                awaiting="answer",
            )
        answer = Answer(
            household_id=turn.household_id,
            answered_at=turn.now,
            partner=partner,
            partner_name=name,
            stage=current.stage,
            question_id=current.question_id,
            question_text=question_text,
            text=trim_answer(text),
        )
        profile = turn.save_answer(answer, lambda p: record_answer(p, partner))
        following = profile.current.pending if profile.current else None
        if following is not None:
            other = profile.name(following)
            return turn.ask(
                turn.speech("answer.thanks_first", name=name, other=other),
                turn.speech("answer.reprompt", name=other, question=question_text),
                awaiting="answer",
            )
        return wrap_up(turn, profile, turn.speech("answer.thanks_second", name=name))


class SkipHandler(Handler):
    """ "Another question": a new one if nobody answered yet, else the other partner passes."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SkipIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.profile()
        if profile is None:
            return start_onboarding(turn, "onboarding.welcome_before_question")
        current = profile.current
        if current is None or current.day != turn.day:
            return present_tonight(turn, profile)
        if current.pending is None:
            return turn.close(turn.speech("skip.both_done", "goodbye.general"))
        if current.answered:
            profile = turn.save(pass_question(profile), pass_question)
            name = profile.name(current.pending)
            return wrap_up(turn, profile, turn.speech("skip.partner_passes", name=name))
        return present_tonight(turn, profile, turn.speech("skip.another"), choose=next_question)
