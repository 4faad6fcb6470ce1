"""The profile rules on small profiles: each rule's yes and its no, without the SDK."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from skill.journey import MILESTONES, YEAR, Journey
from skill.profile_rules import (
    EveningEnd,
    answer_recorded,
    completes_evening,
    declined_next_stage,
    evening_end,
    evenings_shared,
    offer_due,
    shared_tonight,
    started,
    unanswer,
    with_offer,
    year_ago_due,
    year_ago_look,
    year_ago_none_found,
    year_ago_noted,
)
from skill.reconnect import OFFER_AFTER_EVENINGS, Ritual
from skill.records import Answer, CurrentQuestion, Profile

TONIGHT = date(2026, 12, 5)


def couple(
    answered: tuple[str, ...] = (),
    *,
    shared: int = 0,
    stage: int = 1,
    **changes: object,
) -> Profile:
    """Maya and Jordan on tonight's question, `shared` evenings behind them in `stage`."""
    current = CurrentQuestion("s1-q1", stage, TONIGHT, answered=answered)
    base = Profile("h1", "Maya", "Jordan", stage=stage, current=current)
    return base.with_changes(completed={stage: shared} if shared else {}, **changes)


def answer(partner: str, question_id: str = "s1-q1") -> Answer:
    at = datetime(2026, 12, 5, 20, tzinfo=UTC)
    return Answer("h1", at, partner, "Maya", 1, question_id, "?", "coffee")


# -- evenings ----------------------------------------------------------------------------


def test_an_evening_completes_only_with_the_second_partners_answer() -> None:
    none, one = couple().current, couple(("a",)).current
    assert none is not None and one is not None
    assert not completes_evening(none, "a")
    assert not completes_evening(one, "a")  # the same partner again
    assert completes_evening(one, "b")


def test_an_answer_counts_the_evening_once_both_have_answered() -> None:
    first = answer_recorded(couple(), "a", TONIGHT)
    assert first.current is not None and first.current.answered == ("a",)
    assert first.journey == Journey() and evenings_shared(first) == 0
    both = answer_recorded(first, "b", TONIGHT)
    assert both.journey.latest == TONIGHT and both.journey.first == TONIGHT
    assert evenings_shared(both) == 1
    assert answer_recorded(both, "b", TONIGHT) == both  # said again: counted once


def test_they_started_on_their_first_shared_evening_else_the_day_they_met_stagewise() -> None:
    met = couple(created_at="2026-11-30T19:00:00.000000Z")
    assert started(met) == date(2026, 11, 30)
    assert started(met.with_changes(journey=Journey(first=TONIGHT))) == TONIGHT
    assert started(couple()) is None
    assert started(couple(created_at="not a time")) is None


def test_an_evening_of_another_day_is_not_counted_tonight() -> None:
    done = couple(("a", "b"))
    assert shared_tonight(done, TONIGHT).journey.latest == TONIGHT
    assert shared_tonight(done, TONIGHT + timedelta(days=1)) == done


def test_deleting_an_answer_lets_it_be_given_again_and_uncounts_the_evening() -> None:
    done = couple(("a", "b"), shared=3)
    after = unanswer(done, (answer("b"),))
    assert after.current is not None and after.current.answered == ("a",)
    assert after.completed == {1: 2}
    assert unanswer(done, (answer("b", "s1-q9"),)) == done  # another question's answer
    half = couple(("a",), shared=3)
    assert unanswer(half, (answer("a"),)).completed == {1: 3}  # not counted yet: nothing back


def test_a_declined_move_is_remembered_only_for_the_next_stage() -> None:
    profile = couple(stage=2)
    assert declined_next_stage(profile, 3).journey.declined_stage == 2
    assert declined_next_stage(profile, 4) == profile


# -- the gentle offer --------------------------------------------------------------------


def test_the_offer_is_due_from_the_third_shared_evening_once_and_never_with_a_reminder() -> None:
    assert not offer_due(couple(shared=OFFER_AFTER_EVENINGS - 1))
    assert offer_due(couple(shared=OFFER_AFTER_EVENINGS))
    assert not offer_due(couple(shared=9, ritual=Ritual(offered=True)))
    with_reminder = Ritual(reminder_token="token-1", reminder_day="SU", reminder_time="20:00")
    assert with_reminder.has_reminder
    assert not offer_due(couple(shared=9, ritual=with_reminder))


