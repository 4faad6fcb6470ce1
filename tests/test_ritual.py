"""The ritual's plain functions and the typed state's converters, without the SDK."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.app import build_skill
from skill.config import Settings
from skill.content import load_content
from skill.periods import group_answers, recap_window
from skill.question_order import (
    another_question,
    give_tip,
    record_answer,
    suggests_next_stage,
    tip_due,
    tonight,
)
from skill.records import Answer, CurrentQuestion, Place, Profile
from skill.session import SessionState
from skill.speech import Speech, trim_answer
from skill.store import StorageError
from skill.store.items import (
    answer_from_item,
    answer_to_item,
    packed_profile_item,
    profile_from_item,
    profile_to_item,
)
from skill.store.sqlite import SqliteStore
from tests.conversation import Couple

NOW = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)  # Saturday

names = st.text(min_size=1, max_size=20)
current = st.builds(
    CurrentQuestion,
    question_id=st.text(min_size=1, max_size=12),
    stage=st.integers(1, 6),
    day=st.dates(),
    answered=st.sampled_from([(), ("a",), ("a", "b")]),
)
profiles = st.builds(
    Profile,
    household_id=st.text(min_size=1, max_size=40),
    partner_a=names,
    partner_b=names,
    stage=st.integers(1, 6),
    places=st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.builds(
            Place,
            index=st.integers(0, 200),
            last=st.text(max_size=20),
            rounds=st.integers(0, 50),
            on=st.none() | st.dates(),
            ahead=st.lists(st.text(min_size=1, max_size=20), max_size=5).map(tuple),
        ),
    ),
    completed=st.dictionaries(st.integers(1, 6), st.integers(0, 100)),
    current=st.none() | current,
    tip_turn=st.integers(0, 1000),
    created_at=st.just("2026-11-01T20:00:00.000000Z"),
    version=st.integers(0, 10_000),
    voices=st.dictionaries(
        st.text(alphabet="0123456789abcdef", min_size=12, max_size=12), st.sampled_from("ab")
    ),
)
answers = st.builds(
    Answer,
    household_id=st.text(min_size=1, max_size=40),
    answered_at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    partner=st.sampled_from(["a", "b"]),
    partner_name=names,
    stage=st.integers(1, 6),
    question_id=st.text(min_size=1, max_size=12),
    question_text=st.text(max_size=160),
    text=st.text(max_size=500),
)


@given(profiles)
def test_profile_round_trips_through_items_and_session_attributes(profile: Profile) -> None:
    assert profile_from_item(profile_to_item(profile)) == profile
    assert profile_from_item(packed_profile_item(profile)) == profile
    assert Profile.from_dict(profile.to_dict()) == profile
    session = SessionState(profile=profile, profile_loaded=True).to_attributes()
    assert SessionState.from_attributes(session, profile.household_id).profile == profile


def test_the_session_and_the_store_spell_the_profile_the_same_way() -> None:
    """One mapping: the stored item is the session's profile dict plus the table's keys."""
    profile = Profile("h", "Sam", "Alex", stage=2, places={"2": Place(1, "trust-02")}, version=4)
    item = profile_to_item(profile)
    assert {k: v for k, v in item.items() if k not in ("pk", "sk")} == {
        k: v for k, v in profile.to_dict().items() if k != "household_id"
    }
    assert (item["pk"], item["sk"]) == ("h", "PROFILE")


@given(answers)
def test_answer_round_trips_through_items(answer: Answer) -> None:
    assert answer_from_item(answer_to_item(answer)) == answer


@pytest.mark.parametrize(
    ("value", "start", "until", "kind"),
    [
        (None, datetime(2026, 11, 14, 4, tzinfo=UTC), NOW, "recent"),
        (
            "2026-11-20",
            datetime(2026, 11, 20, 4, tzinfo=UTC),
            datetime(2026, 11, 21, 4, tzinfo=UTC),
            "day",
        ),
        ("2026-W46", datetime(2026, 11, 9, 4, tzinfo=UTC), NOW, "since"),
        (
            "2026-W44",
            datetime(2026, 10, 26, 4, tzinfo=UTC),
            datetime(2026, 11, 2, 4, tzinfo=UTC),
            "week",
        ),
        (
            "2026-W46-WE",
            datetime(2026, 11, 14, 4, tzinfo=UTC),
            datetime(2026, 11, 16, 4, tzinfo=UTC),
            "weekend",
        ),
        (
            "2026-10",
            datetime(2026, 10, 1, 4, tzinfo=UTC),
            datetime(2026, 11, 1, 4, tzinfo=UTC),
            "month",
        ),
        (
            "2026-12",
            datetime(2026, 12, 1, 4, tzinfo=UTC),
            datetime(2026, 12, 1, 4, tzinfo=UTC),
            "month",
        ),
        ("2025", datetime(2025, 1, 1, 4, tzinfo=UTC), datetime(2026, 1, 1, 4, tzinfo=UTC), "year"),
        ("201X", datetime(2026, 11, 14, 4, tzinfo=UTC), NOW, "recent"),
        (
            "2026-WI",
            datetime(2026, 12, 1, 4, tzinfo=UTC),
            datetime(2026, 12, 1, 4, tzinfo=UTC),
            "season",
        ),
        (
            "2026-SU",
            datetime(2026, 6, 1, 4, tzinfo=UTC),
            datetime(2026, 9, 1, 4, tzinfo=UTC),
            "season",
        ),
        ("2026-13-45", datetime(2026, 11, 14, 4, tzinfo=UTC), NOW, "recent"),
    ],
)
def test_recap_windows_from_alexa_date_values(
    value: str | None, start: datetime, until: datetime, kind: str
) -> None:
    window = recap_window(value, NOW)
    assert (window.start, window.until, window.kind) == (start, until, kind)


@given(st.text(max_size=60))
def test_any_date_value_gives_a_window_that_ends_by_now(value: str) -> None:
    window = recap_window(value, NOW)
    assert window.start <= window.until <= NOW


def test_answers_group_by_question_with_partner_a_first() -> None:
    def a(minutes: int, partner: str, qid: str) -> Answer:
        return Answer(
            "h", NOW - timedelta(minutes=minutes), partner, partner.upper(), 1, qid, qid, "t"
        )

    newest_first = [
        a(1, "b", "q2"),
        a(2, "a", "q2"),
        a(60 * 24, "b", "q1"),
        a(60 * 24 + 1, "a", "q1"),
    ]
    items = group_answers(newest_first, UTC)
    assert [(i.question_text, [x.partner for x in i.answers]) for i in items] == [
        ("q2", ["a", "b"]),
        ("q1", ["a", "b"]),
    ]


def test_a_question_counts_once_both_partners_answered() -> None:
    profile = Profile("h", "A", "B", current=CurrentQuestion("q", 1, date(2026, 11, 21)))
    one = record_answer(profile, "a")
    both = record_answer(one, "b")
    assert one.completed_in(1) == 0 and both.completed_in(1) == 1
    assert record_answer(both, "b") == both  # a repeat changes nothing


@pytest.mark.parametrize(
    ("done", "stage", "last", "suggest"),
    [
        (6, 1, None, False),
        (7, 1, None, True),
        (8, 1, 1, False),  # suggested yesterday
        (9, 1, 6, False),  # six days ago
        (10, 1, 7, True),  # a week ago
        (7, 6, None, False),  # no stage after six
    ],
)
def test_a_move_is_suggested_at_most_weekly(
    done: int, stage: int, last: int | None, suggest: bool
) -> None:
    today = date(2026, 11, 21)
    suggested = today - timedelta(days=last) if last is not None else None
    profile = Profile("h", "A", "B", stage=stage, completed={stage: done}, suggested_on=suggested)
    assert suggests_next_stage(profile, today) is suggest


@given(st.text(max_size=6000))
def test_trimmed_answers_are_bounded_and_a_prefix(text: str) -> None:
    trimmed = trim_answer(text)
    assert len(trimmed) <= 500
    assert " ".join(text.split()).startswith(trimmed.rstrip("…").rstrip(" ,;:"))


@given(st.text(max_size=300))
def test_any_text_makes_well_formed_ssml(text: str) -> None:
    import xml.etree.ElementTree as ET

    ET.fromstring(f"<speak>{Speech().say(text).ssml()}</speak>")


def test_who_answers_first_takes_turns_evening_by_evening() -> None:
    """The partners take turns to go first, whatever the gap between evenings; a skip keeps
    tonight's order, and "Jordan goes first" on one evening means Maya first on the next."""
    content = load_content()
    profile = Profile("h", "Maya", "Jordan")
    day, firsts = date(2026, 11, 16), []
    for gap in (1, 1, 3, 1, 8, 1, 1, 2):
        plan = tonight(profile, content, day)
        assert plan.profile.current is not None
        skipped = another_question(plan.profile, content, day).profile.current
        assert skipped is not None and skipped.order == plan.profile.current.order
        firsts.append(plan.profile.current.pending)
        profile = record_answer(record_answer(plan.profile, "a", day), "b", day)
        day += timedelta(days=gap)
    assert firsts == ["a", "b"] * 4
    plan = tonight(profile, content, day)
    assert plan.profile.current is not None and plan.profile.current.pending == "a"
    told = plan.profile.with_changes(current=plan.profile.current.first("b"))  # "Jordan first"
    following = tonight(told, content, day + timedelta(days=1)).profile.current
    assert following is not None and following.pending == "a"


