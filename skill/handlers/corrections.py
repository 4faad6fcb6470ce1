"""Corrections: "that's not what I said" asks that partner again, and their next words
replace the stored answer (filed under the partner's name as stored when it lands), or
"never mind" keeps it as it was."""

from __future__ import annotations

import logging
from dataclasses import replace

from ask_sdk_model.response import Response

from skill.handlers.after_answer import next_partner, said_back
from skill.handlers.answers import answer_step, file_answer, instead, listening, not_an_answer
from skill.handlers.names import ask_rename
from skill.handlers.onboarding import start_onboarding
from skill.handlers.safety import danger, safety_exit
from skill.handlers.saving import TONIGHT_MOST, is_stored
from skill.handlers.tonight import after_side_trip, offer_question, restate
from skill.handlers.turn import Turn
from skill.handlers.voices import speaker
from skill.records import Answer, Profile
from skill.session import Answering, ConfirmingCorrection, Correcting
from skill.speech import READBACK_WORDS, Speech, shorten, trim_answer
from skill.store import StorageError

log = logging.getLogger("stagewise")


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


def correct(turn: Turn) -> Response:
    """ "That's not what I said": ask that partner again; their next words replace it. Said
    with the new words ("that's wrong, I said the garden": they ride in the answer slot,
    skill.not_answers.restated), those replace it now."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    last = _to_correct(turn, profile)
    if last is None and turn.slot("said") is not None:
        return _as_answer(turn, profile, turn.slot("said") or "")  # "nah, her laugh": first
    if last is None:
        current = profile.current
        if current is not None and current.day == turn.day and current.pending is not None:
            return listening(turn, profile, "answer.nothing_to_correct")
        return offer_question(turn, Speech())
    if turn.slot("answer") is not None:
        return _restated(turn, profile, last)
    return _ask_correction(turn, profile, last)


def _restated(turn: Turn, profile: Profile, last: Answer) -> Response:
    """A correction said with its new words: they replace the answer; when only a bare "no"
    opened them ("no, his puns"), unless the words misheard are in the answer said back,
    the partner is asked first: the words may be the next partner's answer."""
    words, said = turn.slot("answer") or "", turn.slot("said") or ""
    if turn.slot("unsure") and not _misheard_in(turn.slot("misheard"), last):
        name = profile.name(last.partner)
        short, _ = shorten(words, READBACK_WORDS)
        return turn.ask(
            turn.speech("answer.correction_confirm", name=name, answer=short),
            turn.speech("answer.correction_confirm", name=name, answer=short),
            ConfirmingCorrection(last, words, said or words),
        )
    turn.state.awaiting = Correcting(last)
    return correction_step(turn)


def _misheard_in(misheard: str | None, answer: Answer) -> bool:
    """ "Knitting not kitting" right after "kitting" was said back: surely a correction."""
    said_back = set(_words(answer.text))
    return bool(misheard) and set(_words(misheard or "")) <= said_back


def _words(text: str) -> list[str]:
    return [w.strip('.,;:!?"') for w in text.lower().split()]


def confirmed_correction(turn: Turn) -> Response:
    """ "Yes": the new words replace the answer."""
    awaiting = turn.state.awaiting
    if not isinstance(awaiting, ConfirmingCorrection):
        return correct(turn)
    turn.state.awaiting = Correcting(awaiting.answer)
    turn.hear("AnswerIntent", {"answer": awaiting.words})
    return correction_step(turn)


def not_a_correction(turn: Turn) -> Response:
    """ "No": all that was said is the answer of the partner whose turn it is."""
    awaiting = turn.state.awaiting
    profile = turn.household.couple()
    if not isinstance(awaiting, ConfirmingCorrection) or profile is None:
        return offer_question(turn, Speech())
    return _as_answer(turn, profile, awaiting.said)


def _as_answer(turn: Turn, profile: Profile, said: str) -> Response:
    """All that was said, as the answer of the partner whose turn it is (not recognised
    again: it was, as a correction that may not be one)."""
    turn.state.awaiting = Answering()
    turn.hear("AnswerIntent", {"answer": said})
    found = danger(turn, said)  # checked when first heard; checked as it is filed
    if found is not None:
        return safety_exit(turn, found)
    return file_answer(turn, profile, said)


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
    """ "Repeat" (or the correction asked for again) while a correction is awaited; said
    with the new words ("no, I said the garden"), those are the correction."""
    awaiting = turn.state.awaiting
    profile = turn.household.couple()
    if not isinstance(awaiting, Correcting) or profile is None:
        return correct(turn)
    if turn.slot("answer") is not None:
        return correction_step(turn)
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
    heard = not_an_answer(turn, text, profile)
    if heard is not None:
        return instead(turn, heard)
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
    return next_partner(turn, profile, speech)


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