def test_the_offer_is_marked_only_when_the_evening_that_earns_it_ends() -> None:
    ended = couple(("a", "b"), shared=OFFER_AFTER_EVENINGS)
    assert with_offer(ended, TONIGHT).ritual.offered
    halfway = couple(("a",), shared=OFFER_AFTER_EVENINGS)
    assert with_offer(halfway, TONIGHT) == halfway
    suggested = ended.with_changes(suggested_on=TONIGHT)  # one suggestion an evening
    assert with_offer(suggested, TONIGHT) == suggested


# -- a year ago --------------------------------------------------------------------------


def test_a_year_ago_is_due_from_about_a_year_on_and_then_weekly() -> None:
    began = TONIGHT - timedelta(days=YEAR)
    profile = couple(journey=Journey(first=began))
    assert year_ago_due(profile, TONIGHT)
    assert not year_ago_due(couple(journey=Journey(first=TONIGHT - timedelta(days=300))), TONIGHT)
    assert not year_ago_due(couple(), TONIGHT)  # never shared an evening
    looked = year_ago_noted(profile, year_ago_none_found(TONIGHT))
    days = [TONIGHT + timedelta(days=n) for n in range(15)]
    assert [d for d in days if year_ago_due(looked, d)] == [d for d in days[7:]]


def test_a_year_ago_is_looked_for_only_by_the_answer_that_ends_the_evening() -> None:
    journey = Journey(first=TONIGHT - timedelta(days=YEAR + 10))
    assert not year_ago_look(couple(journey=journey), "a", TONIGHT)
    assert year_ago_look(couple(("a",), journey=journey), "b", TONIGHT)
    assert not year_ago_look(couple(("a",)), "b", TONIGHT)  # not yet a year


# -- the end of an evening ---------------------------------------------------------------


def test_a_first_evening_ends_with_nothing_but_the_goodbye() -> None:
    before = couple(("a",))
    after = answer_recorded(before, "b", TONIGHT)
    assert evening_end(before, after, TONIGHT) == EveningEnd()


def test_the_evening_that_reaches_a_milestone_celebrates_it_once() -> None:
    weeks = MILESTONES[0]
    last_week = TONIGHT - timedelta(days=7)
    journey = Journey(
        first=TONIGHT - timedelta(days=7 * weeks),
        latest=last_week,
        streak=weeks - 1,
        streak_week=last_week - timedelta(days=last_week.weekday()),
    )
    before = couple(("a",), shared=weeks - 1, journey=journey, ritual=Ritual(offered=True))
    after = answer_recorded(before, "b", TONIGHT)
    assert evening_end(before, after, TONIGHT) == EveningEnd(milestone=weeks)
    again = unanswer(after, (answer("b"),))  # deleted and given again the same night
    assert evening_end(again, answer_recorded(again, "b", TONIGHT), TONIGHT) == EveningEnd()


def test_the_third_evening_brings_the_offer_unless_it_may_not() -> None:
    before = couple(("a",), shared=OFFER_AFTER_EVENINGS - 1)
    after = answer_recorded(before, "b", TONIGHT)
    assert evening_end(before, after, TONIGHT) == EveningEnd(offer_reminder=True)
    assert evening_end(before, after, TONIGHT, may_offer=False) == EveningEnd()


@pytest.mark.parametrize("suggested_before", [None, TONIGHT])
def test_the_next_stage_is_suggested_by_the_write_that_first_notes_it(
    suggested_before: date | None,
) -> None:
    before = couple(("a",), shared=20, ritual=Ritual(offered=True), suggested_on=suggested_before)
    after = answer_recorded(before, "b", TONIGHT)
    assert after.suggested_on == TONIGHT
    end = evening_end(before, after, TONIGHT)
    assert end == EveningEnd(suggest_next_stage=suggested_before is None)
    assert replace(end, suggest_next_stage=False) == EveningEnd()
