"""Stages: where the couple is, what a stage means, choosing one and moving between them."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.content import STAGE_COUNT
from skill.handlers.onboarding import back_to_onboarding, start_onboarding
from skill.handlers.tonight import begin_at_stage, offer_question, restate, stage_description
from skill.handlers.turn import Handler, Turn
from skill.journey import declined_next_stage
from skill.records import Profile
from skill.ritual import change_stage, current_tip, valid_stage
from skill.session import Moment
from skill.speech import Speech


def confirm_change(
    turn: Turn, profile: Profile, number: int | None, *, next_stage: bool = False
) -> Response:
    """Ask before moving stages; never move without a yes."""
    current = turn.content.stage(profile.stage)
    if next_stage:
        if profile.stage >= STAGE_COUNT:
            return offer_question(turn, turn.speech("stage.last", stage_name=current.name))
        number = profile.stage + 1
    if number is None or not valid_stage(number):
        return turn.ask(turn.speech("stage.out_of_range"), turn.speech("stage.which"))
    if number == profile.stage:
        return offer_question(
            turn, turn.speech("stage.already", number=number, stage_name=current.name)
        )
    target = turn.content.stage(number)
    turn.state.target_stage = number
    return turn.ask(
        turn.speech(
            "stage.confirm",
            number=number,
            stage_name=target.name,
            current_number=current.number,
            current_name=current.name,
        ),
        turn.speech("stage.confirm_reprompt", number=number),
        Moment.STAGE_CONFIRM,
    )


def apply_change(turn: Turn) -> Response:
    """The couple said yes to a stage change."""
    number = turn.state.target_stage
    turn.state.target_stage = None
    if turn.household.couple() is None or number is None or not valid_stage(number):
        return offer_question(turn, Speech())
    turn.household.change(lambda profile: change_stage(profile, number))
    stage = turn.content.stage(number)
    return offer_question(
        turn, turn.speech("stage.changed", number=number, stage_name=stage.name).say(stage.summary)
    )


def keep_stage(turn: Turn) -> Response:
    """The couple said no to a stage change (to the next stage: no more suggestions here)."""
    target, turn.state.target_stage = turn.state.target_stage, None
    profile = turn.household.couple()
    if profile is not None and target is not None:
        declined = target
        if declined_next_stage(profile, declined) != profile:
            profile = turn.household.change(lambda p: declined_next_stage(p, declined))
    number = profile.stage if profile else 1
    name = turn.content.stage(number).name
    return offer_question(turn, turn.speech("stage.stay", number=number, stage_name=name))


def back_to_evening(turn: Turn, speech: Speech) -> Response:
    """After a stage question: back to the names, or the open question, or offer it."""
    return (
        back_to_onboarding(turn, speech)
        or (restate(turn, speech) if turn.state.moment == Moment.ANSWER else None)
        or offer_question(turn, speech)
    )


def start_at_stage_one(turn: Turn) -> Response:
    """Yes to "shall we start at stage one?" during onboarding."""
    if len(turn.state.names) != 2:
        return start_onboarding(turn)
    return begin_at_stage(turn, 1)


def which_stage(turn: Turn) -> Response:
    """No to starting at stage one: ask which."""
    return turn.ask(turn.speech("stage.which"), turn.speech("stage.which"), Moment.STAGE_CHOICE)


class StageInfoHandler(Handler):
    """ "What stage are we in", "tell me about stage four"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StageInfoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        number = turn.number("stage_number")
        asked_for_number = turn.slot("stage_number") is not None
        if asked_for_number and (number is None or not valid_stage(number)):
            return turn.ask(turn.speech("stage.out_of_range"), turn.speech("stage.which_info"))
        if number is not None:
            stage = turn.content.stage(number)
            speech = turn.speech("stage.about", number=number, stage_name=stage.name)
            speech.extend(stage_description(turn, number)).pause(400)
            return back_to_evening(turn, speech)
        profile = turn.household.couple()
        if profile is None:
            names = ", ".join(f"{s.number}, {s.name}" for s in turn.content.stages)
            speech = turn.speech("stage.overview", stages=names).pause(400)
            return back_to_onboarding(turn, speech) or offer_question(turn, speech)
        stage = turn.content.stage(profile.stage)
        speech = turn.speech("stage.current", number=stage.number, stage_name=stage.name)
        speech.say(
            stage.summary, turn.line("question.tip_intro"), current_tip(profile, turn.content)
        )
        return back_to_evening(turn, speech.pause(400))


class ChangeStageHandler(Handler):
    """ "Move to the next stage", "go to stage three": always confirmed first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChangeStageIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.household.couple()
        if profile is None:
            return start_onboarding(turn)
        said_number = turn.slot("stage_number") is not None
        number = turn.number("stage_number")
        return confirm_change(turn, profile, number, next_stage=not said_number)


class ChooseStageHandler(Handler):
    """A stage number: the starting stage in onboarding, a stage change afterwards."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChooseStageIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        number = turn.number("stage_number")
        profile = turn.household.couple()
        if profile is not None:
            return confirm_change(turn, profile, number)
        if len(turn.state.names) != 2:
            return start_onboarding(turn)
        if number is None or not valid_stage(number):
            return turn.ask(
                turn.speech("stage.out_of_range"),
                turn.speech("onboarding.offer_stage_reprompt"),
                Moment.STAGE_CHOICE,
            )
        return begin_at_stage(turn, number)
