"""Two voices and the journey through lambda_handler on DynamoDB: filed by voice, <= 2 trips."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from skill.records import voice_key
from tests.conversation import Couple, Reply
from tests.test_lambda import RoundTrips
from tests.test_transcripts import pattern
from tests.test_voices import JORDAN, MAYA, says


def test_voices_and_the_journey_through_lambda_handler_on_dynamodb(
    lambda_module: ModuleType,
) -> None:
    store = lambda_module.SKILL.services.store
    trips = RoundTrips(store.client)
    couple = Couple(
        lambda_module.SKILL, handler=lambda event: lambda_module.lambda_handler(event, None)
    )

    def speak(person: str | None, step: Callable[[], Reply]) -> Reply:
        couple.device.person_id = person
        return step()

    couple.onboard("maya", "jordan")
    couple.answer("the lake house")
    couple.answer("your smile")
    couple.later(days=1)
    trips.take()
    script: list[tuple[str | None, Callable[[], Reply], str, str]] = [
        (JORDAN, couple.launch, "launch, a new voice", "voices.which"),
        (
            JORDAN,
            lambda: couple.intent("NamesIntent", first_name="jordan"),
            "learn",
            "voices.learned",
        ),
        (JORDAN, lambda: couple.answer("the way you hum"), "Jordan first", "answer.next_turn"),
        (MAYA, lambda: couple.answer("your puns"), "a new voice answers", "voices.is_it"),
        (MAYA, lambda: couple.intent("AMAZON.YesIntent"), "filed as Maya", "answer.both_saved"),
    ]
    for person, step, label, key in script:
        reply = speak(person, step)
        assert trips.take() <= 2, label
        assert pattern(key).search(reply.text), (label, reply.text)
    couple.later(days=1)
    greeted = speak(MAYA, couple.launch)
    assert says(greeted, "voices.welcome_back", name="Maya")
    assert trips.take() <= 2, "launch: the profile, tonight's question recorded"
    speak(JORDAN, lambda: couple.answer("sunday mornings"))
    assert trips.take() <= 2, "Jordan answers first by voice"
    speak(MAYA, lambda: couple.answer("long walks"))
    assert trips.take() <= 2, "Maya second"
    summary = speak(MAYA, lambda: couple.intent("JourneyIntent", new_session=True))
    assert trips.take() <= 1, "the summary reads only the profile"
    assert says(summary, "journey.evenings_this_week", evenings=3)
    recap = speak(None, lambda: couple.intent("RecapLastTimeIntent", new_session=True))
    assert trips.take() <= 2
    assert "Jordan said: sunday mornings." in recap.text
    assert "Maya said: long walks." in recap.text
    profile = store.get_profile(couple.device.user_id)
    assert profile is not None
    assert profile.voices == {voice_key(JORDAN): "b", voice_key(MAYA): "a"}


def test_memories_through_lambda_handler_on_dynamodb_within_two_round_trips(
    lambda_module: ModuleType,
) -> None:
    store = lambda_module.SKILL.services.store
    trips = RoundTrips(store.client)
    couple = Couple(
        lambda_module.SKILL, handler=lambda event: lambda_module.lambda_handler(event, None)
    )
    couple.onboard("maya", "jordan")
    couple.answer("the lake house")
    couple.answer("your smile")
    couple.later(days=365)
    steps: list[tuple[Callable[[], Reply], str, str]] = [
        (lambda: couple.intent("TonightQuestionIntent", new_session=True), "question", ""),
        (lambda: couple.answer("a year on"), "first answer", "answer.next_turn"),
        (lambda: couple.answer("still here"), "last answer + year-ago", "memory.year_ago_offer"),
        (lambda: couple.intent("AMAZON.YesIntent"), "read a year ago", "memory.year_ago"),
        (
            lambda: couple.intent("FavouriteIntent", new_session=True),
            "keep",
            "memory.favourite_kept",
        ),
        (lambda: couple.intent("PlayFavouritesIntent", new_session=True), "play", "recap.end"),
        (
            lambda: couple.intent("RecapStageIntent", new_session=True, stage_number="1"),
            "stage recap",
            "recap.intro",
        ),
        (lambda: couple.intent("JourneyIntent", new_session=True), "summary", "journey.warm"),
    ]
    trips.take()
    for step, label, key in steps:
        reply = step()
        assert trips.take() <= 2, label
        if key:
            assert pattern(key).search(reply.text), (label, reply.text)
