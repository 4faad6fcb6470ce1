"""Whole conversations through the skill's entry point: what a couple hears, what gets stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from skill.app import Stagewise, build_skill, handle_event
from skill.config import Settings
from skill.content import load_content
from skill.question_order import SUGGEST_NEXT_AFTER
from skill.records import Answer, Profile
from skill.speech import MAX_ANSWER_CHARS, RECAP_WORDS, shorten
from skill.store import StorageError
from skill.store.sqlite import SqliteStore
from stagewise_tools import alexa_requests as alexa
from tests.conversation import Couple, Reply, says, variants

CONTENT = load_content()
BANK = {n: [q.text for q in CONTENT.questions[n]] for n in range(1, 7)}


EVER = datetime(2020, 1, 1, tzinfo=UTC)


def stored(app: Stagewise, household: str = "amzn1.ask.account.test-couple") -> list[Answer]:
    """Every answer the household has stored, newest first."""
    return app.services.store.answers(
        household, start=EVER, until=EVER + timedelta(days=3650), limit=1000
    )


# -- onboarding and tonight's question ---------------------------------------------


def test_first_launch_asks_both_names_offers_stage_one_then_asks_tonights_question(
    couple: Couple,
) -> None:
    welcome = couple.launch()
    assert says(welcome, "onboarding.welcome") and welcome.elicits == "first_name"
    first = couple.intent("NamesIntent", first_name="sam")
    assert says(first, "onboarding.ask_second_name", name_a="Sam")
    second = couple.intent("NamesIntent", first_name="alex")
    assert says(second, "onboarding.names_heard", name_a="Sam", name_b="Alex")
    assert not second.ended
    question = couple.intent("AMAZON.YesIntent")
    stage = CONTENT.stage(1)
    # The first question in a stage comes with its short introduction, the rest on request.
    assert stage.summary in question.text and says(question, "stage.more_hint")
    assert stage.description not in question.text
    assert BANK[1][0] in question.text
    assert any(question.text.endswith(v) for v in variants("question.you_first", name="Sam"))
    assert question.elicits == "answer" and not question.ended
    assert BANK[1][0] in question.response["card"]["text"]  # a Standard card in the Alexa app


def test_both_names_at_once_and_a_chosen_stage(couple: Couple) -> None:
    couple.launch()
    heard = couple.intent("NamesIntent", first_name="sam", second_name="alex")
    assert says(heard, "onboarding.names_heard", name_a="Sam", name_b="Alex")
    question = couple.intent("ChooseStageIntent", stage_number="3")
    assert CONTENT.stage(3).summary in question.text and BANK[3][0] in question.text


def test_two_answers_are_stored_with_partner_stage_question_and_time(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    first = couple.answer("the way you laugh at your own jokes")
    assert says(first, "answer.heard", name="Sam", answer="the way you laugh at your own jokes")
    assert says(first, "answer.next_turn", other="Alex") and first.elicits == "answer"
    second = couple.answer("your patience")
    assert says(second, "answer.heard", name="Alex", answer="your patience")
    assert says(second, "answer.both_saved") and second.ended
    answers = sorted(stored(app), key=lambda a: a.answered_at)
    assert [(a.partner, a.partner_name, a.stage, a.question_id, a.text) for a in answers] == [
        ("a", "Sam", 1, "attraction-01", "the way you laugh at your own jokes"),
        ("b", "Alex", 1, "attraction-01", "your patience"),
    ]
    assert answers[0].answered_at < answers[1].answered_at
    assert answers[1].answered_at == couple.now  # "now" is the request's timestamp


def test_a_returning_couple_is_greeted_by_name_and_never_onboarded_again(couple: Couple) -> None:
    couple.onboard()
    couple.answer("one")
    couple.answer("two")
    couple.later(days=1)
    welcome = couple.launch()
    assert says(welcome, "launch.welcome_back", name_a="Sam", name_b="Alex")
    assert not says(welcome, "onboarding.ask_first_name")
    assert BANK[1][1] in welcome.text  # the next question of the stage
    assert CONTENT.stage(1).description not in welcome.text  # that was for the first evening
    assert CONTENT.stage(1).reminder not in welcome.text  # the description said it yesterday
    assert any(tip in welcome.text for tip in CONTENT.stage(1).tips)  # the week's tip


def test_one_shot_question_for_a_new_couple_onboards_briefly_first(couple: Couple) -> None:
    reply = couple.intent("TonightQuestionIntent", new_session=True)
    assert says(reply, "onboarding.welcome_before_question") and reply.elicits == "first_name"


def test_same_day_resumes_with_the_partner_who_has_not_answered(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    couple.answer("sam's answer")
    couple.intent("AMAZON.StopIntent")
    couple.later(hours=1)
    resumed = couple.intent("TonightQuestionIntent", new_session=True)
    assert says(resumed, "question.resume", question=BANK[1][0], name="Alex")
    couple.answer("alex's answer")
    assert len(stored(app)) == 2
    again = couple.intent("TonightQuestionIntent", new_session=True)
    assert says(again, "question.both_done")
    recap = couple.intent("AMAZON.YesIntent")
    assert "sam's answer" in recap.text and "alex's answer" in recap.text


def test_no_question_repeats_until_the_stage_bank_is_used_up(couple: Couple) -> None:
    couple.onboard(stage=2)
    heard = []
    for _ in range(len(BANK[2]) + 1):
        question = couple.intent("TonightQuestionIntent", new_session=True)
        heard.append(next(q for q in BANK[2] if q in question.text))
        couple.answer("a")
        couple.answer("b")
        couple.later(days=1)
    assert heard[: len(BANK[2])] == BANK[2]
    assert heard[-1] == BANK[2][0]  # then the bank starts again


def test_a_tip_comes_at_most_once_a_week_and_they_rotate(couple: Couple) -> None:
    """A replayed year of nightly evenings: one tip a week, never the same tip twice running."""
    tips = CONTENT.stage(1).tips
    couple.onboard()
    heard: list[tuple[int, str]] = []
    for night in range(1, 366):
        couple.later(days=1)
        reply = couple.intent("TonightQuestionIntent", new_session=True)
        said = [t for t in tips if t in reply.text]
        heard += [(night, t) for t in said]
        reminders = CONTENT.stage(1).reminder in reply.text
        assert len(said) <= 1 and (not reminders or night % 7 == 0)
    nights = [night for night, _ in heard]
    assert all(b - a >= 7 for a, b in zip(nights, nights[1:], strict=False))
    assert len(heard) >= 50  # about weekly
    said_in_order = [t for _, t in heard]
    assert all(a != b for a, b in zip(said_in_order, said_in_order[1:], strict=False))
    assert set(said_in_order) == set(tips)


def test_skip_before_anyone_answers_gives_another_question(couple: Couple) -> None:
    couple.onboard()
    skipped = couple.intent("SkipIntent")
    assert (
        says(skipped, "skip.another") and BANK[1][1] in skipped.text and skipped.elicits == "answer"
    )


def test_skip_after_one_answer_lets_the_other_partner_pass(couple: Couple, app: Stagewise) -> None:
    couple.onboard()
    couple.answer("only mine")
    passed = couple.intent("SkipIntent")
    assert says(passed, "skip.partner_passes", name="Alex") and passed.ended
    assert [a.text for a in stored(app)] == ["only mine"]


# -- recap ---------------------------------------------------------------------------


def test_recap_in_a_later_session_reads_the_question_and_each_answer(couple: Couple) -> None:
    couple.onboard()
    couple.answer("your laugh")
    couple.answer("your hands when you cook")
    couple.later(days=2)
    recap = couple.intent("RecapIntent", new_session=True, period=None)
    assert BANK[1][0] in recap.text
    [sam] = [v for v in variants("recap.said", name="Sam", answer="your laugh") if v in recap.text]
    [alex] = [
        v
        for v in variants("recap.said", name="Alex", answer="your hands when you cook")
        if v in recap.text
    ]
    assert recap.text.index(sam) < recap.text.index(alex)
    # The evening just heard can be kept as a favourite: the recap listens for a yes.
    assert says(recap, "memory.keep_offer") and not recap.ended
    assert couple.intent("AMAZON.NoIntent").ended


def test_recap_reads_at_most_three_evenings_at_a_time_newest_first_then_offers_more(
    couple: Couple,
) -> None:
    couple.onboard()
    for day in range(5):
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.answer(f"sam day {day}")
        couple.answer(f"alex day {day}")
        couple.later(hours=23)
    page = couple.intent("RecapIntent", new_session=True, period=None)
    heard: list[int] = []
    while True:
        days = [d for d in range(5) if f"sam day {d}" in page.text]
        assert 1 <= len(days) <= 3
        positions = [page.text.index(f"sam day {d}") for d in days]
        assert positions == sorted(positions, reverse=True) or len(days) == 1  # newest first
        heard += sorted(days, reverse=True)
        if says(page, "memory.keep_offer"):  # the end: keep the last evening heard?
            break
        assert says(page, "recap.more")
        page = couple.intent("AMAZON.YesIntent")
    assert heard == [4, 3, 2, 1, 0]  # every evening once, newest first


def test_recap_for_a_date_period_reads_only_that_period(couple: Couple) -> None:
    couple.onboard()  # Monday 2026-11-16
    couple.answer("monday sam")
    couple.answer("monday alex")
    couple.later(days=2)
    couple.intent("TonightQuestionIntent", new_session=True)
    couple.answer("wednesday sam")
    couple.answer("wednesday alex")
    couple.later(days=1)
    monday = couple.intent("RecapIntent", new_session=True, period="2026-11-16")
    assert "monday sam" in monday.text and "wednesday sam" not in monday.text
    later_week = couple.intent("RecapIntent", new_session=True, period="2026-W48")
    assert says(later_week, "recap.empty", period="in the week of November 23")


def test_last_week_on_a_saturday_includes_the_days_since(couple: Couple) -> None:
    couple.onboard()  # Monday 2026-11-16, ISO week 47
    couple.answer("this week sam")
    couple.answer("this week alex")
    couple.later(days=5)  # Saturday: Alexa sends "last week" as 2026-W46
    recap = couple.intent("RecapIntent", new_session=True, period="2026-W46")
    assert says(recap, "recap.intro", period="since you started, on Monday, November 16")
    assert "this week sam" in recap.text


def test_recap_with_nothing_stored_says_so_kindly_and_offers_a_question(couple: Couple) -> None:
    reply = couple.intent("RecapIntent", new_session=True, period="2026-W45")
    assert says(reply, "recap.empty", period="in the week of November 2")
    assert not reply.ended and says(reply, "offer.question")


def test_recap_escapes_what_was_said(couple: Couple) -> None:
    couple.onboard()
    couple.answer("tea & toast <3 \"always\" 'ours'")
    couple.answer("</speak><audio src='x'/>")
    recap = couple.intent("RecapIntent", new_session=True, period=None)
    assert "tea &amp; toast &lt;3 &quot;always&quot; &apos;ours&apos;" in recap.ssml
    assert "tea & toast <3 \"always\" 'ours'" in recap.text
    assert "<audio" not in recap.ssml


# -- stages --------------------------------------------------------------------------


def test_stage_info_says_where_they_are(couple: Couple) -> None:
    couple.onboard(stage=2)
    info = couple.intent("StageInfoIntent", new_session=True, stage_number=None)
    assert says(info, "stage.current", number=2, stage_name=CONTENT.stage(2).name)
    assert CONTENT.stage(2).summary in info.text and says(info, "offer.question")


def test_tell_me_more_about_this_stage_describes_the_couples_stage(couple: Couple) -> None:
    first = couple.onboard(stage=3)
    assert says(first, "stage.more_hint") and CONTENT.stage(3).description not in first.text
    more = couple.intent("StageMoreIntent")  # said while an answer is awaited: a side trip
    assert CONTENT.stage(3).description in more.text
    assert says(more, "answer.reprompt", name="Sam", question=BANK[3][0]) or says(
        more, "question.restate", name="Sam", question=BANK[3][0]
    )
    assert more.elicits == "answer"  # and the answer is still awaited
    elsewhere = Couple(couple.app, user_id="amzn1.ask.account.not-met", now=couple.now)
    overview = elsewhere.intent("StageMoreIntent", new_session=True)
    assert all(stage.name in overview.text for stage in CONTENT.stages)


def test_tell_me_about_stage_four(couple: Couple) -> None:
    info = couple.intent("StageInfoIntent", new_session=True, stage_number="4")
    assert CONTENT.stage(4).description in info.text


def test_moving_to_the_next_stage_needs_a_yes(couple: Couple) -> None:
    couple.onboard()
    couple.later(hours=1)
    ask = couple.intent("ChangeStageIntent", new_session=True, stage_number=None)
    assert says(
        ask,
        "stage.confirm",
        number=2,
        stage_name=CONTENT.stage(2).name,
        current_number=1,
        current_name=CONTENT.stage(1).name,
    )
    kept = couple.intent("AMAZON.NoIntent")
    assert says(kept, "stage.stay", number=1, stage_name=CONTENT.stage(1).name)
    couple.intent("ChangeStageIntent", new_session=True, stage_number="3")
    moved = couple.intent("AMAZON.YesIntent")
    assert says(moved, "stage.changed", number=3, stage_name=CONTENT.stage(3).name)
    question = couple.intent("AMAZON.YesIntent")  # tonight's unanswered question is kept
    assert says(question, "question.resume", question=BANK[1][0], name="Sam")
    couple.answer("a")
    couple.answer("b")
    couple.later(days=1)
    next_night = couple.intent("TonightQuestionIntent", new_session=True)
    assert CONTENT.stage(3).summary in next_night.text and BANK[3][0] in next_night.text


@pytest.mark.parametrize("value", ["7", "0", "-1", "two and a half", None])
def test_a_stage_outside_one_to_six_is_asked_again(couple: Couple, value: str | None) -> None:
    couple.onboard()
    reply = couple.intent("ChangeStageIntent", new_session=True, stage_number=value)
    if value is None:  # no number means "the next stage"
        assert says(
            reply,
            "stage.confirm",
            number=2,
            stage_name=CONTENT.stage(2).name,
            current_number=1,
            current_name=CONTENT.stage(1).name,
        )
    else:
        assert says(reply, "stage.out_of_range") and not reply.ended


def test_after_enough_questions_a_move_is_suggested_never_made(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    for _ in range(SUGGEST_NEXT_AFTER):
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.answer("a")
        last = couple.answer("b")
        couple.later(days=1)
    assert says(last, "stage.suggest_next", count=SUGGEST_NEXT_AFTER, next_number=2)
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.stage == 1


def test_the_last_stage_has_no_next(couple: Couple) -> None:
    couple.onboard(stage=6)
    reply = couple.intent("ChangeStageIntent", new_session=True, stage_number=None)
    assert says(reply, "stage.last", stage_name=CONTENT.stage(6).name)


# -- help, repeat, stop, fallback ----------------------------------------------------


def test_help_while_an_answer_is_awaited_explains_and_keeps_listening(couple: Couple) -> None:
    couple.onboard()
    reply = couple.intent("AMAZON.HelpIntent")
    assert says(reply, "help.answer", name="Sam") and reply.elicits == "answer"


def test_help_otherwise_explains_and_asks(couple: Couple) -> None:
    reply = couple.intent("AMAZON.HelpIntent", new_session=True)
    crisis = CONTENT.say("crisis.number")  # help says where to turn if someone feels unsafe
    assert says(reply, "help.general", crisis=crisis) and not reply.ended


def test_repeat_restates_the_question_and_whose_turn_it_is(couple: Couple) -> None:
    couple.onboard()
    couple.answer("first")
    again = couple.intent("AMAZON.RepeatIntent")
    assert says(again, "question.restate", question=BANK[1][0], name="Alex")
    assert again.elicits == "answer"


def test_repeat_after_a_skip_restates_the_new_question_only(couple: Couple) -> None:
    couple.onboard()
    couple.intent("SkipIntent")
    again = couple.intent("AMAZON.RepeatIntent")
    assert says(again, "question.restate", question=BANK[1][1], name="Sam")
    assert not says(again, "skip.another")


def test_fallback_while_answering_explains_how_to_answer(couple: Couple) -> None:
    couple.onboard()
    reply = couple.intent("AMAZON.FallbackIntent")
    assert says(reply, "fallback.answer", name="Sam") and reply.elicits == "answer"


def test_stop_after_one_answer_keeps_it_for_later(couple: Couple, app: Stagewise) -> None:
    couple.onboard()
    couple.answer("kept")
    bye = couple.intent("AMAZON.StopIntent")
    assert says(bye, "goodbye.answer_saved", name="Sam", other="Alex") and bye.ended
    assert [a.text for a in stored(app)] == ["kept"]


@pytest.mark.parametrize(
    "intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"]
)
def test_stop_cancel_and_home_close_warmly(couple: Couple, intent: str) -> None:
    reply = couple.intent(intent, new_session=True)
    assert says(reply, "goodbye.general") and reply.ended


def test_session_ended_gets_an_empty_response(couple: Couple) -> None:
    couple.launch()
    reply = couple.send(alexa.session_ended())
    assert reply.response == {} or "outputSpeech" not in reply.response


# -- bad input -----------------------------------------------------------------------


def test_an_unknown_intent_gets_a_spoken_recovery(couple: Couple) -> None:
    reply = couple.intent("SomethingElseIntent", new_session=True)
    assert says(reply, "fallback.general") and not reply.ended


def test_an_answer_without_a_value_is_asked_for_again(couple: Couple, app: Stagewise) -> None:
    couple.onboard()
    reply = couple.send(alexa.intent("AnswerIntent", {}))
    assert says(reply, "answer.missed", name="Sam") and reply.elicits == "answer"
    assert stored(app) == []


def test_names_without_values_are_asked_for_again(couple: Couple) -> None:
    couple.launch()
    reply = couple.intent("NamesIntent", first_name=None, second_name=None)
    assert says(reply, "onboarding.name_missed") and reply.elicits == "first_name"


def test_a_5000_character_answer_is_trimmed_not_dropped(couple: Couple, app: Stagewise) -> None:
    couple.onboard()
    long_answer = ("we laugh together " * 300)[:5000]
    couple.answer(long_answer)
    [kept] = stored(app)
    assert 0 < len(kept.text) <= MAX_ANSWER_CHARS
    assert long_answer.startswith(kept.text.rstrip("…"))
    recap = couple.intent("RecapIntent", new_session=True, period=None)
    spoken, cut = shorten(kept.text, RECAP_WORDS)
    assert cut and says(recap, "recap.said_long", name="Sam", answer=spoken)


def test_three_pages_of_maximum_answers_stay_within_alexas_limits(couple: Couple) -> None:
    couple.onboard()
    for _ in range(4):
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.answer("& < > \" ' " * 200)
        couple.answer("x" * 5000)
        couple.later(hours=23)
    couple.intent(
        "RecapIntent", new_session=True, period=None
    )  # check_response enforces the limits
    couple.intent("AMAZON.RepeatIntent")


def test_an_answer_with_no_open_question_offers_one(couple: Couple) -> None:
    couple.onboard()
    couple.answer("a")
    couple.answer("b")
    reply = couple.intent("AnswerIntent", new_session=True, answer="stray")
    assert says(reply, "answer.nothing_open") and says(reply, "offer.question")


@pytest.mark.parametrize("locale", ["de-DE", "ja-JP", "fr-FR"])
def test_an_unsupported_locale_gets_a_spoken_recovery(app: Stagewise, locale: str) -> None:
    couple = Couple(app)
    couple.device.locale = locale
    reply = couple.launch()
    assert says(reply, "error.locale") and reply.ended


@pytest.mark.parametrize("locale", ["en-GB", "en-AU", "en-IN", "en-CA"])
def test_english_locales_share_the_content(app: Stagewise, locale: str) -> None:
    couple = Couple(app)
    couple.device.locale = locale
    assert says(couple.launch(), "onboarding.welcome")


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"version": "1.0"},
        {"version": "1.0", "request": "launch"},
        {"version": "1.0", "request": {"type": "LaunchRequest"}},
        {"version": "1.0", "context": {}, "request": {"type": "IntentRequest", "intent": "x"}},
        {
            "version": "1.0",
            "context": {"System": "x"},
            "request": {"type": "LaunchRequest", "timestamp": "yesterday"},
        },
    ],
)
def test_a_malformed_envelope_gets_a_spoken_apology(app: Stagewise, event: dict) -> None:  # type: ignore[type-arg]
    from tests.conversation import check_response

    raw = handle_event(app, event)
    check_response(raw)
    assert Reply(raw).text in variants("error.unreadable") + variants("error.general")


class FailingWrites:
    """A store that works until told to fail, then refuses every write with `error`."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.error: Exception | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def add_answer(self, answer: Answer, profile: Profile) -> Profile:
        if self.error is not None:
            raise self.error
        return self.store.add_answer(answer, profile)

    def put_profile(self, profile: Profile) -> Profile:
        if self.error is not None:
            raise self.error
        return self.store.put_profile(profile)


