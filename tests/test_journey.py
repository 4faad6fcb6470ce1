"""A year replayed by request timestamps: counters, milestones, the summary, and no guilt."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from skill.app import Stagewise
from skill.content import load_content
from skill.journey import MILESTONES, Journey, span_of, week_of
from skill.records import Profile
from skill.store.items import packed_profile_item
from tests.conversation import Couple, Reply, says, variants
from tests.test_profile_size import USER_ID, dynamodb_size
from tests.test_transcripts import pattern

CONTENT = load_content()
GUILT = re.compile(r"\bmissed\b|\bonly\b|\bagain\?|\bskipped\b|\bsince you last\b", re.I)
WORDS_PER_SECOND = 2.5


QUESTIONS = [q.text for stage in CONTENT.questions.values() for q in stage]


def guilty(reply: Reply) -> bool:
    """A guilt word in what the skill said around tonight's question (not in the question)."""
    text = reply.text
    for question in QUESTIONS:
        text = text.replace(question, "")
    return bool(GUILT.search(text))


def milestone_weeks(reply: Reply) -> int | None:
    for variant in CONTENT.variants("journey.milestone"):
        found = re.search(re.escape(variant).replace(r"\{weeks\}", r"(\d+)"), reply.text)
        if found:
            return int(found.group(1))
    return None


def evening(couple: Couple) -> list[Reply]:
    """One shared evening: open, both answer."""
    replies = [couple.intent("TonightQuestionIntent", new_session=True)]
    replies.append(couple.answer("the way you listen"))
    replies.append(couple.answer("your morning coffee ritual"))
    return replies


def profile(app: Stagewise) -> Profile:
    found = app.services.store.get_profile("amzn1.ask.account.test-couple")
    assert found is not None
    return found


def replay(couple: Couple, weeks: list[bool]) -> list[tuple[int, list[Reply]]]:
    """Week by week from Monday: a shared Monday and Thursday in each week marked True."""
    heard = []
    for number, shared in enumerate(weeks, 1):
        monday = couple.now
        if shared:
            heard.append((number, evening(couple)))
            couple.later(days=3)
            heard.append((number, evening(couple)))
        couple.now = monday
        couple.later(days=7)
    return heard


@pytest.fixture
def met(couple: Couple) -> Couple:
    couple.onboard("maya", "jordan")  # Monday: the first evening's question is asked
    couple.answer("first")
    couple.answer("second")
    couple.later(days=7)
    return couple


def test_a_steady_year_hears_each_milestone_once_and_never_a_guilty_word(
    met: Couple, app: Stagewise
) -> None:
    heard = replay(met, [True] * 52)
    said = [(week, milestone_weeks(r)) for week, replies in heard for r in replies]
    milestones = [(week, m) for week, m in said if m is not None]
    # The first week (onboarding) counts as week one; week N of the replay is streak N + 1.
    assert [m for _, m in milestones] == list(MILESTONES)
    assert all(week + 1 == m for week, m in milestones)
    for _, replies in heard:
        for reply in replies:
            assert not guilty(reply), reply.text
    journey = profile(app).journey
    assert journey.streak == 53 and journey.first == (met.now - timedelta(days=53 * 7)).date()
    # A year through the handlers leaves a profile DynamoDB bills one write unit for, even
    # under one of Alexa's 225-character user IDs.
    stored = packed_profile_item(profile(app).with_changes(household_id=USER_ID))
    assert dynamodb_size(stored) <= 1024


def test_after_a_gap_the_count_starts_afresh_and_nothing_is_said_about_it(
    met: Couple, app: Stagewise
) -> None:
    heard = replay(met, [True, True, False, False, True, True, True, True, True])
    by_week: dict[int, list[int | None]] = {}
    for week, replies in heard:
        by_week.setdefault(week, []).extend(milestone_weeks(r) for r in replies)
    assert 4 not in by_week[2] + by_week[5]  # week 3 would have been the 4th: no, it was a gap
    assert any(m == 4 for m in by_week[8])  # weeks 5-8 after the gap: four in a row again
    back = heard[4][1]  # the first evening after the gap
    assert all(not guilty(r) and milestone_weeks(r) is None for r in back)
    assert profile(app).journey.streak == 5


