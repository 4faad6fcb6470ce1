"""Stages: where the couple is, what a stage means, choosing one and moving between them."""

from __future__ import annotations

import logging

from ask_sdk_model.response import Response

from skill.content import STAGE_COUNT
from skill.handlers.onboarding import names_so_far, start_onboarding
from skill.handlers.tonight import begin_at_stage, offer_question, stage_description
from skill.handlers.turn import Turn
from skill.profile_rules import declined_next_stage
from skill.question_order import change_stage, give_tip, tip_due, valid_stage
from skill.records import Profile
from skill.session import ChoosingStage, ConfirmingStage
from skill.speech import Speech
from skill.store import StorageError

log = logging.getLogger("stagewise")


def confirm_change(
    turn: Turn, profile: Profile, number: int | None, *, next_stage: bool = False
) -> Response:
    """Ask before moving stages; never move without a yes."""
    current = turn.content.stage(profile.stage)
    if next_stage:
        if profile.stage >= STAGE_COUNT:
            return offer_question(turn, turn.speech("stage.last", stage_name=current.name))
        number = profile.stage + 1
    if number is None or not valid_stage(number):  # "which one?": a number comes back
        return turn.ask(turn.speech("stage.out_of_range"), turn.speech("stage.which"))
    if number == profile.stage:
        return offer_question(
            turn, turn.speech("stage.already", number=number, stage_name=current.name)
        )
    target = turn.content.stage(number)
    return turn.ask(
        turn.speech(
            "stage.confirm",
            number=number,
            stage_name=target.name,
            current_number=current.number,
            current_name=current.name,
        ),
        turn.speech("stage.confirm_reprompt", number=number),
        ConfirmingStage(number),
    )


def apply_change(turn: Turn) -> Response:
    """The couple said yes to a stage change."""
    awaiting = turn.state.awaiting
    number = awaiting.target if isinstance(awaiting, ConfirmingStage) else None
    if turn.household.couple() is None or number is None or not valid_stage(number):
        return offer_question(turn, Speech())
    turn.household.change(lambda profile: change_stage(profile, number))
    stage = turn.content.stage(number)  # introduced with its first evening's question
    return offer_question(turn, turn.speech("stage.changed", number=number, stage_name=stage.name))


def keep_stage(turn: Turn) -> Response:
    """The couple said no to a stage change (to the next stage: no more suggestions here)."""
    awaiting = turn.state.awaiting
    target = awaiting.target if isinstance(awaiting, ConfirmingStage) else None
    profile = turn.household.couple()
    if profile is not None and target is not None:
        declined = target
        if declined_next_stage(profile, declined) != profile:
            profile = turn.household.change(lambda p: declined_next_stage(p, declined))
    number = profile.stage if profile else 1
    name = turn.content.stage(number).name
    return offer_question(turn, turn.speech("stage.stay", number=number, stage_name=name))


def start_at_stage_one(turn: Turn) -> Response:
    """Yes to "shall we start at stage one?" during onboarding."""
    names = names_so_far(turn)
    if len(names) != 2:
        return start_onboarding(turn)
    return begin_at_stage(turn, names, 1)


def which_stage(turn: Turn) -> Response:
    """No to starting at stage one: ask which."""
    return turn.ask(
        turn.speech("stage.which"), turn.speech("stage.which"), ChoosingStage(names_so_far(turn))
    )


def choose_first_stage(turn: Turn) -> Response:
    """A stage number while onboarding asks where to start."""
    names = names_so_far(turn)
    if len(names) != 2:
        return start_onboarding(turn)
    number = turn.number("stage_number")
    if number is None or not valid_stage(number):
        if turn.slot("stage_number") is None and turn.intent == "ChangeStageIntent":
            number = 1  # "the next stage" before any: the first
        else:
            return turn.ask(
                turn.speech("stage.out_of_range"),
                turn.speech("onboarding.offer_stage_reprompt"),
                ChoosingStage(names),
            )
    return begin_at_stage(turn, names, number)


def stage_info(turn: Turn) -> Speech | None:
    """ "What stage are we in", "tell me about stage four": said in passing (the moment, if
    any, asks its question again afterwards)."""
    number = turn.number("stage_number")
    if turn.slot("stage_number") is not None and (number is None or not valid_stage(number)):
        return turn.speech("stage.range")
    if number is not None:
        stage = turn.content.stage(number)
        speech = turn.speech("stage.about", number=number, stage_name=stage.name)
        return speech.extend(stage_description(turn, number))
    profile = turn.household.couple()
    if profile is None:
        return overview(turn)
    stage = turn.content.stage(profile.stage)
    speech = turn.speech("stage.current", number=stage.number, stage_name=stage.name)
    speech.say(stage.summary)
    if tip_due(profile, turn.day):  # the week's tip, if none was said in seven evenings
        try:  # said only once it is recorded, so no other path says it again this week
            _, tip = turn.household.update(lambda p: give_tip(p, turn.content, turn.day))
        except StorageError as err:
            log.warning("tip not recorded (%s): not said", err.code or type(err).__name__)
            tip = None
        if tip:
            speech.say(turn.line("question.tip_intro"), tip)
    return speech.say(turn.line("stage.more_hint"))


def stage_more(turn: Turn) -> Speech | None:
    """ "Tell me more about this stage": the couple's stage described in full (its
    narration clip when one is published); the six stages for a couple not met yet."""
    profile = turn.household.couple()
    if profile is None:
        return overview(turn)
    stage = turn.content.stage(profile.stage)
    speech = turn.speech("stage.about", number=stage.number, stage_name=stage.name)
    return speech.extend(stage_description(turn, stage.number))


def overview(turn: Turn) -> Speech:
    """The six stages by number and name."""
    names = ", ".join(f"{s.number}, {s.name}" for s in turn.content.stages)
    return turn.speech("stage.overview", stages=names)


def move_stage(turn: Turn) -> Response:
    """ "Move to the next stage", "go to stage three": always confirmed first."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    said_number = turn.slot("stage_number") is not None
    return confirm_change(turn, profile, turn.number("stage_number"), next_stage=not said_number)


def choose_stage(turn: Turn) -> Response:
    """A stage number outside onboarding: a stage change, confirmed first."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    return confirm_change(turn, profile, turn.number("stage_number"))