def test_a_tip_is_given_once_in_any_seven_evenings_and_recorded() -> None:
    content = load_content()
    profile = Profile("h", "Maya", "Jordan", tip_on=date(2026, 10, 30), tip_turn=3)
    tips = content.stage(1).tips
    for later in (1, 3, 6):  # 31 Oct, 2 Nov and 5 Nov: the tip of 30 Oct is this week's
        day = date(2026, 10, 30) + timedelta(days=later)
        assert not tip_due(profile, day)
        assert give_tip(profile, content, day) == (profile, None)
    week_on = date(2026, 11, 6)
    given_profile, tip = give_tip(profile, content, week_on)
    assert tip == tips[3 % len(tips)]  # the tips take turns
    assert given_profile.tip_on == week_on and given_profile.tip_turn == 4
    assert give_tip(given_profile, content, week_on) == (given_profile, None)


class RefusingWrites(SqliteStore):
    """A store whose profile writes fail while `refuse` is set."""

    refuse = False

    def put_profile(self, profile: Profile) -> Profile:
        if self.refuse:
            raise StorageError("no writes just now", "ProvisionedThroughputExceededException")
        return super().put_profile(profile)


def test_what_stage_are_we_in_says_a_tip_only_once_it_is_recorded(tmp_path: Path) -> None:
    """The tip "what stage are we in" gives is the week's: stored first, or not said."""
    store = RefusingWrites(tmp_path / "refusing.db")
    couple = Couple(build_skill(Settings(store_url="sqlite:///:memory:"), store=store))
    couple.onboard("maya", "jordan")  # the first evening: its introduction, no tip yet
    tips = load_content().stage(1).tips
    store.refuse = True
    unsaid = couple.intent("StageInfoIntent", new_session=True)
    assert not any(tip in unsaid.text for tip in tips) and not unsaid.ended
    store.refuse = False
    said = couple.intent("StageInfoIntent", new_session=True)
    assert sum(tip in said.text for tip in tips) == 1
    kept = store.get_profile(couple.device.user_id)
    assert kept is not None and kept.tip_on == (couple.now - timedelta(hours=4)).date()
    again = couple.intent("StageInfoIntent", new_session=True)
    assert not any(tip in again.text for tip in tips)  # one in seven evenings
