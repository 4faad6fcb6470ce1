"""The two answers: each one stored, said back, and fixable; anything else is acted on.

While an answer is awaited, Alexa hands over almost anything as the answer. What is not
an answer ("wait", "what was the question", "Alex goes first", "delete our answers") is
recognised (skill.not_answers) and handled as the intent it is, never stored. What is
said back is what was stored: the answer is filed under the partner whose turn the
stored evening says it is, decided in the write itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ask_sdk_model.response import Response

from skill.handlers.memory import offer_year_ago, year_ago, year_ago_due
from skill.handlers.names import ask_rename, rename_heard
from skill.handlers.onboarding import start_onboarding
from skill.handlers.reminders import offer_reminder, with_offer
from skill.handlers.safety import danger, safety_exit
from skill.handlers.tonight import after_side_trip, offer_question, restate, wrap_up
from skill.handlers.turn import Turn
from skill.handlers.voices import ask_who, learn_voice, speaker, unknown_voice
from skill.journey import YEAR, shared_tonight
from skill.names import check_name
from skill.periods import RecapItem
from skill.records import PARTNERS, Answer, Profile
from skill.ritual import record_answer
from skill.session import Answering, Correcting, RetryingSave
from skill.speech import READBACK_WORDS, Speech, shorten, trim_answer
from skill.store import StorageError

if TYPE_CHECKING:  # imported where it is used: see _not_an_answer
    from skill.not_answers import Heard

log = logging.getLogger("stagewise")
TONIGHT_MOST = 8  # answers a night can hold, corrections included


def said_back(turn: Turn, key: str, answer: Answer, name: str | None = None) -> Speech:
    """An answer said back so a mishearing is caught; long ones by their beginning.

    Each partner's is one of two draws of the line tonight (by their place in tonight's
    order), so the two partners never hear the same wording on one evening.
    """
    short, cut = shorten(answer.text, READBACK_WORDS)
    if cut and key == "answer.heard":
        key = "answer.heard_long"
    profile = turn.state.profile
    order = profile.current.order if profile is not None and profile.current else PARTNERS
    nth = order.index(answer.partner) if answer.partner in order else 0
    line = turn.line(key, nth=nth, of=len(PARTNERS), name=name or answer.partner_name, answer=short)
    return Speech().say(line)


# -- what was said while an answer is awaited ------------------------------------------


def _not_an_answer(turn: Turn, text: str, profile: Profile) -> Heard | None:
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
        heard = _not_an_answer(turn, text, profile)
        if heard is not None:
            return _instead(turn, heard)
    current = profile.current
    if current is None or current.day != turn.day or current.pending is None:
        return offer_question(turn, turn.speech("answer.nothing_open"))
    if text is None:
        return _listening(turn, profile, "answer.missed")
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


def _instead(turn: Turn, heard: Heard) -> Response:
    """What the words asked for instead of an answer, routed in this moment; names said in
    a sentence ("we're Jo and Zara") are a rename (confirmed first), never answer words."""
    if heard.intent == "NamesIntent":
        turn.state.awaiting = None
        return rename_heard(turn, [check_name(v, turn.content) for v in heard.slots.values()])
    return turn.redirect(heard.intent, dict(heard.slots))


def names_as_answer(turn: Turn) -> Response:
    """NamesIntent while an answer is awaited: its words are the answer ("Hope", "coffee
    and cake"), never new names."""
    words = " and ".join(
        value for value in (turn.slot("first_name"), turn.slot("second_name")) if value
    )
    if not words:  # a names phrase with no name in it: "change our names"
        return ask_rename(turn)
    turn.hear("AnswerIntent", {"answer": words})
    if isinstance(turn.state.awaiting, Correcting):
        return correction_step(turn)
    return answer_step(turn)


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
    return _listening(turn, profile, "answer.take_time")


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


def _listening(turn: Turn, profile: Profile, key: str) -> Response:
    """Say a line to whoever's turn it is, and keep listening for their answer."""
    current = profile.current
    name = profile.name(current.pending) if current and current.pending else ""
    question = turn.content.question(current.question_id) if current else None
    return turn.ask(
        turn.speech(key, name=name),
        turn.speech("answer.reprompt", name=name, question=question.text if question else ""),
        Answering(),
    )


# -- storing ------------------------------------------------------------------------------


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


def store_answer(
    turn: Turn,
    answer_for: Callable[[Profile], Answer],
    also: Callable[[Profile], Profile] | None = None,
    lead: Speech | None = None,
) -> Response:
    """Write the answer; if the store fails, find out what is true before saying anything.

    The answer that completes the evening counts it in the journey, and may bring back the
    evening a year ago (looked up first, so the offer is noted in this same write).
    """
    day = turn.day
    couple = turn.household.couple()
    if couple is None or couple.current is None:
        return offer_question(turn, turn.speech("answer.nothing_open"))
    offered_before = couple.ritual.offered
    planned = answer_for(couple)
    extra = also or (lambda p: p)
    memory, dealt_with = _year_ago_tonight(turn, couple, planned.partner)
    if dealt_with is not None:  # offered once, or looked for: noted in the answer's own write
        extra = _noting_year_ago(extra, dealt_with)

    def change(profile: Profile) -> Profile:
        partner = answer_for(profile).partner
        return shared_tonight(with_offer(record_answer(extra(profile), partner, day), day), day)

    try:
        profile, answer = turn.household.add_answer(answer_for, change)
    except StorageError as err:
        log.error(
            "answer write failed (%s): checking what was stored", err.code or type(err).__name__
        )
        return _after_failed_write(turn, planned)
    turn.state.last_answer = answer
    speech = (lead or Speech()).extend(said_back(turn, "answer.heard", answer))
    offer = profile.ritual.offered and not offered_before  # marked in this very write
    news = Firsts.of(couple, profile, day)
    return _next_partner(turn, profile, speech, news, offer=offer, memory=memory)


def _after_failed_write(turn: Turn, answer: Answer) -> Response:
    """Never "not saved" for what is stored: read before speaking, say only what is true.

    A retry is safe whatever happened: an answer is keyed by its request, so writing it
    again cannot store it twice.
    """
    stored = is_stored(turn, answer)
    if stored is True:  # the write committed; only its reply was lost
        turn.household.forget_profile()  # what it stored is read afresh on the next turn
        turn.state.last_answer = answer
        speech = said_back(turn, "answer.heard", answer)
        return after_side_trip(turn, speech.pause(300))
    key = "answer.not_saved" if stored is False else "answer.not_sure_saved"
    return turn.ask(
        turn.speech(key, name=answer.partner_name),
        turn.speech("answer.not_saved_reprompt"),
        RetryingSave(answer),
    )


def is_stored(turn: Turn, answer: Answer) -> bool | None:
    """Whether this very answer (this request's) is stored: True, False, or None (unknown)."""
    try:
        found = turn.services.store.answers(
            turn.household_id,
            start=answer.answered_at,
            until=answer.answered_at,
            limit=TONIGHT_MOST,
            consistent=True,
        )
    except StorageError:
        return None
    return any(a.request_id == answer.request_id and a.partner == answer.partner for a in found)


def _year_ago_tonight(
    turn: Turn, couple: Profile, partner: str
) -> tuple[RecapItem | None, date | None]:
    """When this answer completes tonight and a look is due: the evening a year ago to offer
    (if there is one), and the day to note as dealt with.

    That is the evening offered, or, when the weeks around a year back hold no shared
    evening, the night a year before tonight: the next look is then a week away (as after
    an offer), not tomorrow. Nothing is missed: each look spans a week either side.
    """
    current = couple.current
    if current is None or {*current.answered, partner} < set(PARTNERS):
        return None, None
    if not year_ago_due(couple, turn.day):
        return None, None
    memory = year_ago(turn, after=couple.journey.year_ago_on)
    if memory is None:
        return None, turn.day - timedelta(days=YEAR)
    return memory, memory.day


def _noting_year_ago(
    change: Callable[[Profile], Profile], day: date
) -> Callable[[Profile], Profile]:
    def noted(profile: Profile) -> Profile:
        changed = change(profile)
        return changed.with_changes(journey=replace(changed.journey, year_ago_on=day))

    return noted


def retry_save(turn: Turn) -> Response:
    """Yes to "shall I try again?": the kept answer is written now, or the couple is told."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, RetryingSave) or turn.household.couple() is None:
        return offer_question(turn, Speech())
    answer = awaiting.answer
    try:
        profile = turn.household.reload()
        if profile is None:
            return offer_question(turn, Speech())
        stored, answer = turn.household.add_answer(
            lambda p: answer,
            lambda p: shared_tonight(record_answer(p, answer.partner, turn.day), turn.day),
        )
    except StorageError:
        return _given_up(turn, answer)
    turn.state.last_answer = answer
    speech = said_back(turn, "answer.heard", answer)
    return _next_partner(turn, stored, speech, Firsts.of(profile, stored, turn.day))


def _given_up(turn: Turn, answer: Answer) -> Response:
    """The store still fails: say what is true of this answer (read once more)."""
    stored = is_stored(turn, answer)
    if stored is True:
        turn.household.forget_profile()
        speech = said_back(turn, "answer.heard", answer)
        return turn.close(speech.say(turn.line("goodbye.general")))
    key = "answer.still_not_saved" if stored is False else "answer.still_not_sure"
    return turn.close(turn.speech(key, name=answer.partner_name))


def drop_unsaved(turn: Turn) -> Response:
    """No to trying again: they hear whether the answer is kept, as it is now."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, RetryingSave):
        return turn.close(turn.speech("goodbye.general"))
    answer = awaiting.answer
    stored = is_stored(turn, answer)
    if stored is True:
        turn.household.forget_profile()
        speech = said_back(turn, "answer.heard", answer)
        return turn.close(speech.say(turn.line("goodbye.general")))
    key = "answer.not_saved_dropped" if stored is False else "answer.not_sure_dropped"
    return turn.close(turn.speech(key, name=answer.partner_name))


def unsaved_on_leaving(turn: Turn) -> Speech | None:
    """They moved on while an answer waited to be saved: say what is true of it."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, RetryingSave):
        return None
    stored = is_stored(turn, awaiting.answer)
    if stored is True:
        turn.household.forget_profile()
        return None
    key = "answer.not_saved_left" if stored is False else "answer.not_sure_left"
    return turn.speech(key, name=awaiting.answer.partner_name)


@dataclass(frozen=True)
class Firsts:
    """What an answer's write was the first to record tonight, so it is said once a night
    however often the evening is finished again (an answer deleted and given again)."""

    counted: bool = False  # the evening counted as shared: a streak milestone is said now
    suggested: bool = False  # the move to the next stage suggested (at most weekly)

    @classmethod
    def of(cls, before: Profile, after: Profile, day: date) -> Firsts:
        return cls(
            counted=before.journey.latest != day and after.journey.latest == day,
            suggested=before.suggested_on != day and after.suggested_on == day,
        )


def _next_partner(
    turn: Turn,
    profile: Profile,
    speech: Speech,
    news: Firsts | None = None,
    *,
    offer: bool = False,
    memory: RecapItem | None = None,
) -> Response:
    current = profile.current
    following = current.pending if current else None
    if following is not None and current is not None:
        other = profile.name(following)
        question = turn.content.question(current.question_id)
        speech.say(turn.line("answer.next_turn", other=other))
        return turn.ask(
            speech,
            turn.speech("answer.reprompt", name=other, question=question.text if question else ""),
            Answering(),
        )
    speech.say(turn.line("answer.both_saved"))
    news = news or Firsts()
    weeks = profile.journey.milestone_tonight(turn.day) if news.counted else None
    if weeks is not None:  # streaks are only ever celebrated, never counted down
        speech.say(turn.line("journey.milestone", weeks=weeks))
    suggest = news.suggested
    if offer:
        return offer_reminder(turn, speech)
    if memory is not None:
        return offer_year_ago(turn, speech, memory)
    return wrap_up(turn, profile, speech, suggest=suggest)


# -- corrections -------------------------------------------------------------------------


def correct(turn: Turn) -> Response:
    """ "That's not what I said": ask that partner again; their next words replace it."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    last = _to_correct(turn, profile)
    if last is None:
        current = profile.current
        if current is not None and current.day == turn.day and current.pending is not None:
            return _listening(turn, profile, "answer.nothing_to_correct")
        return offer_question(turn, Speech())
    return _ask_correction(turn, profile, last)


def _ask_correction(turn: Turn, profile: Profile, last: Answer) -> Response:
    name = profile.name(last.partner)
    return turn.ask(
        turn.speech("answer.correct_ask", name=name),
        turn.speech("answer.how", name=name),
        Correcting(last),
    )


def resume_correction(turn: Turn, lead: Speech | None) -> Response | None:
    """Back to the correction after a side trip: ask for the answer again."""
    awaiting = turn.state.awaiting
    profile = turn.household.couple()
    if not isinstance(awaiting, Correcting) or profile is None:
        return None
    name = profile.name(awaiting.answer.partner)
    speech = (lead or Speech()).extend(turn.speech("answer.correct_ask", name=name))
    return turn.ask(speech, turn.speech("answer.how", name=name), awaiting)


def ask_correction_again(turn: Turn) -> Response:
    """ "Repeat" (or the correction asked for again) while a correction is awaited."""
    awaiting = turn.state.awaiting
    profile = turn.household.couple()
    if not isinstance(awaiting, Correcting) or profile is None:
        return correct(turn)
    return _ask_correction(turn, profile, awaiting.answer)


def _to_correct(turn: Turn, profile: Profile) -> Answer | None:
    """The answer a correction replaces: the speaker's own by voice, else the one last said
    back, else tonight's most recent (read consistently: it may have just been written)."""
    current = profile.current
    if current is None or current.day != turn.day or not current.answered:
        return None
    mine = speaker(turn, profile)
    last = turn.state.last_answer
    if (
        last is not None
        and last.question_id == current.question_id
        and mine in (None, last.partner)
    ):
        return last
    start = turn.evening_start(turn.day)
    try:
        found = turn.services.store.answers(
            turn.household_id, start=start, until=turn.now, limit=TONIGHT_MOST, consistent=True
        )
    except StorageError:
        return None
    tonight = [a for a in found if a.question_id == current.question_id]
    if mine is not None:
        tonight = [a for a in tonight if a.partner == mine]
    return tonight[0] if tonight else None


def correction_step(turn: Turn) -> Response:
    """The words that replace the answer being corrected (or what they ask for instead)."""
    awaiting = turn.state.awaiting
    profile = turn.household.couple()
    if not isinstance(awaiting, Correcting) or profile is None:
        return answer_step(turn)
    text = turn.slot("answer")
    if text is None:
        return ask_correction_again(turn)
    found = danger(turn, text)  # the words that would replace an answer: checked the same
    if found is not None:
        return safety_exit(turn, found)
    heard = _not_an_answer(turn, text, profile)
    if heard is not None:
        return _instead(turn, heard)
    old = awaiting.answer

    def correct(stored: Profile) -> Answer:  # under the partner's name as it is now
        return replace(
            old,
            text=trim_answer(text),
            partner_name=stored.name(old.partner),
            answered_at=turn.now,
            request_id=turn.seed,
        )

    corrected = correct(profile)
    try:
        profile, corrected = turn.household.replace_answer(old, correct)
    except StorageError as err:
        log.error("correction not stored (%s)", err.code or type(err).__name__)
        return _correction_failed(turn, old, corrected)
    turn.state.last_answer = corrected
    speech = said_back(turn, "answer.corrected", corrected, profile.name(old.partner))
    return _next_partner(turn, profile, speech)


def _correction_failed(turn: Turn, old: Answer, corrected: Answer) -> Response:
    """Say which of the two words is kept, as the store holds it now."""
    now_stored = is_stored(turn, corrected)
    if now_stored is True:
        turn.household.forget_profile()
        turn.state.last_answer = corrected
        speech = said_back(turn, "answer.corrected", corrected)
        return after_side_trip(turn, speech.pause(300))
    key = "answer.correction_not_saved" if now_stored is False else "answer.correction_not_sure"
    return turn.close(turn.speech(key, name=corrected.partner_name))


def keep_as_it_was(turn: Turn) -> Response:
    """ "Never mind" (no, pass) while a correction is awaited: the answer stays as stored."""
    awaiting = turn.state.awaiting
    profile = turn.household.couple()
    name = ""
    if isinstance(awaiting, Correcting):
        old = awaiting.answer
        name = profile.name(old.partner) if profile else old.partner_name
    turn.state.awaiting = None
    return back_to_evening(turn, turn.speech("answer.kept_as_it_was", name=name))


def back_to_evening(turn: Turn, lead: Speech) -> Response:
    """The open question for whoever has not answered, else a goodbye."""
    return restate(turn, lead.pause(300)) or turn.close(lead.say(turn.line("goodbye.general")))
