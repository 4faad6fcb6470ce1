"""Two voices told apart: who is speaking, when Alexa recognises a voice profile.

A request carries `context.System.person.personId` only for a voice Alexa recognises.
Each personId is matched to a partner once ("Is this Maya or Jordan?") and kept in the
profile; from then on answers are filed under whoever speaks, in any order. A voice that
is not matched while both partners are (a guest, a child) is asked who it is, and its
answer is never filed under a partner on a guess. Without voice profiles nothing here
applies: the partners take turns by name.

The steps that continue after a name is heard live in skill.handlers.names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.content import Content
from skill.handlers.turn import Handler, Turn
from skill.records import PARTNERS, Profile
from skill.ritual import Tonight, tonight
from skill.session import Moment
from skill.speech import Speech


def speaker(turn: Turn, profile: Profile) -> str | None:
    """The partner whose voice this is, when it is a known one."""
    return profile.voices.get(turn.person_id) if turn.person_id else None


def unknown_voice(turn: Turn, profile: Profile) -> bool:
    """A recognised voice not matched to a partner yet (nor to be matched on a guess)."""
    return turn.person_id is not None and turn.person_id not in profile.voices


def still_learning(profile: Profile) -> bool:
    """At least one partner's voice is not known yet: a new voice is probably theirs."""
    return len(set(profile.voices.values())) < len(PARTNERS)


def candidate(profile: Profile) -> str | None:
    """With one partner's voice known, the other partner: "Is this Jordan?"."""
    known = set(profile.voices.values())
    missing = [p for p in PARTNERS if p not in known]
    return missing[0] if len(missing) == 1 else None


def learn_voice(person_id: str | None, partner: str) -> Callable[[Profile], Profile]:
    """The change that matches a voice to a partner, if that partner has no voice yet."""

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
        return replace(plan, profile=plan.profile.with_changes(current=current.first(partner)))

    return choose


def ask_who(
    turn: Turn, profile: Profile, lead: Speech | None = None, held: str | None = None
) -> Response:
    """Ask whose voice this is; an answer already said waits until we know."""
    turn.state.held_answer = held
    speech = lead or Speech()
    other = candidate(profile)
    if not still_learning(profile):
        speech.say(turn.line("voices.who_guest"))
    elif other is not None:
        speech.say(turn.line("voices.is_it", name=profile.name(other)))
    else:
        speech.say(turn.line("voices.which", name_a=profile.partner_a, name_b=profile.partner_b))
    return turn.ask(speech, turn.speech("voices.who_reprompt"), Moment.WHO_SPEAKS)


def forget_voice(turn: Turn) -> Speech:
    """ "Forget my voice": the voice is no longer matched to a name (the answers stay)."""
    profile = turn.household.couple()
    person_id = turn.person_id
    partner = speaker(turn, profile) if profile else None
    if profile is None or person_id is None:
        return turn.speech("voices.no_voice")
    if partner is None:
        return turn.speech("voices.not_known")
    turn.household.change(
        lambda p: p.with_changes(voices={k: v for k, v in p.voices.items() if k != person_id})
    )
    return turn.speech("voices.forgotten", name=profile.name(partner))


class ForgetVoiceHandler(Handler):
    """ "Forget my voice", as a one-shot or in a session."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ForgetVoiceIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return turn.close(forget_voice(turn).say(turn.line("goodbye.general")))