@pytest.fixture
def failing(sqlite_store: SqliteStore) -> FailingWrites:
    return FailingWrites(sqlite_store)


@pytest.fixture
def failing_couple(failing: FailingWrites) -> Couple:
    return Couple(build_skill(Settings(store_url="sqlite:///:memory:"), store=failing))  # type: ignore[arg-type]


def test_an_answer_refused_by_the_store_is_kept_told_truthfully_and_written_when_it_recovers(
    failing: FailingWrites, failing_couple: Couple
) -> None:
    failing_couple.onboard()
    failing_couple.answer("precious")
    before = failing.store.get_profile(failing_couple.device.user_id)
    failing.error = StorageError("DynamoDB add answer failed (InternalServerError)", "500")
    reply = failing_couple.answer("said during the outage")
    assert says(reply, "answer.not_saved", name="Alex") and not reply.ended
    assert [a.text for a in stored_in(failing.store)] == ["precious"]  # nothing claimed
    assert failing.store.get_profile(failing_couple.device.user_id) == before
    failing.error = None  # the store is back
    saved = failing_couple.intent("AMAZON.YesIntent")
    assert says(saved, "answer.heard", name="Alex", answer="said during the outage")
    assert sorted(a.text for a in stored_in(failing.store)) == [
        "precious",
        "said during the outage",
    ]


