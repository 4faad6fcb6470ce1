"""Which question each evening, replayed night by night: the README's promise holds at its edges.

Every figure is derived from the bank and skill.question_order's constants, never retyped:
how long a stage runs before a question comes back, how often check-ins and seasonal
questions recur, and that a seasonal question is heard only in its season, by the couple's
own calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from skill.content import SEASONS, STAGE_COUNT, Content, Question, load_content
from skill.question_order import (
    CHECKIN,
    CHECKIN_EVERY,
    SEASON_DAYS,
    SEASONAL_EVERY,
    another_question,
    main_run,
    place_key,
    record_answer,
    recurring_runs,
    season_of,
    southern,
    step,
    tonight,
)
from skill.reconnect import Ritual
from skill.records import Place, Profile

CONTENT = load_content()
START = date(2026, 11, 16)
LAST = STAGE_COUNT
MAIN = {n: main_run(CONTENT.questions[n]) for n in range(1, STAGE_COUNT + 1)}
RECURRING = recurring_runs(CONTENT.questions[LAST])
README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Evening:
    number: int  # evenings since the replay began, from 0
    day: date
    question: Question
    skipped: Question | None = None  # the question skipped first, if any


def nightly(
    profile: Profile,
    evenings: int,
    *,
    start: date = START,
    content: Content = CONTENT,
    skip_every: int = 0,
) -> Iterator[Evening]:
    """One question a night, both partners answering; every `skip_every`th night a skip first."""
    for number in range(evenings):
        day = start + timedelta(days=number)
        chosen = tonight(profile, content, day)
        skipped = None
        if skip_every and number % skip_every == skip_every - 1:
            skipped = chosen.question
            chosen = another_question(chosen.profile, content, day)
        profile = record_answer(record_answer(chosen.profile, "a", day), "b", day)
        yield Evening(number, day, chosen.question, skipped)


def couple(stage: int, zone: str = "America/New_York") -> Profile:
    return Profile("h", "Maya", "Jordan", stage=stage, ritual=Ritual(time_zone=zone))


def gaps(evenings: list[Evening], asked: list[Question]) -> list[int]:
    """Evenings between one asking of a question and its next, for every question heard twice."""
    last: dict[str, int] = {}
    out = []
    for evening, question in zip(evenings, asked, strict=True):
        if question.id in last:
            out.append(evening.number - last[question.id])
        last[question.id] = evening.number
    return out


# --- Stages one to five: the whole bank, then the same order again --------------------------


@pytest.mark.parametrize("stage", range(1, LAST))
def test_a_stage_asks_its_whole_bank_before_any_question_comes_back(stage: int) -> None:
    bank = MAIN[stage]
    heard = [e.question for e in nightly(couple(stage), 2 * len(bank) + 3)]
    assert heard[: len(bank)] == list(bank)  # every question once, in bank order
    assert heard[len(bank) :] == [*bank, *bank[:3]]  # then again, the same order
    assert min(gaps(list(nightly(couple(stage), 2 * len(bank))), heard[: 2 * len(bank)])) == len(
        bank
    )


def test_a_skip_counts_as_asked_and_is_the_next_in_order() -> None:
    evenings = list(nightly(couple(1), 12, skip_every=3))
    order = [q for e in evenings for q in (e.skipped, e.question) if q is not None]
    assert order == list(MAIN[1][: len(order)])  # skips use questions up, in order
    assert all(e.skipped is not None for e in evenings if e.number % 3 == 2)


# --- Stage six: its own order, check-ins and seasons ------------------------------------------


def year_in_stage_six(zone: str = "America/New_York", years: int = 2) -> list[Evening]:
    return list(nightly(couple(LAST, zone), 365 * years))


STAGE_SIX = year_in_stage_six()


def test_stage_six_asks_its_own_order_before_any_of_it_comes_back() -> None:
    own = [e for e in STAGE_SIX if not e.question.recurring]
    assert [e.question for e in own[: len(MAIN[LAST])]] == list(MAIN[LAST])
    again = [e.question for e in own[len(MAIN[LAST]) :]]
    assert again == (list(MAIN[LAST]) * 9)[: len(again)]  # then the same order again
    # Check-ins and seasons stretch a round: never shorter than the bank, about four months.
    back = gaps(own, [e.question for e in own])
    assert min(back) >= len(MAIN[LAST]) + len(MAIN[LAST]) // 5
    assert abs(promised_stage_six_evenings() - min(back)) <= 5


def test_a_check_in_comes_once_a_week_each_after_all_the_others() -> None:
    checkins = [e for e in STAGE_SIX if e.question.kind == CHECKIN]
    between = [b.number - a.number for a, b in zip(checkins, checkins[1:], strict=False)]
    assert min(between) >= CHECKIN_EVERY
    assert max(between) <= CHECKIN_EVERY + 1  # a seasonal question may take its evening
    assert [e.question for e in checkins[: len(RECURRING[CHECKIN])]] == list(RECURRING[CHECKIN])
    assert min(gaps(checkins, [e.question for e in checkins])) >= (
        len(RECURRING[CHECKIN]) * CHECKIN_EVERY
    )


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Sydney"])
def test_seasonal_questions_come_only_in_their_season_at_most_once_a_season(zone: str) -> None:
    evenings = STAGE_SIX if zone == "America/New_York" else year_in_stage_six(zone)
    south = zone.startswith("Australia/")
    seasonal = [e for e in evenings if e.question.kind == "seasonal"]
    assert {e.question.season for e in seasonal} == set(SEASONS)
    wrong = [e for e in seasonal if e.question.season != season_of(e.day, south)]
    assert wrong == []
    between = [b.number - a.number for a, b in zip(seasonal, seasonal[1:], strict=False)]
    assert min(between) >= SEASONAL_EVERY
    # A season's set is never heard twice in one season: a repeat waits for the next year.
    assert min(gaps(seasonal, [e.question for e in seasonal])) > 365 - SEASON_DAYS
    for name in SEASONS:  # and a season hears all it can: one every two weeks
        first_year = [e for e in seasonal if e.question.season == name and e.number < 365]
        assert len(first_year) >= SEASON_DAYS // SEASONAL_EVERY - 1


def test_winter_is_june_in_sydney_and_december_in_new_york() -> None:
    june, december = date(2026, 6, 20), date(2026, 12, 20)
    assert season_of(june) == "summer" and season_of(june, True) == "winter"
    assert season_of(december) == "winter" and season_of(december, True) == "summer"
    assert [season_of(date(2026, m, 1), True) for m in (3, 9)] == ["autumn", "spring"]
    assert southern(couple(LAST, "Australia/Perth"), "en-US")
    assert southern(couple(LAST, "Pacific/Auckland"), "en-GB")
    assert not southern(couple(LAST, "Europe/London"), "en-AU")  # the zone knows best
    assert southern(couple(LAST, ""), "en-AU") and not southern(couple(LAST, ""), "en-US")


def test_stage_six_opens_with_its_own_first_question_and_skips_never_bring_a_check_in() -> None:
    first = next(nightly(couple(LAST), 1))
    assert first.question == MAIN[LAST][0]  # the description's evening: no check-in yet
    skipping = list(nightly(couple(LAST), 60, skip_every=1))
    assert all(not e.question.recurring for e in skipping)  # the question after a skip
    assert any(e.skipped is not None and e.skipped.recurring for e in skipping)


# --- Where a couple is: the place moves, whatever the bank did ---------------------------------


def q(number: int) -> Question:
    return Question(f"renewal-{number:02d}", LAST, f"What {number}?")


RUN = tuple(q(n) for n in range(1, 6))


def test_a_place_steps_through_the_run_and_starts_again() -> None:
    place, heard = Place(), []
    for _ in range(7):
        question, place = step(place, RUN)
        heard.append(question.id)
    assert heard == [*(x.id for x in RUN), RUN[0].id, RUN[1].id]
    assert place == Place(2, RUN[1].id, rounds=1)


def test_a_place_is_found_again_when_the_bank_changed() -> None:
    place = Place(2, RUN[1].id)  # asked 01 and 02
    grown = (RUN[0], RUN[1], q(9), *RUN[2:])  # a new question after 02
    assert step(place, grown)[0] == q(9)
    moved = (q(9), *RUN)  # one before it: the place follows the id, not the number
    assert step(place, moved)[0] == RUN[2]
    retired = (RUN[0], *RUN[2:])  # 02 itself retired: its position still holds
    assert step(place, retired)[0] == RUN[3]


def test_questions_asked_ahead_are_passed_over_once() -> None:
    question, place = step(Place(ahead=(RUN[0].id, RUN[2].id, "renewal-77")), RUN)
    assert question == RUN[1] and place.ahead == (RUN[2].id,)  # a retired id is dropped
    question, place = step(place, RUN)
    assert question == RUN[3] and place.ahead == ()
    full = Place(ahead=tuple(x.id for x in RUN))
    assert step(full, RUN) == (RUN[0], Place(1, RUN[0].id, rounds=1))  # used up: again


# --- A profile stored as lists of asked ids migrates to the same next question -----------------


def old_next(asked: list[str], bank: tuple[Question, ...]) -> Question:
    """The rule of the previous release: the first of the bank not asked (all asked: again)."""
    return next((x for x in bank if x.id not in asked), bank[0])


@pytest.mark.parametrize(
    "asked",
    [
        [],
        [q.id for q in MAIN[1][:5]],
        [q.id for q in MAIN[1][::3]],  # asked in an order the bank no longer has
        ["attraction-14", "attraction-30", MAIN[1][0].id],  # two of them retired since
        [q.id for q in MAIN[1]],  # all: it starts again
    ],
)
def test_an_old_profile_asks_the_question_its_list_would_have(asked: list[str]) -> None:
    old = Profile("h", "Maya", "Jordan").to_dict()
    old.pop("places")
    stored = {**old, "asked": {"1": asked, "2": ["trust-02"]}, "completed": {"1": len(asked)}}
    migrated = Profile.from_dict(stored)
    assert migrated.place("2").ahead == ("trust-02",)
    heard = [e.question for e in nightly(migrated, len(MAIN[1]) + 1, start=date(2027, 1, 1))]
    assert heard[0] == old_next(asked, MAIN[1])
    first_round = heard[: len(MAIN[1]) - len(set(asked) & {x.id for x in MAIN[1]})]
    if len(asked) < len(MAIN[1]):  # the rest of the round: each unasked question once
        assert sorted(x.id for x in first_round) == sorted(
            x.id for x in MAIN[1] if x.id not in asked
        )


def test_a_migrated_place_is_plain_again_after_one_round() -> None:
    asked = [q.id for q in MAIN[1][::2]]
    profile = Profile.from_dict(
        {"household_id": "h", "partner_a": "A", "partner_b": "B", "asked": {"1": asked}}
    )
    chosen = tonight(profile, CONTENT, START)
    for _ in range(len(MAIN[1])):
        chosen = another_question(chosen.profile, CONTENT, START)
    assert chosen.profile.place(place_key(1)).ahead == ()
    assert chosen.profile.place(place_key(1)).rounds == 1


# --- The README says what a couple hears, with these figures ------------------------------------


def promised_stage_six_evenings() -> int:
    """About how many evenings stage six's own questions last before one comes back (replayed).

    The check-ins and seasonal questions between them set the exact figure, so the README says
    "about", to the nearest ten.
    """
    own = [e for e in STAGE_SIX if not e.question.recurring]
    back = sorted(gaps(own, [e.question for e in own]))
    return round(back[len(back) // 2], -1)


def test_the_readme_promises_what_the_bank_and_the_rules_do() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    flows = text[text.index("How it flows") :]
    flows = flows[: flows.index("## ")]
    sizes = [len(MAIN[n]) for n in range(1, LAST)]
    promised = [
        f"{min(sizes)} to {max(sizes)} evenings",
        f"{len(MAIN[LAST])} questions of its own",
        f"about {promised_stage_six_evenings()} evenings",
        f"{len(RECURRING[CHECKIN])} check-ins",
        f"after {len(RECURRING[CHECKIN]) * CHECKIN_EVERY // 7} weeks",
        f"{min(len(RECURRING[s]) for s in SEASONS)} for each season",
    ]
    missing = [p for p in promised if p not in flows]
    assert missing == [], f"the README's 'How it flows' should say: {missing}"
    assert not re.search(r"a year of evenings in one stage hears no repeat", flows)
