"""Stages: where the couple is, what a stage means, and moving between stages."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.base import Handler
from skill.handlers.flows import confirm_change, offer_question, stage_description, start_onboarding
from skill.ritual import tip, valid_stage


class StageInfoHandler(Handler):
    """ "What stage are we in", "tell me about stage four"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StageInfoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        number = turn.number("stage_number")
        asked_for_number = turn.slot("stage_number") is not None
        if asked_for_number and not valid_stage(number):
            return turn.ask(turn.speech("stage.out_of_range"), turn.speech("stage.which_info"))
        profile = turn.profile()
        if number is not None:
            stage = turn.content.stage(number)
            speech = turn.speech("stage.about", number=number, stage_name=stage.name)
            speech.extend(stage_description(turn, number))
            return offer_question(turn, speech.pause(400))
        if profile is None:
            names = ", ".join(f"{s.number}, {s.name}" for s in turn.content.stages)
            return offer_question(turn, turn.speech("stage.overview", stages=names))
        stage = turn.content.stage(profile.stage)
        speech = turn.speech("stage.current", number=stage.number, stage_name=stage.name)
        speech.say(stage.summary, turn.line("question.tip_intro"), tip(profile, turn.content))
        return offer_question(turn, speech.pause(400))


class ChangeStageHandler(Handler):
    """ "Move to the next stage", "go to stage three": always confirmed first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChangeStageIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.profile()
        if profile is None:
            return start_onboarding(turn)
        said_number = turn.slot("stage_number") is not None
        number = turn.number("stage_number")
        return confirm_change(turn, profile, number, next_stage=not said_number)
