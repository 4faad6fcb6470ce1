"""The couple's own calendar: nights run until 4 am local, recaps read in local days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from skill.alexa_api import Unavailable
from skill.app import Stagewise, build_skill
from skill.config import Settings
from skill.local_time import evening_of, evening_start
from skill.periods import recap_window
from skill.store.sqlite import SqliteStore
from stagewise_tools.fake_alexa import FakeAlexa
from tests.conversation import Couple

SUNDAY = date(2026, 11, 22)


def couple_in(
    store: SqliteStore, settings: Settings, zone: str, now: datetime
) -> tuple[Couple, FakeAlexa]:
    """A couple whose Echo is set to `zone`, met a few days before `now`."""
    alexa = FakeAlexa(zone=zone)
    app: Stagewise = build_skill(settings, store=store, alexa_api=alexa.client)
    couple = Couple(app, now=now)
    couple.device.api_token = "in-session-token"
    return couple, alexa


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def question_of(couple: Couple) -> str:
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.current is not None
    return profile.current.question_id


def test_new_york_answers_either_side_of_utc_midnight_share_one_question(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = couple_in(
        sqlite_store, settings, "America/New_York", at("America/New_York", 2026, 11, 22, 18, 40)
    )
    couple.onboard("maya", "jordan")  # Sunday 18:40 local
    first = question_of(couple)
    couple.answer("the walk by the river")  # about 18:41 local
    couple.later(minutes=24)  # 19:05 local: 00:05 UTC on Monday
    assert couple.now.astimezone(UTC).date() == date(2026, 11, 23)
    back = couple.launch()
    assert "Jordan, " in back.text, back.text
    assert question_of(couple) == first
    couple.answer("cooking together")
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.current is not None
    assert sorted(profile.current.answered) == ["a", "b"]
    assert profile.current.day == date(2026, 11, 22)  # Sunday, their evening
    assert alexa.calls == ["time_zone"]  # asked once that day, then read from the profile


def test_pacific_friday_night_is_not_tonight_on_saturday_afternoon(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    la = "America/Los_Angeles"
    couple, _ = couple_in(sqlite_store, settings, la, at(la, 2026, 11, 20, 21, 0))
    couple.onboard("maya", "jordan")  # Friday 21:00 local, Saturday 05:00 UTC
    couple.answer("the walk")
    couple.answer("the talk")
    friday = question_of(couple)
    couple.later(hours=18)  # Saturday 15:00 local, still Saturday in UTC
    saturday = couple.launch()
    assert "both answered" not in saturday.text and "already answered" not in saturday.text
    assert question_of(couple) != friday


@pytest.mark.parametrize(
    "zone", ["America/New_York", "Pacific/Honolulu", "Asia/Kolkata", "Pacific/Chatham"]
)
def test_a_partner_at_half_past_midnight_still_answers_tonights_question(
    sqlite_store: SqliteStore, settings: Settings, zone: str
) -> None:
    couple, _ = couple_in(sqlite_store, settings, zone, at(zone, 2026, 11, 22, 23, 50))
    couple.onboard("maya", "jordan")
    tonight = question_of(couple)
    couple.answer("the walk")
    couple.later(minutes=39)  # 00:30 local on Monday
    back = couple.launch()
    assert "jordan" in back.text.lower(), back.text
    assert question_of(couple) == tonight
    couple.answer("the talk")
    couple.later(hours=4)  # 04:30 local: a new evening
    assert "both answered" not in couple.launch().text
    assert question_of(couple) != tonight


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/Los_Angeles"])
def test_tonight_asked_after_midnight_reads_this_evening_not_a_week_ago(
    sqlite_store: SqliteStore, settings: Settings, zone: str
) -> None:
    """At 1 am Alexa resolves "tonight" to the new calendar date; the evening is still on."""
    couple, _ = couple_in(sqlite_store, settings, zone, at(zone, 2026, 11, 22, 23, 40))
    couple.onboard("maya", "jordan")
    couple.answer("the walk by the river")
    couple.later(minutes=80)  # Monday 01:00 local, still Sunday's evening
    tonight = couple.intent("RecapIntent", new_session=True, period="2026-11-23")
    assert "the walk by the river" in tonight.text, tonight.text
    assert "nothing saved" not in tonight.text.lower(), tonight.text
    assert recap_window("2026-11-23", at(zone, 2026, 11, 23, 1, 0), zone=ZoneInfo(zone)).start == (
        evening_start(date(2026, 11, 22), ZoneInfo(zone))
    )
    # A weekday Alexa placed in the coming week still means last week's.
    later = recap_window("2026-11-27", at(zone, 2026, 11, 23, 1, 0), zone=ZoneInfo(zone))
    assert later.start == evening_start(date(2026, 11, 20), ZoneInfo(zone))


def test_sunday_night_is_found_under_its_local_sunday(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    ny = "America/New_York"
    couple, _ = couple_in(sqlite_store, settings, ny, at(ny, 2026, 11, 21, 19, 0))
    couple.onboard("maya", "jordan")  # Saturday
    couple.intent("AMAZON.StopIntent")
    couple.later(hours=25)  # Sunday 20:00 local = Monday 01:00 UTC
    couple.launch()
    couple.answer("the walk by the river")
    couple.answer("cooking together")
    couple.later(days=3)  # Wednesday
    on_sunday = couple.intent("RecapIntent", new_session=True, period="2026-11-29")
    assert "on Sunday, November 22" in on_sunday.text, on_sunday.text
    assert "the walk by the river" in on_sunday.text
    plain = couple.intent("RecapIntent", new_session=True)
    assert "On Sunday, November 22" in plain.text, plain.text
    couple.later(days=4)  # the next Sunday, 20:00 local
    last_week = couple.intent("RecapIntent", new_session=True, period="2026-W47")
    assert "On Sunday, November 22" in last_week.text, last_week.text
    assert "cooking together" in last_week.text


def test_the_zone_is_asked_at_most_once_a_day_and_only_when_needed(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    ny = "America/New_York"
    couple, alexa = couple_in(sqlite_store, settings, ny, at(ny, 2026, 11, 22, 18, 0))
    couple.onboard("maya", "jordan")
    couple.intent("AMAZON.StopIntent")
    couple.later(hours=1)
    couple.launch()
    couple.intent("AMAZON.StopIntent")
    assert alexa.calls == ["time_zone"]
    couple.intent("AMAZON.HelpIntent", new_session=True)
    assert alexa.calls == ["time_zone"]  # help needs no calendar
    couple.later(days=1)
    couple.launch()
    assert alexa.calls == ["time_zone", "time_zone"]  # refreshed the next day


def test_without_the_zone_the_evening_is_utc_and_the_turn_still_works(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = couple_in(sqlite_store, settings, "Asia/Kolkata", at("UTC", 2026, 11, 22, 20))
    alexa.failure = Unavailable("GET … timed out")
    reply = couple.onboard("maya", "jordan")
    assert "maya" in reply.text.lower(), reply.text
    profile = sqlite_store.get_profile(couple.device.user_id)
    assert profile is not None and profile.ritual.time_zone == ""
    assert profile.ritual.tz_checked_on == date(2026, 11, 22)  # not asked again today


def test_daylight_saving_changes_keep_4_am_local() -> None:
    la = ZoneInfo("America/Los_Angeles")
    assert evening_start(date(2026, 10, 31), la) == datetime(2026, 10, 31, 11, tzinfo=UTC)
    assert evening_start(date(2026, 11, 1), la) == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert evening_start(date(2026, 3, 8), la) == datetime(2026, 3, 8, 11, tzinfo=UTC)
    # 1:30 am comes twice on November 1st: both are still Saturday night
    assert evening_of(datetime(2026, 11, 1, 8, 30, tzinfo=UTC), la) == date(2026, 10, 31)
    assert evening_of(datetime(2026, 11, 1, 9, 30, tzinfo=UTC), la) == date(2026, 10, 31)
    assert evening_of(datetime(2026, 11, 1, 12, 30, tzinfo=UTC), la) == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Pacific/Honolulu", datetime(2026, 11, 22, 14, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2026, 11, 21, 22, 30, tzinfo=UTC)),
        ("Pacific/Chatham", datetime(2026, 11, 21, 14, 15, tzinfo=UTC)),
    ],
)
def test_a_local_day_in_a_recap_starts_at_4_am_there(zone: str, start: datetime) -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    window = recap_window("2026-11-22", now, zone=ZoneInfo(zone))
    assert window.kind == "day"
    assert window.start == start
    assert (window.until - window.start).total_seconds() == 24 * 3600


def test_a_season_is_read_in_local_days(sqlite_store: SqliteStore, settings: Settings) -> None:
    ny = "America/New_York"
    couple, _ = couple_in(sqlite_store, settings, ny, at(ny, 2026, 11, 30, 23, 30))
    couple.onboard("maya", "jordan")  # Monday November 30th, 23:30 local: December in UTC
    couple.answer("the walk")
    couple.answer("the talk")
    couple.later(days=20)
    fall = couple.intent("RecapIntent", new_session=True, period="2026-FA")
    assert "in the fall of 2026" in fall.text and "the walk" in fall.text, fall.text


def test_read_only_turns_never_ask_for_the_zone_and_a_day_asks_at_most_once(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    """A recap or the summary uses the zone last stored; the first turn that writes asks,
    and its write keeps the answer, so later sessions that day ask nothing."""
    couple, alexa = couple_in(
        sqlite_store, settings, "America/New_York", at("America/New_York", 2026, 11, 20, 19, 0)
    )
    couple.onboard()
    couple.answer("a")
    couple.answer("b")
    couple.now = at("America/New_York", 2026, 11, 21, 17, 0)  # the next day
    couple.device.end_session()
    alexa.calls.clear()
    couple.intent("RecapIntent", new_session=True, period=None)
    couple.intent("JourneyIntent", new_session=True)
    assert [c for c in alexa.calls if c == "time_zone"] == []  # read-only turns
    couple.intent("TonightQuestionIntent", new_session=True)  # writes tonight's question
    couple.later(hours=1)
    couple.intent("TonightQuestionIntent", new_session=True)
    couple.answer("c")
    assert [c for c in alexa.calls if c == "time_zone"] == ["time_zone"]  # once that day
