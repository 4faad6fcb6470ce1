"""Meeting a new couple: their two first names, then where to start."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.turn import Handler, Turn
from skill.records import Profile, iso
from skill.session import Moment
from skill.speech import Speech

MAX_NAME_CHARS = 40


def clean_name(value: str | None) -> str | None:
    """A spoken first name as we will say it back: trimmed, capitalised, bounded."""
    if not value:
        return None
    name = " ".join(value.split())[:MAX_NAME_CHARS]
    return name[:1].upper() + name[1:] if name else None


def start_onboarding(turn: Turn, intro_key: str = "onboarding.welcome") -> Response:
    """Welcome a new couple and ask for the first name."""
    turn.state.names = ()
    variant = turn.content.choose(intro_key, turn.seed)
    speech = turn.narrated(f"{intro_key}.{variant}", turn.line(intro_key))
    return turn.ask(
        speech.say(turn.line("onboarding.ask_first_name")),
        turn.speech("onboarding.ask_first_name"),
        Moment.NAME,
    )


def ask_start_stage(turn: Turn, lead: Speech) -> Response:
    """Offer stage one, or any stage by number."""
    lead.say(turn.line("onboarding.offer_stage", stage_name=turn.content.stage(1).name))
    return turn.ask(lead, turn.speech("onboarding.offer_stage_reprompt"), Moment.STAGE_CHOICE)


def new_profile(turn: Turn, stage: int) -> Profile:
    """The couple met in this session, at the stage they chose (not stored yet)."""
    first, second = turn.state.names
    turn.state.names = ()
    return Profile(
        household_id=turn.household_id,
        partner_a=first,
        partner_b=second,
        stage=stage,
        created_at=iso(turn.now),
    )


class NamesHandler(Handler):
    """Hears one or both first names, during onboarding or to rename later."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("NamesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        slots = (turn.slot("first_name"), turn.slot("second_name"))
        heard = [name for name in map(clean_name, slots) if name]
        profile = turn.household.profile()
        if profile is not None:
            return self._rename(turn, heard)
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

    def _rename(self, turn: Turn, heard: list[str]) -> Response:
        if len(heard) < 2:
            return turn.ask(turn.speech("rename.need_both"), turn.speech("rename.need_both"))
        first, second = heard
        turn.household.change(lambda p: p.with_changes(partner_a=first, partner_b=second))
        return turn.close(turn.speech("rename.done", name_a=first, name_b=second))
