"""PRIVACY.md, claim by claim: what is stored, what each deletion removes, what reaches the app.

Each test names the claim it holds the code to; a claim that changes must change here too.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from skill.app import Stagewise
from skill.journey import Journey
from skill.reconnect import Ritual
from skill.records import Answer, Profile
from stagewise_tools import alexa_requests as alexa
from tests.conversation import Couple, says

PRIVACY = (Path(__file__).resolve().parents[1] / "PRIVACY.md").read_text(encoding="utf-8")
EVER = datetime(2020, 1, 1, tzinfo=UTC)


def named_in_privacy(section: str) -> set[str]:
    """The field names a section of PRIVACY.md's tables lists (in backticks)."""
    start = PRIVACY.index(section)
    end = PRIVACY.index("\n## ", start + 1)
    return set(re.findall(r"`(\w+)`", PRIVACY[start:end]))


def test_every_stored_field_is_named_in_privacy_md() -> None:
    """ "Every field is listed here": the profile, its journey and ritual, and each answer."""
    stored = {f.name for record in (Profile, Answer, Journey, Ritual) for f in fields(record)}
    assert stored - named_in_privacy("## What is stored") == set()


def stored(app: Stagewise, household: str) -> list[Answer]:
    return app.services.store.answers(
        household, start=EVER, until=EVER + timedelta(days=3650), limit=99
    )


def test_delete_my_last_answer_takes_the_speakers_own_with_voice_profiles(
    couple: Couple, app: Stagewise
) -> None:
    """ "with Alexa voice profiles, your own last answer tonight (the one who is speaking)"."""
    maya, jordan = alexa.person_id("maya"), alexa.person_id("jordan")
    couple.onboard("maya", "jordan")
    couple.later(days=1)
    couple.device.person_id = maya
    couple.launch()
    couple.intent("NamesIntent", first_name="maya")
    couple.answer("maya's answer")
    couple.device.person_id = jordan
    couple.answer("jordan's answer")
    couple.intent("AMAZON.YesIntent")  # "is this Jordan?"
    couple.device.person_id = maya
    asked = couple.intent("DeleteLastAnswerIntent", new_session=True)
    assert says(asked, "forget.confirm_last", name="Maya", answer="maya's answer")
    couple.intent("AMAZON.YesIntent")
    kept = {a.text for a in stored(app, couple.device.user_id)}
    assert "maya's answer" not in kept and "jordan's answer" in kept


def test_delete_my_last_answer_without_voices_takes_tonights_last(
    couple: Couple, app: Stagewise
) -> None:
    """ "without them, the last answer given tonight"."""
    couple.onboard("maya", "jordan")
    couple.answer("first")
    couple.answer("second")
    asked = couple.intent("DeleteLastAnswerIntent", new_session=True)
    assert says(asked, "forget.confirm_last", name="Jordan", answer="second")
    couple.intent("AMAZON.YesIntent")
    assert [a.text for a in stored(app, couple.device.user_id)] == ["first"]


def test_delete_tonights_answers_lets_both_answer_again(couple: Couple, app: Stagewise) -> None:
    """ "removes tonight's answers from both of you; ... each of you can answer again"."""
    couple.onboard("maya", "jordan")
    couple.answer("first")
    couple.answer("second")
    couple.intent("DeleteTonightIntent", new_session=True)
    done = couple.intent("AMAZON.YesIntent")
    assert says(done, "forget.done_tonight", count=2)
    assert stored(app, couple.device.user_id) == []
    again = couple.intent("TonightQuestionIntent", new_session=True)
    assert couple.awaiting == "answer" and "Maya" in again.text


def test_forget_my_voice_keeps_the_answers(couple: Couple, app: Stagewise) -> None:
    """ "the voice key above is removed; your answers stay"."""
    couple.onboard("maya", "jordan")
    couple.later(days=1)
    couple.device.person_id = alexa.person_id("maya")
    couple.launch()
    couple.intent("NamesIntent", first_name="maya")
    couple.answer("kept")
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.voices
    couple.intent("ForgetVoiceIntent", new_session=True)
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.voices == {}
    assert [a.text for a in stored(app, couple.device.user_id)] == ["kept"]


def test_a_recap_card_shows_what_was_read_and_a_question_card_only_the_question(
    couple: Couple,
) -> None:
    """ "after a recap, Alexa shows a card with what was just read aloud, your answers
    included ... A card with tonight's question holds only the question"."""
    couple.onboard("maya", "jordan")
    couple.answer("the lake")
    couple.answer("the boat")
    couple.later(days=1)
    recap = couple.intent("RecapLastTimeIntent", new_session=True)
    card = recap.response["card"]
    assert "the lake" in card["text"] and "the boat" in card["text"]
    question = couple.intent("TonightQuestionIntent", new_session=True)
    card = question.response["card"]
    assert "the lake" not in card["text"] and "Maya" not in card["text"]
