"""Meeting a new couple: their two first names, then where to start."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.base import Handler, Turn
from skill.handlers.flows import (
    ask_start_stage,
    begin_at_stage,
    clean_name,
    confirm_change,
    start_onboarding,
)
from skill.records import Profile
from skill.ritual import valid_stage


class NamesHandler(Handler):
    """Hears one or both first names, during onboarding or to rename later."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("NamesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        slots = (turn.slot("first_name"), turn.slot("second_name"))
        heard = [name for name in map(clean_name, slots) if name]
        profile = turn.profile()
        if profile is not None:
            return self._rename(turn, profile, heard)
        if not heard:
            return turn.ask(
                turn.speech("onboarding.name_missed"),
                turn.speech("onboarding.ask_first_name"),
                awaiting="name",
            )
        # A second name completes the pair; two names, or names said later, start it afresh.
        adding = turn.state.awaiting == "name" and len(turn.state.names) == 1 and len(heard) == 1
        names = (*turn.state.names, *heard) if adding else tuple(heard)
        turn.state.names = names
        if len(names) == 1:
            return turn.ask(
                turn.speech("onboarding.ask_second_name", name_a=names[0]),
                turn.speech("onboarding.ask_second_name_reprompt"),
                awaiting="name",
            )
        lead = turn.speech("onboarding.names_heard", name_a=names[0], name_b=names[1])
        return ask_start_stage(turn, lead)

    def _rename(self, turn: Turn, profile: Profile, heard: list[str]) -> Response:
        if len(heard) < 2:
            return turn.ask(turn.speech("rename.need_both"), turn.speech("rename.need_both"))
        first, second = heard
        turn.save(
            profile.with_changes(partner_a=first, partner_b=second),
            lambda fresh: fresh.with_changes(partner_a=first, partner_b=second),
        )
        return turn.close(turn.speech("rename.done", name_a=first, name_b=second))


class ChooseStageHandler(Handler):
    """A stage number: the starting stage in onboarding, a stage change afterwards."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChooseStageIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        number = turn.number("stage_number")
        profile = turn.profile()
        if profile is not None:
            return confirm_change(turn, profile, number)
        if len(turn.state.names) != 2:
            return start_onboarding(turn)
        if not valid_stage(number):
            return turn.ask(
                turn.speech("stage.out_of_range"),
                turn.speech("onboarding.offer_stage_reprompt"),
                awaiting="stage_choice",
            )
        assert number is not None
        return begin_at_stage(turn, number)
