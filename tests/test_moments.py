"""The table of conversation moments, walked: every moment can be reached, explained and left.

Each moment has a script that brings a couple to it through the skill's entry point; a
test fails if a moment is added without one. Expected speech is rendered from content.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from skill.content import load_content, placeholders
from skill.handlers.conversation import INTENT_SLOTS
from skill.handlers.moments import IDLE, MOMENTS, YES, Row
from skill.session import Moment
from skill.store import StorageError
from tests.conversation import Couple, Reply, wordings

CONTENT = load_content()
MODEL = json.loads(
    (Path(__file__).resolve().parents[1] / "interaction_model" / "en-US.json").read_text()
)
SLOTS = {
    intent["name"]: {slot["name"] for slot in intent.get("slots", [])}
    for intent in MODEL["interactionModel"]["languageModel"]["intents"]
}


def _to_stage_confirm(couple: Couple) -> None:
    couple.onboard()
    couple.later(hours=1)
    couple.intent("ChangeStageIntent", new_session=True, stage_number="3")


def _to_recap_more(couple: Couple) -> None:
    couple.onboard()
    for day in range(4):
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.answer(f"sam {day}")
        couple.answer(f"alex {day}")
        couple.later(hours=23)
    couple.intent("RecapIntent", new_session=True, period=None)


def _to_recap_today(couple: Couple) -> None:
    couple.onboard()
    couple.answer("one")
    couple.answer("two")
    couple.intent("TonightQuestionIntent", new_session=True)


def _to_who_speaks(couple: Couple) -> None:
    couple.onboard()
    couple.later(hours=1)
    couple.device.person_id = "amzn1.ask.person.new-voice"
    couple.launch()


def _to_year_ago(couple: Couple) -> None:
    couple.onboard()
    couple.answer("one")
    couple.answer("two")
    couple.later(days=365)
    couple.intent("TonightQuestionIntent", new_session=True)
    couple.answer("three")
    couple.answer("four")


def _to_favourite_more(couple: Couple) -> None:
    couple.onboard()
    for day in range(2):
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.answer(f"sam {day}")
        couple.answer(f"alex {day}")
        couple.intent("FavouriteIntent", new_session=True)
        couple.later(days=1)
    couple.intent("PlayFavouritesIntent", new_session=True)


def _to_retry_save(couple: Couple) -> None:
    """The store refuses an answer (an outage): the skill keeps it and offers to try again."""
    couple.onboard()
    store = couple.app.services.store

    def refuse(*_args: object) -> None:
        raise StorageError("DynamoDB add answer failed (InternalServerError)", "500")

    store.add_answer = refuse  # type: ignore[method-assign]
    couple.answer("said during an outage")


def _to_stage_choice(couple: Couple) -> None:
    couple.launch()
    couple.intent("NamesIntent", first_name="sam", second_name="alex")


def _to_keep_offer(couple: Couple) -> None:
    couple.onboard()
    couple.answer("one")
    couple.answer("two")
    couple.later(days=1)
    couple.intent("RecapLastTimeIntent", new_session=True)


def _to_voice_confirm(couple: Couple) -> None:
    """One partner's voice is known; another voice opens: "Is this Alex?"."""
    couple.onboard()
    couple.later(hours=1)
    couple.device.person_id = "amzn1.ask.person.sam"
    couple.launch()
    couple.intent("NamesIntent", first_name="sam")
    couple.later(hours=1)
    couple.device.person_id = "amzn1.ask.person.other"
    couple.launch()


REACH: dict[Moment, Callable[[Couple], object]] = {
    Moment.NAME: lambda c: c.launch(),
    Moment.NAME_CONFIRM: lambda c: (c.launch(), c.intent("NamesIntent", first_name="hope")),
    Moment.CORRECTION: lambda c: (
        c.onboard(),
        c.answer("the lake"),
        c.intent("CorrectAnswerIntent"),
    ),
    Moment.CORRECTION_CONFIRM: lambda c: (
        c.onboard(),
        c.answer("the lake"),
        c.answer("nope the lake house"),  # a bare "nope" first: the skill asks
    ),
    Moment.KEEP_OFFER: _to_keep_offer,
    Moment.RENAME_CONFIRM: lambda c: (
        c.onboard(),
        c.intent("NamesIntent", new_session=True, first_name="jo", second_name="max"),
    ),
    Moment.VOICE_CONFIRM: _to_voice_confirm,
    Moment.STAGE_CHOICE: _to_stage_choice,
    Moment.ANSWER: lambda c: c.onboard(),
    Moment.QUESTION_OFFER: lambda c: (
        c.onboard(),
        c.later(hours=1),
        c.intent("StageInfoIntent", new_session=True),
    ),
    Moment.RECAP_MORE: _to_recap_more,
    Moment.RECAP_TODAY: _to_recap_today,
    Moment.STAGE_CONFIRM: _to_stage_confirm,
    Moment.RENAME: lambda c: (c.onboard(), c.answer("change our names")),
    Moment.WHO_SPEAKS: _to_who_speaks,
    Moment.YEAR_AGO: _to_year_ago,
    Moment.FAVOURITE_MORE: _to_favourite_more,
    Moment.DELETE_CONFIRM: lambda c: (c.onboard(), c.intent("DeleteAllIntent")),
    Moment.RETRY_SAVE: _to_retry_save,
    Moment.REMINDER_CONFIRM: lambda c: (
        c.onboard(),
        c.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00"),
    ),
}


