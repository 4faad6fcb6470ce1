"""Names: meeting a couple ("Sam", "we're Sam and Alex"), renaming them later, and a lone
first name said while an answer is awaited (which is an answer: "Hope", "Grace")."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.answers import answer_step
from skill.handlers.onboarding import ask_start_stage, clean_name
from skill.handlers.tonight import offer_question, restate
from skill.handlers.turn import Handler, Turn
from skill.session import Moment


class NamesHandler(Handler):
    """Hears one or both first names."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("NamesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        first, second = turn.slot("first_name"), turn.slot("second_name")
        heard = [name for name in map(clean_name, (first, second)) if name]
        if turn.household.couple() is None:
            return meet(turn, heard)
        if turn.state.moment == Moment.ANSWER and first and not second:
            return answer_step(turn, first)
        return rename(turn, heard)


def meet(turn: Turn, heard: list[str]) -> Response:
    """Onboarding: collect two first names, then offer where to start."""
    if not heard:
        return turn.ask(
            turn.speech("onboarding.name_missed"),
            turn.speech("onboarding.ask_first_name"),
            Moment.NAME,
        )
    # A second name completes the pair; two names, or names said later, start it afresh.
    adding = turn.state.moment == Moment.NAME and len(turn.state.names) == 1 and len(heard) == 1
    names = (*turn.state.names, *heard) if adding else tuple(heard)
    turn.state.names = names
    if len(names) == 1:
        return turn.ask(
            turn.speech("onboarding.ask_second_name", name_a=names[0]),
            turn.speech("onboarding.ask_second_name_reprompt"),
            Moment.NAME,
        )
    lead = turn.speech("onboarding.names_heard", name_a=names[0], name_b=names[1])
    return ask_start_stage(turn, lead)


def rename(turn: Turn, heard: list[str]) -> Response:
    """A known couple's new names; the evening goes on where it was."""
    if len(heard) < 2:
        return turn.ask(
            turn.speech("rename.need_both"), turn.speech("rename.need_both"), Moment.RENAME
        )
    first, second = heard
    turn.household.change(lambda p: p.with_changes(partner_a=first, partner_b=second))
    done = turn.speech("rename.done", name_a=first, name_b=second)
    return restate(turn, done.pause(300)) or offer_question(turn, done)