def test_how_are_we_doing_is_warm_and_under_twenty_seconds(met: Couple, app: Stagewise) -> None:
    replay(met, [True] * 30)
    reply = met.intent("JourneyIntent", new_session=True)
    stage = CONTENT.stage(1)
    assert says(reply, "journey.evenings", evenings=61, span="7 months", stage_evenings=61)
    assert stage.name in reply.text
    assert len(reply.text.split()) / WORDS_PER_SECOND < 20
    assert not guilty(reply)
    assert not reply.ended  # it offers tonight's question


def test_how_are_we_doing_before_any_shared_evening(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    reply = couple.intent("JourneyIntent", new_session=True)
    assert says(reply, "journey.none_yet") and says(
        reply, "journey.stage", number=1, stage_name=CONTENT.stage(1).name
    )


def test_no_journey_line_counts_what_was_missed() -> None:
    keys = [k for k in CONTENT.prompts if k.startswith(("journey.", "voices.", "memory."))]
    assert keys
    for key in keys:
        for variant in CONTENT.variants(key):
            assert not GUILT.search(variant), (key, variant)


def test_a_stage_move_declined_is_never_suggested_again_in_that_stage(
    met: Couple, app: Stagewise
) -> None:
    met.intent("ChangeStageIntent", new_session=True, stage_number="2")
    met.intent("AMAZON.NoIntent")
    assert profile(app).journey.declined_stage == 1
    heard = replay(met, [True] * 6)  # enough evenings and weeks for a suggestion
    assert not any(
        says(r, "stage.suggest_next", count=r.text, next_number=2) or "stage 2 is" in r.text
        for _, rs in heard
        for r in rs
    )


def test_without_a_no_the_next_stage_is_suggested_at_most_weekly(met: Couple) -> None:
    heard = replay(met, [True] * 6)
    suggested = [week for week, rs in heard for r in rs if "stage 2 is" in r.text]
    assert suggested and len(suggested) == len(set(suggested))


def test_counters_round_trip_and_weeks_start_on_monday() -> None:
    thursday = date(2026, 11, 19)
    journey = Journey().shared_evening(thursday, 2).with_favourite("trust-01", thursday, 5)
    assert Journey.from_dict(journey.to_dict()) == journey
    assert week_of(thursday) == date(2026, 11, 16)
    assert journey.shared_evening(thursday, 2) == journey  # one evening counts once


def offered_year_ago(reply: Reply) -> bool:
    return pattern("memory.year_ago_offer").search(reply.text) is not None


def test_a_year_on_the_evening_a_year_ago_is_offered_once_and_read_back(
    met: Couple, app: Stagewise
) -> None:
    heard = replay(met, [True] * 52)
    offers = [(week, r) for week, replies in heard for r in replies if offered_year_ago(r)]
    assert offers and offers[0][0] == 51  # day 360: the first evening (day 0) is within a week
    first_question = CONTENT.questions[1][0].text
    assert first_question in offers[0][1].text
    assert len(offers) == len({r.text for _, r in offers})  # never the same evening twice
    weeks = [week for week, _ in offers]
    assert all(b - a >= 1 for a, b in zip(weeks, weeks[1:], strict=False))  # about weekly


def test_an_empty_week_a_year_back_is_looked_for_weekly_and_nothing_is_missed(
    met: Couple, app: Stagewise
) -> None:
    """Issue 21: a look that finds nothing is noted, so the next is a week later, not tomorrow
    (each look spans a week either side, so a later evening is still found and offered)."""
    first = met.now.date() - timedelta(days=7)  # the fixture's first evening
    met.later(days=23)
    evening(met)  # day 30: the only other evening of their first year
    met.later(days=350)
    offered_on = []
    for night in range(380, 397):  # every night; a year back from 380 is days 8 to 22: empty
        if offered_year_ago(evening(met)[-1]):
            offered_on.append(night)
        if night == 380:  # looked, found nothing: noted as dealt with up to a year back
            assert profile(app).journey.year_ago_on == first + timedelta(days=15)
        met.later(days=1)
    assert offered_on == [394]  # looks on nights 380, 387 and 394, which finds day 30


def test_what_did_we_say_a_year_ago_before_a_year(met: Couple) -> None:
    replay(met, [True] * 3)
    reply = met.intent("RecapYearAgoIntent", new_session=True)
    assert says(reply, "memory.year_ago_none")


def test_yes_to_the_year_ago_offer_reads_the_first_evening(met: Couple, app: Stagewise) -> None:
    met.now += timedelta(days=365 - 7)  # a year after the first evening
    offer = evening(met)[-1]
    assert says(offer, "answer.both_saved") and offered_year_ago(offer)
    assert CONTENT.questions[1][0].text in offer.text and not offer.ended
    reply = met.intent("AMAZON.YesIntent")
    assert says(reply, "memory.year_ago", question=CONTENT.questions[1][0].text)
    assert "Maya said: first." in reply.text and "Jordan said: second." in reply.text
    assert says(reply, "memory.keep_offer") and not reply.ended  # a memory worth keeping?
    asked = met.intent("RecapYearAgoIntent", new_session=True)
    assert "Maya said: first." in asked.text
    assert profile(app).journey.year_ago_on == (met.now - timedelta(days=365)).date()


def shared(couple: Couple, maya: str, jordan: str) -> None:
    couple.intent("TonightQuestionIntent", new_session=True)
    couple.both_answer(maya=maya, jordan=jordan)
    couple.later(days=1)


def test_what_did_we_say_in_a_stage_reads_three_evenings_newest_first_then_more(
    couple: Couple,
) -> None:
    couple.onboard("maya", "jordan")
    couple.later(hours=1)
    for night in range(1, 6):
        shared(couple, f"stage one night {night}", f"jordan one {night}")
    couple.intent("ChangeStageIntent", new_session=True, stage_number="2")
    couple.intent("AMAZON.YesIntent")
    for night in range(1, 3):
        shared(couple, f"stage two night {night}", f"jordan two {night}")
    reply = couple.intent("RecapStageIntent", new_session=True, stage_number="1")
    assert says(reply, "recap.intro", period="in stage 1")
    pages = []
    while True:
        nights = [int(n) for n in re.findall(r"stage one night (\d)", reply.text)]
        assert 1 <= len(nights) <= 3 and "stage two" not in reply.text  # at most three a page
        pages.append(nights)
        if says(reply, "memory.keep_offer"):  # the end: keep the last evening heard?
            break
        assert says(reply, "recap.more")
        reply = couple.intent("AMAZON.YesIntent")
    assert [n for page in pages for n in page] == [5, 4, 3, 2, 1]  # newest first, all of them
    assert len(pages) >= 2
    two = couple.intent("RecapStageIntent", new_session=True, stage_number="2")
    assert re.findall(r"stage (\w+) night (\d)", two.text)[0] == ("two", "2")
    assert "stage one" not in two.text
    none = couple.intent("RecapStageIntent", new_session=True, stage_number="5")
    assert says(none, "recap.empty", period="in stage 5")


def test_keep_that_one_after_tonight_or_a_recap_and_play_our_favourites(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard("maya", "jordan")
    couple.later(hours=1)
    for night in range(1, 5):
        shared(couple, f"maya night {night}", f"jordan night {night}")
    nothing = couple.intent("PlayFavouritesIntent", new_session=True)
    assert says(nothing, "memory.no_favourites")
    # Tonight's answers, then "that's a favourite" (a one-shot after the wrap-up).
    couple.intent("TonightQuestionIntent", new_session=True)
    couple.answer("maya tonight")
    couple.answer("jordan tonight")
    kept = couple.intent("FavouriteIntent", new_session=True)
    assert says(kept, "memory.favourite_kept")
    # A recap item: the last one heard on the page is kept; the recap goes on.
    couple.later(days=1)
    page = couple.intent("RecapStageIntent", new_session=True, stage_number="1")
    heard = re.findall(r"maya (night \d|tonight)", page.text)
    assert heard[:2] == ["tonight", "night 4"] and not page.ended
    last_heard = heard[-1].split()[-1]  # "keep that one": the last evening heard
    again = couple.intent("FavouriteIntent")
    assert says(again, "memory.favourite_kept") and not again.ended
    assert len(profile(app).journey.favourites) == 2
    first = couple.intent("PlayFavouritesIntent", new_session=True)
    assert f"Maya said: maya night {last_heard}." in first.text
    assert f"Jordan said: jordan night {last_heard}." in first.text
    assert says(first, "memory.favourite_more")
    second = couple.intent("AMAZON.YesIntent")
    assert "Maya said: maya tonight." in second.text and second.ended


def test_a_favourite_whose_answers_were_deleted_says_so(couple: Couple, app: Stagewise) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("maya one")
    couple.answer("jordan one")
    couple.intent("FavouriteIntent", new_session=True)
    household = couple.device.user_id
    for answer in app.services.store.answers(
        household, start=couple.now - timedelta(days=1), until=couple.now, limit=10
    ):
        profile = app.services.store.get_profile(household)
        assert profile is not None
        app.services.store.delete_answers(household, [answer], profile)
    reply = couple.intent("PlayFavouritesIntent", new_session=True)
    assert says(reply, "memory.favourite_gone") and "maya one" not in reply.text


# -- the calendar rules (skill.journey's docstring), at their edges --------------------------

MONDAY = date(2026, 11, 16)


def on(*offsets: int) -> list[date]:
    return [MONDAY + timedelta(days=n) for n in offsets]


@pytest.mark.parametrize(
    ("evenings", "streak", "milestone"),
    [
        (on(0, 7, 14, 21), 4, 4),  # four Mondays: four weeks in a row
        (on(6, 13, 20, 27), 4, 4),  # four Sundays: six evenings between, the reconnect's rhythm
        (on(0, 7, 14, 27), 1, None),  # back on a Sunday 13 days after a Monday: a week away
        (on(0, 7, 14, 20, 26), 4, 4),  # Sunday, then the Saturday: six days on, no week away
        (on(0, 7, 14, 16, 24), 1, None),  # Wednesday, then Thursday week: next week, but away
        (on(0, 7, 14, 16, 23), 4, 4),  # Wednesday to Wednesday: seven days, never a week away
        (on(6, 14, 20), 1, None),  # Sunday, then Monday week: a calendar week with none
        (on(6, 7, 14, 21), 4, 4),  # Sunday then Monday: weeks in a row, one day apart
        (on(0, 1, 2, 3, 4, 5, 6), 1, None),  # a whole week of evenings is one week
    ],
)
def test_weeks_in_a_row_at_the_calendars_edges(
    evenings: list[date], streak: int, milestone: int | None
) -> None:
    journey = Journey()
    for day in evenings:
        journey = journey.shared_evening(day, 1)
    assert journey.streak == streak
    assert journey.milestone_tonight(evenings[-1]) == milestone
    if milestone is None:
        assert all(journey.milestone_tonight(day) is None for day in evenings)


@pytest.mark.parametrize(
    ("days_on", "evenings", "said"),
    [
        (0, 1, ("first_week", 0)),
        (6, 7, ("first_week", 0)),  # seven evenings: still the first week
        (7, 8, ("day", 8)),
        (12, 11, ("day", 13)),
        (13, 11, ("week", 2)),  # 13 days on: two weeks, never "11 evenings over one week"
        (17, 18, ("week", 3)),  # 18 evenings cannot fit in two weeks
        (17, 5, ("week", 3)),  # 18 evenings' span: nearer three weeks than two
        (20, 10, ("week", 3)),
        (61, 30, ("week", 9)),  # 62 evenings
        (62, 30, ("month", 2)),  # 63 evenings: nine weeks are said as months
        (364, 200, ("month", 12)),
        (728, 400, ("month", 24)),
        (729, 400, ("year", 2)),
    ],
)
def test_how_long_is_said_truthfully(days_on: int, evenings: int, said: tuple[str, int]) -> None:
    unit, count = span_of(MONDAY, MONDAY + timedelta(days=days_on), evenings)
    assert (unit, count) == said
    if unit == "week":  # never more evenings than the span holds
        assert evenings <= count * 7


def test_how_are_we_doing_after_thirteen_days_and_a_stage_change(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.both_answer(maya="one", jordan="two")
    for night in range(1, 14):
        couple.later(days=1)
        if night in (3, 9):
            continue  # two evenings away: eleven shared in fourteen
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.both_answer(maya="the long walks", jordan="our tiny garden")
    couple.later(hours=1)
    reply = couple.intent("JourneyIntent", new_session=True)
    assert says(
        reply, "journey.evenings", evenings=12, span=variants("journey.span.week", count=2)[0]
    )
    couple.intent("ChangeStageIntent", new_session=True, stage_number="2")
    couple.intent("AMAZON.YesIntent")
    moved = couple.intent("JourneyIntent", new_session=True)
    assert "0 of them" not in moved.text and not pattern("journey.evenings_in_stage").search(
        moved.text
    )
    assert says(
        moved, "journey.evenings", evenings=12, span=variants("journey.span.week", count=2)[0]
    )
