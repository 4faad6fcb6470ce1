"""The two answers: each one stored, said back, and fixable; anything else is acted on.

While an answer is awaited, Alexa hands over almost anything as the answer. What is not
an answer ("wait", "what was the question", "Alex goes first", "delete our answers") is
recognised (skill.not_answers, phrases as data) and acted on, never stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model.response import Response

from skill.handlers.forget import ask_to_delete
from skill.handlers.memory import offer_year_ago, year_ago, year_ago_due
from skill.handlers.onboarding import start_onboarding
from skill.handlers.reminders import offer_reminder, with_offer
from skill.handlers.tonight import offer_question, restate, skip, stop, wrap_up
from skill.handlers.turn import Handler, Turn
from skill.handlers.voices import ask_who, forget_voice, learn_voice, speaker, unknown_voice
from skill.journey import shared_tonight
from skill.not_answers import Heard, recognise
from skill.periods import RecapItem
from skill.records import PARTNERS, Answer, Profile
from skill.ritual import record_answer
from skill.session import Moment
from skill.speech import READBACK_WORDS, Speech, shorten, trim_answer
from skill.store import StorageError

log = logging.getLogger("stagewise")


def said_back(turn: Turn, key: str, name: str, text: str) -> Speech:
    """An answer said back so a mishearing is caught; long ones by their beginning."""
    short, cut = shorten(text, READBACK_WORDS)
    if cut and key == "answer.heard":
        key = "answer.heard_long"
    return turn.speech(key, name=name, answer=short)


def take_answer(
    turn: Turn,
    profile: Profile,
    text: str,
    partner: str | None = None,
    also: Callable[[Profile], Profile] | None = None,
    lead: Speech | None = None,
) -> Response:
    """Store the awaited answer (or a correction), say it back, then ask the other partner.

    `partner`: whose answer it is when known by voice (else whoever's turn it is);
    `also`: a profile change written with it (a voice just learned).
    """
    current = profile.current
    assert current is not None  # checked by the caller: tonight's question is open
    last = turn.state.last_answer
    if turn.state.correcting and last is not None:
        corrected = replace(
            last, text=trim_answer(text), answered_at=turn.now, request_id=turn.seed
        )
        profile = turn.household.replace_answer(last, corrected)
        turn.state.last_answer, turn.state.correcting = corrected, False
        speech = said_back(turn, "answer.corrected", corrected.partner_name, corrected.text)
        return _next_partner(turn, profile, speech)
    partner = partner or current.pending
    assert partner is not None
    question = turn.content.question(current.question_id)
    answer = Answer(
        household_id=turn.household_id,
        answered_at=turn.now,
        partner=partner,
        partner_name=profile.name(partner),
        stage=current.stage,
        question_id=current.question_id,
        question_text=question.text if question else "",
        text=trim_answer(text),
        request_id=turn.seed,
    )
    return store_answer(turn, answer, also, lead)


def store_answer(
    turn: Turn,
    answer: Answer,
    also: Callable[[Profile], Profile] | None = None,
    lead: Speech | None = None,
) -> Response:
    """Write the answer; if the store refuses, keep it in the session and say so, truthfully.

    The answer that completes the evening counts it in the journey, and may bring back the
    evening a year ago (looked up first, so the offer is noted in this same write).
    """
    day, partner = turn.day, answer.partner
    couple = turn.household.couple()
    offered_before = couple.ritual.offered if couple else False
    extra = also or (lambda p: p)
    memory = _year_ago_tonight(turn, couple, partner)
    if memory is not None:  # offered once: noted in the answer's own write
        extra = _noting_year_ago(extra, memory.day)
    try:
        profile = turn.household.add_answer(
            answer,
            lambda p: shared_tonight(with_offer(record_answer(extra(p), partner, day), day), day),
        )
    except StorageError as err:
        log.error("answer not stored (%s): kept in the session", err.code or type(err).__name__)
        turn.state.unsaved = answer
        return turn.ask(
            turn.speech("answer.not_saved", name=answer.partner_name),
            turn.speech("answer.not_saved_reprompt"),
            Moment.RETRY_SAVE,
        )
    turn.state.unsaved = None
    turn.state.last_answer = answer
    speech = (lead or Speech()).extend(
        said_back(turn, "answer.heard", answer.partner_name, answer.text)
    )
    offer = profile.ritual.offered and not offered_before  # marked in this very write
    return _next_partner(turn, profile, speech, just_finished=True, offer=offer, memory=memory)


def _year_ago_tonight(turn: Turn, couple: Profile | None, partner: str) -> RecapItem | None:
    """When this answer completes tonight: the evening a year ago to offer, if one is due."""
    current = couple.current if couple else None
    if couple is None or current is None or {*current.answered, partner} < set(PARTNERS):
        return None
    if not year_ago_due(couple, turn.day):
        return None
    return year_ago(turn, after=couple.journey.year_ago_on)


def _noting_year_ago(
    change: Callable[[Profile], Profile], day: date
) -> Callable[[Profile], Profile]:
    def noted(profile: Profile) -> Profile:
        changed = change(profile)
        return changed.with_changes(journey=replace(changed.journey, year_ago_on=day))

    return noted


def retry_save(turn: Turn) -> Response:
    """Yes to "shall I try again?": the kept answer is written now, or the couple is told."""
    answer = turn.state.unsaved
    if answer is None or turn.household.couple() is None:
        return offer_question(turn, Speech())
    try:
        turn.household.profile()
    except StorageError:
        turn.state.unsaved = None
        return turn.close(turn.speech("answer.still_not_saved", name=answer.partner_name))
    reply = store_answer(turn, answer)
    if turn.state.unsaved is not None:  # refused again: say so and let it go
        turn.state.unsaved = None
        return turn.close(turn.speech("answer.still_not_saved", name=answer.partner_name))
    return reply


def drop_unsaved(turn: Turn) -> Response:
    """No to trying again: the answer is not kept, and they hear that."""
    answer = turn.state.unsaved
    turn.state.unsaved = None
    return turn.close(
        turn.speech("answer.not_saved_dropped", name=answer.partner_name if answer else "")
    )


def _next_partner(
    turn: Turn,
    profile: Profile,
    speech: Speech,
    *,
    just_finished: bool = False,
    offer: bool = False,
    memory: RecapItem | None = None,
) -> Response:
    current = profile.current
    following = current.pending if current else None
    if following is not None and current is not None:
        other = profile.name(following)
        question = turn.content.question(current.question_id)
        speech.say(turn.line("answer.next_turn", offset=1, other=other))
        return turn.ask(
            speech,
            turn.speech("answer.reprompt", name=other, question=question.text if question else ""),
            Moment.ANSWER,
        )
    speech.say(turn.line("answer.both_saved"))
    weeks = profile.journey.milestone_tonight(turn.day) if just_finished else None
    if weeks is not None:  # streaks are only ever celebrated, never counted down
        speech.say(turn.line("journey.milestone", weeks=weeks))
    suggest = just_finished and profile.suggested_on == turn.day
    if offer:
        return offer_reminder(turn, speech)
    if memory is not None:
        return offer_year_ago(turn, speech, memory)
    return wrap_up(turn, profile, speech, suggest=suggest)


# What a supposed answer asks for, and what the skill does about it while tonight's
# question is open. The intents come from skill.not_answers (pseudo-intents "Think" and
# "GoFirst" included); one that is not listed is finished first, then asked again.
RESTATE = frozenset({"AMAZON.RepeatIntent", "TonightQuestionIntent"})
DELETIONS = {
    "DeleteAllIntent": "all",
    "DeleteLastAnswerIntent": "last",
    "DeleteTonightIntent": "tonight",
}
REMINDERS = frozenset(
    {
        "SetReminderIntent",
        "MoveReminderIntent",
        "CancelReminderIntent",
        "ReminderStatusIntent",
        "ReconnectIntent",
    }
)
STOPS = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})


def not_an_answer(turn: Turn, profile: Profile, said: Heard) -> Response:
    """Act on what was said instead of an answer."""
    name = _pending_name(profile)
    intent = said.intent
    if intent in RESTATE:
        return restate(turn) or offer_question(turn, Speech())
    if intent == "Think":
        return turn.ask(
            turn.speech("answer.take_time", name=name),
            turn.speech("answer.reprompt", name=name, question=_question_text(turn, profile)),
            Moment.ANSWER,
        )
    if intent == "SkipIntent":
        return skip(turn)
    if intent == "GoFirst":
        return goes_first(turn, profile, said.slots.get("name") or _other_name(profile))
    if intent == "CorrectAnswerIntent":
        return correct(turn, profile)
    if intent == "NamesIntent":
        return turn.ask(turn.speech("rename.ask"), turn.speech("rename.need_both"), Moment.RENAME)
    if intent in REMINDERS:
        return listening(turn, "answer.no_reminders", name)
    if intent in DELETIONS:
        return ask_to_delete(turn, DELETIONS[intent])
    if intent == "ForgetVoiceIntent":  # done, and the answer is still awaited
        return restate(turn, forget_voice(turn).pause(300)) or stop(turn)
    if intent in STOPS:
        return stop(turn)
    if intent == "AMAZON.HelpIntent":
        return listening(turn, "help.answer", name)
    return listening(turn, "answer.finish_first", name)


def _other_name(profile: Profile) -> str:
    """ "You go first", "me first" without a name: the partner whose turn it is not.

    Said by the one asked, it hands the turn over; said by the other, it takes it.
    """
    current = profile.current
    pending = current.pending if current else None
    other = next((p for p in ("a", "b") if p != pending), "b")
    return profile.name(other)


def listening(turn: Turn, key: str, name: str) -> Response:
    """Explain, and keep listening for the answer."""
    return turn.ask(
        turn.speech(key, name=name), turn.speech("answer.how", name=name), Moment.ANSWER
    )


def goes_first(turn: Turn, profile: Profile, spoken: str) -> Response:
    """ "Jordan goes first": that partner answers next, unless they already have."""
    current = profile.current
    partner = next((p for p in ("a", "b") if profile.name(p).lower() == spoken.lower()), None)
    if current is None or partner is None:
        return listening(turn, "unclear.answer", _pending_name(profile))
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
        Moment.ANSWER,
    )


def already_answered(turn: Turn, profile: Profile, partner: str) -> Response:
    """ "Maya, I have yours. Jordan?": nothing stored twice."""
    current = profile.current
    other = profile.name(current.pending) if current and current.pending else ""
    return turn.ask(
        turn.speech("answer.already_answered", name=profile.name(partner), other=other),
        turn.speech("answer.how", name=other),
        Moment.ANSWER,
    )


def correct(turn: Turn, profile: Profile) -> Response:
    """ "That's not what I said": ask that partner again; their next answer replaces it."""
    last = turn.state.last_answer or _latest_tonight(turn, profile)
    current = profile.current
    if last is None or current is None or last.question_id != current.question_id:
        name = _pending_name(profile)
        return turn.ask(
            turn.speech("answer.nothing_to_correct", name=name),
            turn.speech("answer.how", name=name),
            Moment.ANSWER,
        )
    turn.state.last_answer, turn.state.correcting = last, True
    name = profile.name(last.partner)
    return turn.ask(
        turn.speech("answer.correct_ask", name=name),
        turn.speech("answer.how", name=name),
        Moment.ANSWER,
    )


def _latest_tonight(turn: Turn, profile: Profile) -> Answer | None:
    """Tonight's most recent answer, when the session does not remember one (one query)."""
    current = profile.current
    if current is None or current.day != turn.day or not current.answered:
        return None
    start = turn.evening_start(turn.day)
    found = turn.services.store.answers(turn.household_id, start=start, until=turn.now, limit=1)
    return found[0] if found and found[0].question_id == current.question_id else None


def _pending_name(profile: Profile) -> str:
    current = profile.current
    return profile.name(current.pending) if current and current.pending else ""


def _question_text(turn: Turn, profile: Profile) -> str:
    question = turn.content.question(profile.current.question_id) if profile.current else None
    return question.text if question else ""


def answer_step(turn: Turn, text: str | None) -> Response:
    """What to do with a supposed answer, from the AnswerIntent or a lone first name."""
    turn.may_refresh_zone = True  # an answer is a write: a fresh zone is stored with it
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    if text is not None:
        said = recognise(text, (profile.partner_a, profile.partner_b), turn.content)
        if said is not None:
            return not_an_answer(turn, profile, said)
    current = profile.current
    correcting = turn.state.correcting and turn.state.last_answer is not None
    if current is None or current.day != turn.day or (current.pending is None and not correcting):
        return offer_question(turn, turn.speech("answer.nothing_open"))
    if text is None:
        name = _pending_name(profile)
        return turn.ask(
            turn.speech("answer.missed", name=name),
            turn.speech("answer.reprompt", name=name, question=_question_text(turn, profile)),
            Moment.ANSWER,
        )
    if turn.person_id is not None and not correcting:  # a recognised voice: file by voice
        if unknown_voice(turn, profile):
            return ask_who(turn, profile, held=text)
        partner = speaker(turn, profile)
        if partner in current.answered:
            return already_answered(turn, profile, partner)
        return take_answer(turn, profile, text, partner)
    return take_answer(turn, profile, text)


class AnswerHandler(Handler):
    """One partner's spoken answer: stored and said back; or what it asked for instead."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AnswerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        return answer_step(turn, turn.slot("answer"))


class CorrectAnswerHandler(Handler):
    """ "That's not what I said", "change my answer": the last answer tonight is asked again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CorrectAnswerIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        profile = turn.household.couple()
        if profile is None:
            return start_onboarding(turn, "onboarding.welcome_before_question")
        return correct(turn, profile)
