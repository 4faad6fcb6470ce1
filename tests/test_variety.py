"""Which wording a couple hears: a shuffle per couple with no weekly period, and lines fit
for the hour, checked on the shuffle itself and on every nightly line's content."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.app import build_skill
from skill.config import Settings
from skill.content import PUBLISHED_LOCALES, load_content
from skill.content.shuffle import variant
from skill.local_time import BANDS, hour_band
from skill.store.sqlite import SqliteStore
from stagewise_tools.fake_alexa import FakeAlexa
from tests.conversation import Couple
from tests.test_transcripts import pattern

CONTENT = load_content()
START = date(2026, 11, 16).toordinal()  # a Monday
EVENINGS = 60
COUPLES = [f"amzn1.ask.account.couple-{n}" for n in range(12)]
# Lines a couple hears every evening they share, and how many times each evening.
NIGHTLY = {
    "launch.welcome_back": 1,
    "voices.welcome_back": 1,
    "question.ask": 1,
    "question.you_first": 1,
    "question.resume": 1,
    "answer.heard": 2,  # each partner's answer said back
    "answer.next_turn": 1,
    "answer.both_saved": 1,
    "answer.talk_together": 1,
    "goodbye.after_answers": 1,
}


def forms(key: str) -> list[str]:
    """The keys a line is said from: its part-of-day forms, or itself."""
    banded = [f"{key}@{band}" for band in BANDS if f"{key}@{band}" in CONTENT.prompts]
    return banded or [key]


NIGHTLY_FORMS = [(form, NIGHTLY[key]) for key in NIGHTLY for form in forms(key)]


def heard(couple: str, key: str, per_evening: int, evenings: int = EVENINGS) -> list[list[int]]:
    """The variants a couple hears of a line, evening by evening (as Turn.variant draws)."""
    return [
        [
            CONTENT.choose(key, couple=couple, draw=(START + n) * per_evening + nth)
            for nth in range(per_evening)
        ]
        for n in range(evenings)
    ]


@pytest.mark.parametrize(("key", "per_evening"), NIGHTLY_FORMS, ids=lambda v: str(v))
def test_a_nightly_line_has_at_least_five_wordings(key: str, per_evening: int) -> None:
    # A line said twice an evening needs two evenings' draws (four) kept apart: 3 * 3.
    need = max(5, 3 * (2 * per_evening - 1))
    for locale in PUBLISHED_LOCALES:
        assert len(load_content(locale).variants(key)) >= need, (locale, key)


@pytest.mark.parametrize(("key", "per_evening"), NIGHTLY_FORMS, ids=lambda v: str(v))
def test_no_nightly_line_is_heard_on_two_evenings_in_a_row(key: str, per_evening: int) -> None:
    for couple in COUPLES:
        evenings = heard(couple, key, per_evening)
        for night, (tonight, tomorrow) in enumerate(zip(evenings, evenings[1:], strict=False)):
            assert len(set(tonight)) == per_evening, (key, couple, night)  # partners differ
            assert not set(tonight) & set(tomorrow), (key, couple, night)


@pytest.mark.parametrize(("key", "per_evening"), NIGHTLY_FORMS, ids=lambda v: str(v))
def test_no_nightly_line_follows_the_week(key: str, per_evening: int) -> None:
    """No weekday has its own script: a week on, the wording is mostly another, and the
    Mondays of two months are not one sentence said over and over."""
    for couple in COUPLES:
        evenings = heard(couple, key, per_evening)
        same = sum(evenings[n] == evenings[n + 7] for n in range(EVENINGS - 7))
        assert same <= (EVENINGS - 7) // 2, (key, couple, same)
        for weekday in range(7):
            assert len({tuple(e) for e in evenings[weekday::7]}) > 1, (key, couple, weekday)
    # ... nor is a line's sequence any couple's fixed pattern: couples hear different ones.
    assert len({str(heard(c, key, per_evening)) for c in COUPLES}) == len(COUPLES)


@pytest.mark.parametrize("key", [k for k in NIGHTLY if forms(k) != [k]])
def test_a_nightly_line_worded_by_the_hour_has_no_sentence_in_two_parts_of_the_day(
    key: str,
) -> None:
    """Else two evenings in a row at different hours could hear the same sentence."""
    for locale in PUBLISHED_LOCALES:
        content = load_content(locale)
        seen = [v for form in forms(key) for v in content.variants(form)]
        assert len(seen) == len(set(seen)), (locale, key)


@given(
    count=st.integers(1, 16),
    stream=st.text(max_size=30),
    start=st.integers(0, 800_000),
)
def test_the_shuffle_never_repeats_a_variant_within_its_spacing(
    count: int, stream: str, start: int
) -> None:
    draws = [variant(count, stream, start + i) for i in range(3 * count + 5)]
    assert all(0 <= d < count for d in draws)
    spacing = max(count // 3, 1) if count > 1 else 0
    for i in range(len(draws) - spacing):
        window = draws[i : i + spacing + 1]
        assert len(set(window)) == len(window), (count, i, draws)
    # Dealt in decks: every variant is heard once in each deck.
    deck = (start // count + 1) * count
    assert sorted(variant(count, stream, deck + i) for i in range(count)) == list(range(count))
    assert draws == [variant(count, stream, start + i) for i in range(len(draws))]  # stable


def test_the_shuffle_has_no_period_of_a_week_at_any_size() -> None:
    for count in range(2, 13):
        draws = [variant(count, "a couple|a line", n) for n in range(700)]
        same = sum(draws[n] == draws[n + 7] for n in range(len(draws) - 7))
        assert same < len(draws) * 0.4, (count, same)


def test_the_request_seed_still_picks_a_wording_where_no_couple_is_known() -> None:
    picks = {CONTENT.choose("onboarding.welcome", f"request-{n}") for n in range(40)}
    assert picks == set(range(len(CONTENT.variants("onboarding.welcome"))))


# -- the hour ----------------------------------------------------------------------------

ZONES = ("America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Sydney")
# (local hour, minute) either side of each band's start, and the band it is in.
EDGES = [
    ((3, 59), "late"),
    ((4, 0), "morning"),
    ((11, 59), "morning"),
    ((12, 0), "afternoon"),
    ((16, 59), "afternoon"),
    ((17, 0), "evening"),
    ((20, 59), "evening"),
    ((21, 0), "late"),
    ((23, 59), "late"),
    ((0, 0), "late"),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("clock", "band"), EDGES, ids=lambda v: str(v))
def test_the_part_of_the_day_is_the_couples_own(zone: str, clock: tuple[int, int], band: str):  # type: ignore[no-untyped-def]
    local = datetime(2026, 11, 16, *clock, tzinfo=ZoneInfo(zone))
    assert hour_band(local.astimezone(UTC), ZoneInfo(zone)) == band
    # The same instant is another part of the day somewhere else.
    elsewhere = {hour_band(local.astimezone(UTC), ZoneInfo(z)) for z in ZONES}
    assert len(elsewhere) > 1


def test_the_bands_cover_the_clock_and_a_summer_time_change() -> None:
    zone = ZoneInfo("Europe/London")
    moment = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)  # clocks go forward on the 29th
    seen = []
    while moment < datetime(2026, 3, 31, tzinfo=UTC):
        seen.append((moment.astimezone(zone).hour, hour_band(moment, zone)))
        moment += timedelta(minutes=30)
    for hour, band in seen:
        expected = (
            "morning"
            if 4 <= hour < 12
            else "afternoon"
            if hour < 17 and hour >= 12
            else "evening"
            if 17 <= hour < 21
            else "late"
        )
        assert band == expected, (hour, band)


# Words that ring false outside their part of the day, wherever they appear in a line.
WRONG_HOUR = {
    "morning": r"\b(sleep|good night|bed|evening|tonight|afternoon)\b",
    "afternoon": r"\b(sleep|good night|bed|evening|tonight|morning)\b",
    "evening": r"\b(sleep|good night|bed|morning|afternoon|today)\b",
    "late": r"\b(morning|afternoon|today|this evening|rest of your evening|good evening)\b",
}


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_no_line_worded_for_a_part_of_the_day_rings_false_in_it(locale: str) -> None:
    import re

    content = load_content(locale)
    banded = [k for k in content.prompts if "@" in k]
    assert banded
    for key in banded:
        band = key.split("@")[1]
        for wording in content.variants(key):
            assert not re.search(WRONG_HOUR[band], wording, re.I), (key, wording)
    # The lines said whatever the hour never name one.
    for key, wordings in content.prompts.items():
        if "@" in key:
            continue
        for wording in wordings:
            assert not re.search(r"\b(sleep well|good night|before bed)\b", wording, re.I), (
                key,
                wording,
            )


# -- the hour, through the skill ----------------------------------------------------------

# (local clock of the goodbye, the part of the day it is in)
GOODBYE_TIMES = [
    ((8, 0), "morning"),
    ((12, 1), "afternoon"),
    ((16, 58), "afternoon"),
    ((17, 1), "evening"),
    ((19, 30), "evening"),  # never "sleep well" at half past seven
    ((20, 58), "evening"),
    ((21, 1), "late"),
    ((0, 30), "late"),  # never "any time today" after midnight
    ((0, 40), "late"),  # never "the rest of your evening" either
    ((3, 58), "late"),
]


def couple_in(zone: str, tmp_path: Path) -> Couple:
    """A couple whose Echo is in `zone`, met (and the zone learned) the evening before."""
    alexa = FakeAlexa(zone=zone)
    store = SqliteStore(tmp_path / f"{zone.replace('/', '-')}.db")
    app = build_skill(Settings(store_url="sqlite:///:memory:"), store=store, alexa_api=alexa.client)
    met = datetime(2026, 11, 14, 19, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    couple = Couple(app, now=met)
    couple.device.api_token = "token"
    couple.onboard("maya", "jordan")
    couple.both_answer(maya="one", jordan="two")
    for _ in range(2):  # past the third evening's one-off offer of a reminder
        couple.later(days=1)
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.both_answer(maya="one", jordan="two")
    assert couple.awaiting == "reminder_confirm"
    couple.intent("AMAZON.NoIntent")
    return couple


def rings_false(text: str, band: str) -> str | None:
    import re

    found = re.search(WRONG_HOUR[band], text.replace("tonight's question", ""), re.I)
    return found.group(0) if found else None


@pytest.mark.parametrize("zone", ZONES)
def test_greetings_and_goodbyes_follow_the_couples_own_clock(zone: str, tmp_path: Path) -> None:
    couple = couple_in(zone, tmp_path)
    for number, ((hour, minute), band) in enumerate(GOODBYE_TIMES):
        evening = date(2026, 11, 18) + timedelta(days=2 * number)
        day = evening + timedelta(days=1 if hour < 4 else 0)  # after midnight: the next date
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))
        couple.later()
        couple.now = local.astimezone(UTC) - timedelta(seconds=45)  # three turns of 15 s
        greeting = couple.launch()
        assert pattern(f"launch.welcome_back@{band}").search(greeting.text), (zone, hour, band)
        first = couple.answer("the first answer")
        assert couple.whose_turn() is not None, first.text
        last = couple.answer("the second answer")
        assert pattern(f"goodbye.after_answers@{band}").search(last.text), (zone, hour, last.text)
        assert rings_false(last.text, band) is None, (zone, hour, last.text)
        # One answer, then stop: the partner who has not answered can add theirs later.
        couple.later()
        couple.now = local.astimezone(UTC) + timedelta(days=1) - timedelta(seconds=45)
        couple.launch()
        couple.answer("only mine tonight")
        stopped = couple.intent("AMAZON.StopIntent")
        assert pattern(f"goodbye.answer_saved@{band}").search(stopped.text), stopped.text
        assert rings_false(stopped.text, band) is None, (zone, hour, stopped.text)


@pytest.mark.parametrize("zone", ZONES)
def test_a_couple_who_left_before_any_answer_is_greeted_by_their_own_clock(
    zone: str, tmp_path: Path
) -> None:
    """Met, then left at the stage offer: nothing stored asked Alexa for the zone. Their next
    launch, at 8 pm local, is greeted for the evening, not for the hour it is in UTC."""
    alexa = FakeAlexa(zone=zone)
    store = SqliteStore(tmp_path / "left.db")
    app = build_skill(Settings(store_url="sqlite:///:memory:"), store=store, alexa_api=alexa.client)
    met = datetime(2026, 11, 14, 19, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    couple = Couple(app, now=met)
    couple.device.api_token = "token"
    couple.launch()
    couple.intent("NamesIntent", first_name="maya")
    couple.intent("NamesIntent", first_name="jordan")
    assert couple.awaiting == "stage_choice"
    couple.intent("AMAZON.StopIntent")  # both names greeted, so both are kept
    couple.later()
    couple.now = datetime(2026, 11, 15, 20, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    greeting = couple.launch()
    assert pattern("launch.welcome_back@evening").search(greeting.text), (zone, greeting.text)
    assert rings_false(greeting.text, "evening") is None, (zone, greeting.text)
