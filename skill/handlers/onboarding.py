"""Meeting a new couple: the welcome, their first names so far, and where to start.

The steps that hear names live in skill.handlers.names; these are the steps every
feature uses when it meets a couple it does not know yet.
"""

from __future__ import annotations

from ask_sdk_model.response import Response

from skill.handlers.turn import Turn
from skill.records import Profile, iso
from skill.session import AskingName, ChoosingStage, ConfirmingName
from skill.speech import Speech


def start_onboarding(turn: Turn, intro_key: str = "onboarding.welcome") -> Response:
    """Welcome a new couple and ask for a first name (or the second, if one was kept)."""
    profile = turn.household.profile()
    if profile is not None and profile.partner_a and not profile.partner_b:
        # Mid-conversation ("stage two" before the partner's name), "hello again" is odd.
        new = turn.request.new_session
        key = "onboarding.welcome_back_partial" if new else "onboarding.finish_meeting"
        return turn.ask(
            turn.speech(key, name_a=profile.partner_a),
            turn.speech("onboarding.ask_second_name_reprompt"),
            AskingName((profile.partner_a,)),
        )
    variant = turn.variant(turn.wording(intro_key))
    speech = turn.narrated(f"{intro_key}.{variant}", turn.line(intro_key))
    # Said once, when a couple first meets the skill: what it is not, and where to turn.
    speech.pause(300).say(turn.line("onboarding.not_therapy", crisis=turn.line("crisis.number")))
    return turn.ask(
        speech.pause(300).say(turn.line("onboarding.ask_first_name")),
        turn.speech("onboarding.ask_first_name"),
        AskingName(),
    )


def ask_start_stage(turn: Turn, lead: Speech, names: tuple[str, ...]) -> Response:
    """Offer stage one, or any stage by number (the names are kept until a stage is chosen)."""
    lead.say(turn.line("onboarding.offer_stage", stage_name=turn.content.stage(1).name))
    return turn.ask(lead, turn.speech("onboarding.offer_stage_reprompt"), ChoosingStage(names))


def names_so_far(turn: Turn) -> tuple[str, ...]:
    """The first names heard in this session's onboarding (none outside it)."""
    awaiting = turn.state.awaiting
    if isinstance(awaiting, AskingName | ConfirmingName | ChoosingStage):
        return awaiting.names
    return ()


def keep_first_name(turn: Turn, names: tuple[str, ...]) -> Profile | None:
    """They left after one name: keep it, so next time we ask only for the partner's."""
    if len(names) != 1 or turn.household.profile() is not None:
        return None
    first = names[0]
    stored, _ = turn.household.update(
        lambda p: (p.with_changes(partner_a=first), None), base=_profile(turn, first, "", 1)
    )
    return stored


def keep_name_on_leaving(turn: Turn) -> Speech | None:
    """Onboarding left for something else: a first name heard is kept for next time."""
    keep_first_name(turn, names_so_far(turn))
    return None


def stop_onboarding(turn: Turn) -> Response:
    """Stop after one name: it is kept, and they hear so."""
    names = names_so_far(turn)
    if keep_first_name(turn, names) is not None:
        return turn.close(turn.speech("onboarding.kept_name", name_a=names[0]))
    return turn.close(turn.speech("goodbye.general"))


def keep_names_on_leaving(turn: Turn) -> Speech | None:
    """Onboarding left at the stage offer. Both names were greeted, so both are kept, at the
    stage offered (stage one), and the couple hears so; with one name, that one is kept."""
    names = names_so_far(turn)
    if len(names) != 2:
        keep_first_name(turn, names[:1])
        return None
    first, second = names
    turn.household.update(
        lambda p: (p.with_changes(partner_a=first, partner_b=second, stage=1), None),
        base=new_profile(turn, names, 1),
    )
    stage = turn.content.stage(1)
    return turn.speech("onboarding.kept_names", name_a=first, name_b=second, stage_name=stage.name)


def new_profile(turn: Turn, names: tuple[str, ...], stage: int) -> Profile:
    """The couple met in this session, at the stage they chose."""
    first, second = names
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
