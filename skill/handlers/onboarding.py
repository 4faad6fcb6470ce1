"""Meeting a new couple: the welcome, their first names so far, and where to start.

The handlers that hear names live in skill.handlers.names; these are the steps every
feature uses when it meets a couple it does not know yet.
"""

from __future__ import annotations

from ask_sdk_model.response import Response

from skill.handlers.turn import Turn
from skill.records import Profile, iso
from skill.session import Moment
from skill.speech import Speech


def start_onboarding(turn: Turn, intro_key: str = "onboarding.welcome") -> Response:
    """Welcome a new couple and ask for a first name (or the second, if one was kept)."""
    profile = turn.household.profile()
    if profile is not None and profile.partner_a and not profile.partner_b:
        turn.state.names = (profile.partner_a,)
        return turn.ask(
            turn.speech("onboarding.welcome_back_partial", name_a=profile.partner_a),
            turn.speech("onboarding.ask_second_name_reprompt"),
            Moment.NAME,
        )
    turn.state.names = ()
    variant = turn.content.choose(intro_key, rotation=turn.rotation)
    speech = turn.narrated(f"{intro_key}.{variant}", turn.line(intro_key))
    return turn.ask(
        speech.pause(300).say(turn.line("onboarding.ask_first_name")),
        turn.speech("onboarding.ask_first_name"),
        Moment.NAME,
    )


def ask_start_stage(turn: Turn, lead: Speech) -> Response:
    """Offer stage one, or any stage by number."""
    lead.say(turn.line("onboarding.offer_stage", stage_name=turn.content.stage(1).name))
    return turn.ask(lead, turn.speech("onboarding.offer_stage_reprompt"), Moment.STAGE_CHOICE)


def back_to_onboarding(turn: Turn, lead: Speech) -> Response | None:
    """After a side trip (a stage question, help) while names are being asked: ask again."""
    names = turn.state.names
    if len(names) == 2:
        return ask_start_stage(turn, lead)
    if len(names) == 1:
        lead.say(turn.line("onboarding.ask_second_name_reprompt"))
        return turn.ask(lead, turn.speech("onboarding.ask_second_name_reprompt"), Moment.NAME)
    if turn.state.moment == Moment.NAME:
        lead.say(turn.line("onboarding.ask_first_name"))
        return turn.ask(lead, turn.speech("onboarding.ask_first_name"), Moment.NAME)
    return None


def keep_first_name(turn: Turn) -> Profile | None:
    """They stopped after one name: keep it, so next time we ask only for the partner's."""
    names = turn.state.names
    if len(names) != 1 or turn.household.profile() is not None:
        return None
    first = names[0]
    stored, _ = turn.household.update(
        lambda p: (p.with_changes(partner_a=first), None), base=_profile(turn, first, "", 1)
    )
    return stored


def new_profile(turn: Turn, stage: int) -> Profile:
    """The couple met in this session, at the stage they chose."""
    first, second = turn.state.names
    turn.state.names = ()
    kept = turn.household.profile()
    if kept is not None:  # a first name kept from an earlier session
        return kept.with_changes(partner_a=first, partner_b=second, stage=stage)
    return _profile(turn, first, second, stage)


def _profile(turn: Turn, first: str, second: str, stage: int) -> Profile:
    return Profile(
        household_id=turn.household_id,
        partner_a=first,
        partner_b=second,
        stage=stage,
        created_at=iso(turn.now),
    )
