"""Who is speaking, answered: a name, "that's me", "no, it's Dani" (skill.handlers.voices
asks). A partner's voice is learned and what they said is filed under them; a guest's
words are never kept."""

from __future__ import annotations

from ask_sdk_model.response import Response

from skill.handlers.answers import take_answer
from skill.handlers.onboarding import start_onboarding
from skill.handlers.safety import danger, safety_exit
from skill.handlers.tonight import after_side_trip, present_tonight
from skill.handlers.turn import Turn
from skill.handlers.voices import (
    first_for,
    forget_partner_voice,
    held_answer,
    learn_voice,
    purpose,
)
from skill.names import check_name
from skill.records import PARTNERS, Profile
from skill.replies import yes_or_no
from skill.session import AskingWho, ConfirmingVoice


def identify(turn: Turn) -> Response:
    """ "Is this Maya or Jordan?" answered with a name (or, in the name slot, a yes or no)."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    spoken = turn.slot("first_name")
    reply = yes_or_no(spoken, turn.content)
    if reply == "yes" and isinstance(turn.state.awaiting, ConfirmingVoice):
        return confirm_voice(turn)
    if reply == "no" and isinstance(turn.state.awaiting, ConfirmingVoice):
        return deny_voice(turn)
    partner = next(
        (p for p in PARTNERS if spoken and profile.name(p).lower() == spoken.lower()), None
    )
    if partner is not None:
        return voice_known(turn, profile, partner)
    check = check_name(spoken, turn.content)
    if check.verdict == "not_a_name" or check.name is None:
        return turn.ask(
            turn.speech("fallback.who_speaks"),
            turn.speech("voices.who_reprompt"),
            AskingWho(held_answer(turn), purpose(turn)),
        )
    return guest(turn, profile, check.name)


def confirm_voice(turn: Turn) -> Response:
    """Yes to "Is this Jordan?" ("that's me", "yes it's me")."""
    profile = turn.household.couple()
    awaiting = turn.state.awaiting
    if profile is None or not isinstance(awaiting, ConfirmingVoice):
        return turn.ask(
            turn.speech("unclear.who_speaks"), turn.speech("voices.who_reprompt"), AskingWho()
        )
    return voice_known(turn, profile, awaiting.partner)


def deny_voice(turn: Turn) -> Response:
    """No to "Is this Jordan?": then who?"""
    return turn.ask(
        turn.speech("voices.who_then"),
        turn.speech("voices.who_reprompt"),
        AskingWho(held_answer(turn)),
    )


def voice_known(turn: Turn, profile: Profile, partner: str) -> Response:
    """We know who is speaking: learn the voice, then file what they said or ask."""
    if purpose(turn) == "forget":
        forget_partner_voice(turn, profile, partner)
        speech = turn.speech("voices.forgotten", name=profile.name(partner))
        return after_side_trip(turn, speech.pause(300))
    learn = learn_voice(turn.person_id, partner)
    learning = learn(profile) != profile
    name = profile.name(partner)
    lead = turn.speech("voices.learned" if learning else "voices.thanks", name=name)
    held = held_answer(turn)
    found = danger(turn, held)  # held before this check existed, or by another path: checked
    if found is not None:
        return safety_exit(turn, found)
    current = profile.current
    if held is not None and current is not None and current.day == turn.day:
        if partner in current.answered:
            if learning:
                turn.household.change(learn)
            return after_side_trip(turn, lead.pause(300))
        # The answer said back names them: the lead does not ("Thanks, Dani. Thanks, Dani").
        unnamed = turn.speech("voices.learned_unnamed").pause(200) if learning else None
        return take_answer(turn, held, partner, also=learn, lead=unnamed)
    if learning:
        profile = turn.household.change(learn)
    return present_tonight(turn, profile, lead.pause(300), choose=first_for(partner))


def guest(turn: Turn, profile: Profile, spoken: str) -> Response:
    """A voice that is neither partner: welcomed, and nothing it said is kept."""
    key = "voices.guest" if held_answer(turn) is not None else "voices.guest_hello"
    lead = turn.speech(key, guest=spoken, name_a=profile.partner_a, name_b=profile.partner_b)
    turn.state.awaiting = None
    return after_side_trip(turn, lead.pause(300))