def said(reply: Reply, key: str, **values: object) -> bool:
    return any(v.format_map(_Blank(values)) in reply.text for v in wordings(CONTENT, key))


class _Blank(dict[str, object]):
    """Placeholders a test does not name render as nothing (matched loosely below)."""

    def __missing__(self, key: str) -> str:
        return ""


def question_key(row: Row) -> str:
    assert isinstance(row.question, str), "a moment whose question depends on its data"
    return row.question


VALUES = {
    Moment.ANSWER: {"name": "Sam"},
    Moment.CORRECTION: {"name": "Sam"},
    Moment.CORRECTION_CONFIRM: {"name": "Sam", "answer": "the lake house"},
    Moment.STAGE_CONFIRM: {"number": 3},
    Moment.NAME_CONFIRM: {"name": "Hope"},
    Moment.RENAME_CONFIRM: {"name_a": "Jo", "name_b": "Max"},
    Moment.VOICE_CONFIRM: {"name": "Alex"},
    Moment.RETRY_SAVE: {"name": "Sam"},
}


def test_every_moment_has_a_row_and_a_way_to_reach_it() -> None:
    assert set(MOMENTS) == set(Moment)
    assert set(REACH) == set(Moment)


@pytest.mark.parametrize("moment", [*Moment, None], ids=lambda m: str(m or "idle"))
def test_every_moment_has_its_content(moment: Moment | None) -> None:
    row = MOMENTS[moment] if moment else IDLE
    questions = (
        [row.question]
        if isinstance(row.question, str)
        else ["onboarding.ask_first_name", "onboarding.ask_second_name_reprompt"]
    )
    for key in (*questions, row.help, row.fallback, row.unclear):
        assert key in CONTENT.prompts, key
        # crisis: where to turn; answer: the words a correction would keep
        allowed = {"name", "number", "name_a", "name_b", "crisis", "answer"}
        assert placeholders(CONTENT.variants(key)[0]) <= allowed
    # An open session must ask something: the reprompt is a question, or elicits a reply.
    assert row.elicit or all("?" in v for q in questions for v in CONTENT.variants(q))


@pytest.mark.parametrize("moment", list(Moment))
def test_a_yes_no_moment_never_elicits_a_slot(moment: Moment) -> None:
    row = MOMENTS[moment]
    if YES in row.takes:  # a yes means something here: Alexa must be free to send it
        assert row.elicit is None, moment


@pytest.mark.parametrize("moment", [m for m in Moment if MOMENTS[m].elicit])
def test_every_elicited_slot_exists_in_the_interaction_model(moment: Moment) -> None:
    elicit = MOMENTS[moment].elicit
    assert elicit is not None
    intent, slot = elicit
    assert slot in SLOTS[intent]
    assert set(INTENT_SLOTS[intent]) == SLOTS[intent]


@pytest.mark.parametrize("moment", list(Moment))
def test_reaching_a_moment_leaves_the_skill_waiting_for_it(couple: Couple, moment: Moment) -> None:
    REACH[moment](couple)
    assert couple.awaiting == moment.value


@pytest.mark.parametrize("why", ["help", "fallback"])
@pytest.mark.parametrize("moment", list(Moment))
def test_help_and_a_miss_explain_the_moment_and_ask_it_again(
    couple: Couple, moment: Moment, why: str
) -> None:
    REACH[moment](couple)
    # help says where to turn if someone feels unsafe
    values = {**VALUES.get(moment, {}), "crisis": CONTENT.say("crisis.number")}
    intent = "AMAZON.HelpIntent" if why == "help" else "AMAZON.FallbackIntent"
    reply = couple.intent(intent)
    row = MOMENTS[moment]
    assert said(reply, getattr(row, why), **values)
    questions = [row.question] if isinstance(row.question, str) else []
    assert all(
        any(v.format_map(_Blank(values)) in reply.reprompt for v in CONTENT.variants(q))
        for q in questions
    )
    assert not reply.ended and couple.awaiting == moment.value
    if row.elicit:
        assert reply.elicits == row.elicit[1]


@pytest.mark.parametrize(
    "moment", [m for m in Moment if m not in (Moment.ANSWER, Moment.NAME, Moment.CORRECTION)]
)
def test_repeat_asks_the_moments_question_again_and_keeps_waiting(
    couple: Couple, moment: Moment
) -> None:
    REACH[moment](couple)
    before = dict(couple.device.attributes["awaiting"])
    reply = couple.intent("AMAZON.RepeatIntent")
    assert said(reply, question_key(MOMENTS[moment]), **VALUES.get(moment, {}))
    assert couple.device.attributes["awaiting"] == before  # the moment and all its data


def test_repeat_while_an_answer_is_awaited_restates_the_question(couple: Couple) -> None:
    REACH[Moment.ANSWER](couple)
    reply = couple.intent("AMAZON.RepeatIntent")
    question = CONTENT.questions[1][0].text
    assert said(reply, "question.restate", question=question, name="Sam")
    assert couple.awaiting == Moment.ANSWER.value


@pytest.mark.parametrize("moment", [m for m in Moment if YES not in MOMENTS[m].takes])
def test_a_yes_where_it_means_nothing_asks_again(couple: Couple, moment: Moment) -> None:
    REACH[moment](couple)
    reply = couple.intent("AMAZON.YesIntent")
    assert said(reply, MOMENTS[moment].unclear, **VALUES.get(moment, {}))
    assert couple.awaiting == moment.value
