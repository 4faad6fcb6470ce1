"""Two voices told apart: who is speaking, when Alexa recognises a voice profile.

A request carries `context.System.person.personId` only for a voice Alexa recognises.
Each personId is matched to a partner once ("Is this Maya or Jordan?", or "Is this
Jordan?" when Maya's voice is known) and kept in the profile; from then on answers are
filed under whoever speaks, in any order. A voice the skill does not know is asked once a
session; after that the partners take turns by name, as without voice profiles. A partner
whose voice was enrolled again in the Alexa app says "forget my voice": asked whose, the
stale match is cleared, and the new voice is learned the next time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ask_sdk_model.response import Response

from skill.content import Content
from skill.handlers.onboarding import start_onboarding
from skill.handlers.turn import Turn
from skill.question_order import Tonight, tonight
from skill.records import PARTNERS, Profile
from skill.session import AskingWho, ConfirmingVoice
from skill.speech import Speech


def speaker(turn: Turn, profile: Profile) -> str | None:
    """The partner whose voice this is, when it is a known one."""
    return profile.voices.get(turn.person_id) if turn.person_id else None


def unknown_voice(turn: Turn, profile: Profile) -> bool:
    """A recognised voice not matched to a partner."""
    return turn.person_id is not None and turn.person_id not in profile.voices


def candidate(profile: Profile) -> str | None:
    """With one partner's voice known, the other partner: "Is this Jordan?"."""
    known = set(profile.voices.values())
    missing = [p for p in PARTNERS if p not in known]
    return missing[0] if len(missing) == 1 else None


def learn_voice(person_id: str | None, partner: str) -> Callable[[Profile], Profile]:
    """The change that matches a voice to a partner who has no voice yet.

    A partner's known voice is never replaced by a voice that merely says their name (a
    guest could); a partner enrolled again in the Alexa app says "forget my voice", which
    clears the stale match, and the new voice is learned the next time.
    """

    def change(profile: Profile) -> Profile:
        if not person_id or person_id in profile.voices or partner in profile.voices.values():
            return profile
        return profile.with_changes(voices={**profile.voices, person_id: partner})

    return change


def first_for(partner: str) -> Callable[[Profile, Content, date], Tonight]:
    """Choose tonight's question with `partner` (who just spoke) answering first."""

    def choose(profile: Profile, content: Content, day: date) -> Tonight:
        plan = tonight(profile, content, day)
        current = plan.profile.current
        if plan.status != "new" or current is None:
            return plan
        return plan._replace(profile=plan.profile.with_changes(current=current.first(partner)))

    return choose


def ask_who(
    turn: Turn, profile: Profile, lead: Speech | None = None, held: str | None = None
) -> Response | None:
    """Ask whose voice this is, once a session for each voice (None when this one was asked
    already: the partners then take turns by name); an answer said waits until we know."""
    voice = turn.person_id or ""
    if voice in turn.state.voices_asked:
        return None
    turn.state.voices_asked = (*turn.state.voices_asked, voice)
    speech = lead or Speech()
    other = candidate(profile)
    if other is not None:
        speech.say(turn.line("voices.is_it", name=profile.name(other)))
        return turn.ask(
            speech,
            turn.speech("voices.is_it", name=profile.name(other)),
            ConfirmingVoice(other, held),
        )
    if set(profile.voices.values()) >= set(PARTNERS):  # both known: a guest, or re-enrolled
        speech.say(turn.line("voices.who_guest"))
    else:
        speech.say(turn.line("voices.which", name_a=profile.partner_a, name_b=profile.partner_b))
    return turn.ask(speech, turn.speech("voices.who_reprompt"), AskingWho(held))


def held_answer(turn: Turn) -> str | None:
    awaiting = turn.state.awaiting
    return awaiting.held if isinstance(awaiting, AskingWho | ConfirmingVoice) else None


def purpose(turn: Turn) -> str:
    """Why the skill asked who is speaking: to file what they say, or to forget a voice."""
    awaiting = turn.state.awaiting
    return awaiting.purpose if isinstance(awaiting, AskingWho) else "speak"


def held_on_leaving(turn: Turn) -> Speech | None:
    """They moved on before saying who spoke: the answer held meanwhile is let go, said so."""
    return turn.speech("voices.held_dropped") if held_answer(turn) is not None else None


def forget_voice_said(turn: Turn) -> Speech | None:
    """ "Forget my voice", said in passing: the voice is no longer matched to a name (the
    answers stay). None when the voice is one the skill does not know: then it asks whose
    (`forget_voice_step`)."""
    profile = turn.household.couple()
    if profile is None or turn.person_id is None:
        return turn.speech("voices.no_voice")
    partner = speaker(turn, profile)
    if partner is not None:
        forget_partner_voice(turn, profile, partner)
        return turn.speech("voices.forgotten", name=profile.name(partner))
    if not profile.voices:
        return turn.speech("voices.not_known")
    return None


def forget_voice_step(turn: Turn) -> Response:
    """A voice the skill does not know (enrolled again since) asks to be forgotten: whose
    is it? That partner's stale match is then cleared."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    return turn.ask(
        turn.speech("voices.forget_whose"),
        turn.speech("voices.who_reprompt"),
        AskingWho(purpose="forget"),
    )


def forget_partner_voice(turn: Turn, profile: Profile, partner: str) -> Profile:
    """Forget every voice matched to `partner`, the speaker's own included."""
    return turn.household.change(
        lambda p: p.with_changes(voices={k: v for k, v in p.voices.items() if v != partner})
    )