def test_an_outage_that_lasts_is_told_and_nothing_is_claimed(
    failing: FailingWrites, failing_couple: Couple
) -> None:
    failing_couple.onboard()
    failing.error = StorageError("DynamoDB add answer failed (ThrottlingException)", "Throttling")
    failing_couple.answer("said during the outage")
    gone = failing_couple.intent("AMAZON.YesIntent")
    assert says(gone, "answer.still_not_saved", name="Sam") and gone.ended
    assert stored_in(failing.store) == []
    for key in ("error.storage", "answer.not_saved", "answer.still_not_saved"):
        assert all("safe" not in v for v in CONTENT.variants(key))


def test_an_unexpected_error_is_logged_without_what_was_said(
    failing: FailingWrites, failing_couple: Couple, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    failing_couple.onboard()
    failing.error = RuntimeError("could not write 'our secret lake house'")
    reply = failing_couple.answer("our secret lake house")
    assert says(reply, "error.general") and reply.ended
    assert "RuntimeError" in caplog.text  # the operator still learns what broke, and where
    assert "lake house" not in caplog.text and "secret" not in caplog.text


def stored_in(store: SqliteStore, household: str = "amzn1.ask.account.test-couple") -> list[Answer]:
    return store.answers(household, start=EVER, until=EVER + timedelta(days=3650), limit=1000)


def test_two_devices_on_one_store_hear_the_question_that_was_stored(
    app: Stagewise, couple: Couple
) -> None:
    """Two Echos skip at once: the later one hears, and files answers under, what was stored."""
    couple.onboard()  # day one: question 1, on the kitchen Echo
    couple.answer("a")
    couple.answer("b")
    couple.later(days=1)
    kitchen = couple
    bedroom = Couple(app, now=kitchen.now)
    bedroom.device.device_id = "amzn1.ask.device.bedroom"
    assert BANK[1][1] in kitchen.intent("TonightQuestionIntent", new_session=True).text
    assert says(
        bedroom.intent("TonightQuestionIntent", new_session=True),
        "question.resume",
        question=BANK[1][1],
        name="Alex",  # the second evening: the other partner answers first
    )
    assert BANK[1][2] in bedroom.intent("SkipIntent").text  # stored: question 3
    skipped = kitchen.intent("SkipIntent")  # its session still thinks question 2 is current
    stored_now = app.services.store.get_profile(kitchen.device.user_id)
    assert stored_now is not None and stored_now.current is not None
    spoken = next(q for q in CONTENT.questions[1] if q.text in skipped.text)
    assert spoken.id == stored_now.current.question_id == CONTENT.questions[1][3].id
    kitchen.answer("filed under what we heard")
    [latest] = [a for a in stored(app) if a.text == "filed under what we heard"]
    assert (latest.question_id, latest.question_text) == (spoken.id, spoken.text)


def test_a_known_couple_can_change_their_names(app: Stagewise, couple: Couple) -> None:
    couple.onboard()
    couple.answer("a")
    couple.answer("b")
    couple.later(hours=1)
    asked = couple.intent("NamesIntent", new_session=True, first_name="jo", second_name="max")
    assert says(asked, "rename.confirm", name_a="Jo", name_b="Max")
    unchanged = app.services.store.get_profile(couple.device.user_id)
    assert unchanged is not None and unchanged.partner_a == "Sam"  # nothing before the yes
    renamed = couple.intent("AMAZON.YesIntent")
    assert says(renamed, "rename.done", name_a="Jo", name_b="Max")
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and (profile.partner_a, profile.partner_b) == ("Jo", "Max")
    couple.later(days=1)
    assert says(couple.launch(), "launch.welcome_back", name_a="Jo", name_b="Max")


def test_renaming_needs_both_names(app: Stagewise, couple: Couple) -> None:
    couple.onboard()
    reply = couple.intent("NamesIntent", new_session=True, first_name="jo")
    assert says(reply, "rename.need_both") and not reply.ended
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.partner_a == "Sam"


def respond_to(app: Stagewise, couple: Couple) -> dict:  # type: ignore[type-arg]
    from skill.app import parse_envelope, respond

    event = couple.device.envelope(alexa.launch(), couple.now)
    return respond(app, event, parse_envelope(event))


def test_another_skills_request_is_rejected(sqlite_store: SqliteStore) -> None:
    from skill.app import ForeignSkillError

    app = build_skill(
        Settings(store_url="x://", skill_id="amzn1.ask.skill.ours"), store=sqlite_store
    )
    couple = Couple(app)
    couple.device.skill_id = "amzn1.ask.skill.someone-else"
    with pytest.raises(ForeignSkillError):  # the web endpoint turns this into a 400
        respond_to(app, couple)
    ignored = couple.launch()  # through handle_event (Lambda): nothing said, nothing stored
    assert ignored.raw == {"version": "1.0", "response": {}}
    assert app.services.store.get_profile(couple.device.user_id) is None
    couple.device.skill_id = "amzn1.ask.skill.ours"
    assert says(couple.launch(), "onboarding.welcome")


# -- skill events and privacy --------------------------------------------------------


def test_disabling_the_skill_deletes_the_households_data(couple: Couple, app: Stagewise) -> None:
    couple.onboard()
    couple.answer("private")
    event = alexa.Device(user_id=couple.device.user_id).envelope(
        alexa.skill_event("SkillDisabled"), couple.now
    )
    raw = handle_event(app, event)
    assert "outputSpeech" not in raw["response"]
    assert stored(app) == [] and app.services.store.get_profile(couple.device.user_id) is None


@pytest.mark.parametrize(
    "event_type", ["SkillEnabled", "SkillPermissionAccepted", "SkillPermissionChanged"]
)
def test_other_skill_events_get_an_empty_response(
    couple: Couple, app: Stagewise, event_type: str
) -> None:
    couple.onboard()
    event = alexa.Device(user_id=couple.device.user_id).envelope(
        alexa.skill_event(event_type), couple.now
    )
    raw = handle_event(app, event)
    assert "outputSpeech" not in raw["response"]
    assert app.services.store.get_profile(couple.device.user_id) is not None


def test_logs_never_hold_answers_names_or_user_ids(
    couple: Couple, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    couple.onboard(first="zephyrina", second="bartholomew")
    couple.answer("my secret answer")
    couple.answer("another secret")
    couple.intent("RecapIntent", new_session=True, period=None)
    logged = caplog.text.lower()
    for private in ("zephyrina", "bartholomew", "secret", "test-couple"):
        assert private not in logged


def test_session_state_of_another_household_is_never_trusted(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    forged = dict(couple.device.attributes)
    profile = json.loads(forged["profile"])
    forged["profile"] = json.dumps({**profile, "household_id": "amzn1.ask.account.victim"})
    couple.device.attributes = forged
    couple.answer("mine")
    assert app.services.store.get_profile("amzn1.ask.account.victim") is None
    assert [a.household_id for a in stored(app)] == [couple.device.user_id]


def test_names_can_be_corrected_before_choosing_a_stage(couple: Couple) -> None:
    couple.launch()
    couple.intent("NamesIntent", first_name="sam", second_name="alec")
    fixed = couple.intent("NamesIntent", first_name="sam", second_name="alex")
    assert says(fixed, "onboarding.names_heard", name_a="Sam", name_b="Alex")
    question = couple.intent("AMAZON.YesIntent")
    assert any(question.text.endswith(v) for v in variants("question.you_first", name="Sam"))
    assert "Alec" not in couple.intent("AnswerIntent", answer="x").text


@pytest.mark.parametrize("intent", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent"])
def test_help_and_fallback_in_a_yes_no_moment_ask_the_question_again(
    couple: Couple, intent: str
) -> None:
    couple.onboard()
    couple.later(hours=1)
    couple.intent("ChangeStageIntent", new_session=True, stage_number="3")
    reply = couple.intent(intent)
    assert says(reply, "stage.confirm_reprompt", number=3) and not reply.ended
    assert says(
        couple.intent("AMAZON.YesIntent"),
        "stage.changed",
        number=3,
        stage_name=CONTENT.stage(3).name,
    )


@pytest.mark.parametrize("awaiting", ["name", "stage_choice"])
@pytest.mark.parametrize(
    "intent", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.NoIntent"]
)
def test_every_onboarding_moment_recovers_with_a_question(
    couple: Couple, awaiting: str, intent: str
) -> None:
    couple.launch()
    if awaiting == "stage_choice":
        couple.intent("NamesIntent", first_name="sam", second_name="alex")
    reply = couple.intent(intent)  # check_response requires a question in an open session
    assert not reply.ended


def test_last_time_on_a_weekly_ritual_includes_last_weeks_evening(couple: Couple) -> None:
    couple.onboard()  # Monday 20:00
    couple.answer("a week ago")
    couple.answer("also a week ago")
    couple.later(days=7, hours=-1)  # next Monday, an hour earlier in the evening
    recap = couple.intent("RecapIntent", new_session=True, period=None)
    assert "a week ago" in recap.text
