"""Names: meeting a couple ("Sam", "we're Sam and Alex"), renaming them later, and a lone
first name said while an answer is awaited (which is an answer: "Hope", "Grace")."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.answers import answer_step, take_answer
from skill.handlers.onboarding import ask_start_stage
from skill.handlers.tonight import offer_question, present_tonight, restate
from skill.handlers.turn import Handler, Turn
from skill.handlers.voices import ask_who, candidate, first_for, learn_voice
from skill.names import clean_name
from skill.records import Profile
from skill.session import Moment


class NamesHandler(Handler):
    """Hears one or both first names."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("NamesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        first, second = turn.slot("first_name"), turn.slot("second_name")
        heard = [name for name in map(clean_name, (first, second)) if name]
        if turn.state.moment == Moment.WHO_SPEAKS and turn.household.couple() is not None:
            return identify(turn, heard[0] if heard else None)
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


def identify(turn: Turn, spoken: str | None) -> Response:
    """ "Is this Maya or Jordan?" answered with a name."""
    profile = turn.household.couple()
    assert profile is not None  # checked by the caller
    partner = next(
        (p for p in ("a", "b") if spoken and profile.name(p).lower() == spoken.lower()), None
    )
    if partner is not None:
        return voice_known(turn, profile, partner)
    if spoken is None:
        return ask_who(turn, profile, turn.speech("fallback.who_speaks"), turn.state.held_answer)
    return guest(turn, profile, spoken)


def confirm_voice(turn: Turn) -> Response:
    """Yes to "Is this Jordan?"."""
    profile = turn.household.couple()
    partner = candidate(profile) if profile else None
    if profile is None or partner is None:
        return turn.ask(
            turn.speech("unclear.who_speaks"), turn.speech("voices.who_reprompt"), Moment.WHO_SPEAKS
        )
    return voice_known(turn, profile, partner)


def deny_voice(turn: Turn) -> Response:
    """No to "Is this Jordan?": then who?"""
    return turn.ask(
        turn.speech("voices.who_then"), turn.speech("voices.who_reprompt"), Moment.WHO_SPEAKS
    )


def voice_known(turn: Turn, profile: Profile, partner: str) -> Response:
    """We know who is speaking: learn the voice (if new), then file what they said or ask."""
    learn = learn_voice(turn.person_id, partner)
    learning = learn(profile) != profile
    name = profile.name(partner)
    lead = turn.speech("voices.learned" if learning else "voices.thanks", name=name)
    held, turn.state.held_answer = turn.state.held_answer, None
    current = profile.current
    if held is not None and current is not None and current.day == turn.day:
        if partner in current.answered:
            if learning:
                profile = turn.household.change(learn)
            return restate(turn, lead.pause(300)) or offer_question(turn, lead)
        return take_answer(turn, profile, held, partner, also=learn, lead=lead.pause(200))
    if learning:
        profile = turn.household.change(learn)
    return present_tonight(turn, profile, lead.pause(300), choose=first_for(partner))


def guest(turn: Turn, profile: Profile, spoken: str) -> Response:
    """A voice that is neither partner: welcomed, and nothing it said is kept."""
    held, turn.state.held_answer = turn.state.held_answer, None
    key = "voices.guest" if held is not None else "voices.guest_hello"
    lead = turn.speech(key, guest=spoken, name_a=profile.partner_a, name_b=profile.partner_b)
    return restate(turn, lead.pause(300)) or offer_question(turn, lead)
