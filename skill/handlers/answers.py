"""The two answers: each one stored, said back, and fixable; anything else is acted on.

While an answer is awaited, Alexa hands over almost anything as the answer. What is not
an answer ("wait", "what was the question", "Alex goes first", "delete our answers") is
recognised (skill.not_answers) and handled as the intent it is, never stored. What is
said back is what was stored: the answer is filed under the partner whose turn the
stored evening says it is, decided in the write itself (skill.handlers.saving).
Corrections are skill.handlers.corrections; what follows an answer, after_answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ask_sdk_model.response import Response

from skill.handlers.names import rename_heard
from skill.handlers.onboarding import start_onboarding
from skill.handlers.safety import danger, safety_exit
from skill.handlers.saving import store_answer
from skill.handlers.tonight import after_side_trip, offer_question, restate
from skill.handlers.turn import Turn
from skill.handlers.voices import ask_who, learn_voice, speaker, unknown_voice
from skill.names import check_name
from skill.records import PARTNERS, Answer, Profile
from skill.session import Answering, Correcting
from skill.speech import Speech, trim_answer

if TYPE_CHECKING:  # imported where it is used: see not_an_answer
    from skill.not_answers import Heard


def not_an_answer(turn: Turn, text: str, profile: Profile) -> Heard | None:
    """What the words ask for instead of being an answer (skill.not_answers), if anything."""
    # Imported by the first answer a container hears: a cold start that is a launch, the
    # usual one, does without its patterns (about 1.4 ms, issue 21).
    from skill.not_answers import recognise

    return recognise(text, (profile.partner_a, profile.partner_b), turn.content)


def answer_step(turn: Turn) -> Response:
    """AnswerIntent: the awaited answer, or what the words really ask for."""
    turn.may_refresh_zone = True  # an answer is a write: a fresh zone is stored with it
    profile = turn.household.couple()
    text = turn.slot("answer")
    found = danger(turn, text)  # before anything is stored, said back or even recognised
    if found is not None:
        return safety_exit(turn, found)
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    if text is not None:
        heard = not_an_answer(turn, text, profile)
        if heard is not None:
            return instead(turn, heard)
    return file_answer(turn, profile, text)


def file_answer(turn: Turn, profile: Profile, text: str | None) -> Response:
    """The words as the answer of the partner whose turn it is (checked for danger and
    for what else they may ask before)."""
    current = profile.current
    if current is None or current.day != turn.day or current.pending is None:
        return offer_question(turn, turn.speech("answer.nothing_open"))
    if text is None:
        return listening(turn, profile, "answer.missed")
    if turn.person_id is not None:  # a recognised voice: file by voice
        if unknown_voice(turn, profile):
            asked = ask_who(turn, profile, held=text)
            if asked is not None:
                return asked
        partner = speaker(turn, profile)
        if partner is not None and partner in current.answered:
            return already_answered(turn, profile, partner)
        return take_answer(turn, text, partner)
    return take_answer(turn, text)


def instead(turn: Turn, heard: Heard) -> Response:
    """What the words asked for instead of an answer, routed in this moment; names said in
    a sentence ("we're Jo and Zara") are a rename (confirmed first), never answer words."""
    if heard.intent == "NamesIntent":
        turn.state.awaiting = None
        return rename_heard(turn, [check_name(v, turn.content) for v in heard.slots.values()])
    return turn.redirect(heard.intent, dict(heard.slots))


def take_time(turn: Turn) -> Response:
    """ "Let me think": no rush; the same answer (or correction) is still awaited."""
    profile = turn.household.couple()
    current = profile.current if profile else None
    if profile is None or current is None or current.day != turn.day:
        return offer_question(turn, Speech())
    awaiting = turn.state.awaiting
    if isinstance(awaiting, Correcting):
        name = profile.name(awaiting.answer.partner)
        return turn.ask(
            turn.speech("answer.take_time", name=name),
            turn.speech("answer.how", name=name),
            awaiting,
        )
    if current.pending is None:
        return after_side_trip(turn, Speech())
    return listening(turn, profile, "answer.take_time")


def goes_first(turn: Turn) -> Response:
    """ "Jordan goes first": that partner answers next, unless they already have."""
    profile = turn.household.couple()
    spoken = turn.slot("name") or ""
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    current = profile.current
    partner = next((p for p in PARTNERS if profile.name(p).lower() == spoken.lower()), None)
    if not spoken and current is not None and current.pending is not None:
        # "You go first", "me first" without a name: the partner whose turn it is not
        # (said by the one asked, it hands the turn over; by the other, it takes it).
        partner = next((p for p in current.order if p != current.pending), None)
        partner = partner if partner not in current.answered else None
    if current is None or current.day != turn.day or partner is None:
        return restate(turn) or offer_question(turn, Speech())
    name = profile.name(partner)
    if partner in current.answered:
        return already_answered(turn, profile, partner)
    learn = learn_voice(turn.person_id, partner)  # "me first, I'm Jordan" said by a new voice
    if current.pending != partner or learn(profile) != profile:
        profile = turn.household.change(
            lambda p: learn(p).with_changes(current=p.current.first(partner)) if p.current else p
        )
    return turn.ask(
        turn.speech("answer.goes_first", name=name),
        turn.speech("answer.how", name=name),
        Answering(),
    )


def reminder_later(turn: Turn) -> Response:
    """A reminder asked for mid-question: tonight's answer first."""
    profile = turn.household.couple()
    current = profile.current if profile else None
    if profile is None or current is None or current.pending is None:
        return after_side_trip(turn, Speech())
    name = profile.name(current.pending)
    return turn.ask(
        turn.speech("answer.no_reminders", name=name),
        turn.speech("answer.how", name=name),
        Answering(),
    )


def already_answered(turn: Turn, profile: Profile, partner: str) -> Response:
    """ "Maya, I have yours. Jordan?": nothing stored twice."""
    current = profile.current
    other = profile.name(current.pending) if current and current.pending else ""
    return turn.ask(
        turn.speech("answer.already_answered", name=profile.name(partner), other=other),
        turn.speech("answer.how", name=other),
        Answering(),
    )


def listening(turn: Turn, profile: Profile, key: str) -> Response:
    """Say a line to whoever's turn it is, and keep listening for their answer."""
    current = profile.current
    name = profile.name(current.pending) if current and current.pending else ""
    question = turn.content.question(current.question_id) if current else None
    return turn.ask(
        turn.speech(key, name=name),
        turn.speech("answer.reprompt", name=name, question=question.text if question else ""),
        Answering(),
    )


def take_answer(
    turn: Turn,
    text: str,
    partner: str | None = None,
    also: Callable[[Profile], Profile] | None = None,
    lead: Speech | None = None,
) -> Response:
    """Store the awaited answer, say it back, then ask the other partner.

    `partner`: whose answer it is when known by voice (else whoever's turn the stored
    evening says it is); `also`: a profile change written with it (a voice just learned).
    """
    words = trim_answer(text)

    def answer_for(profile: Profile) -> Answer:
        current = profile.current
        if current is None:
            raise LookupError("no question is open tonight")
        whose = partner or current.pending
        if whose is None:
            raise LookupError("both partners have answered tonight")
        question = turn.content.question(current.question_id)
        return Answer(
            household_id=turn.household_id,
            answered_at=turn.now,
            partner=whose,
            partner_name=profile.name(whose),
            stage=current.stage,
            question_id=current.question_id,
            question_text=question.text if question else "",
            text=words,
            request_id=turn.seed,
        )

    return store_answer(turn, answer_for, also, lead)
