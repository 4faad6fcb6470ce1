"""Issue 21: a profile that stays small for years, and evenings that stay cheap.

A couple's year (and five) is replayed night by night with the functions the handlers call,
with what real couples add: Alexa's long user and person IDs, two voices, a weekly reminder,
skips, a favourite a week, moves through the stages. The stored DynamoDB item is sized the
way DynamoDB bills it, a real evening on DynamoDB (moto) is counted in write units, and a
year-old couple's answer turn is timed against a new couple's in the same run.
"""

from __future__ import annotations

import math
import random
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from skill.app import build_skill, handle_event
from skill.config import Settings
from skill.content import load_content
from skill.handlers.memory import FAVOURITES_KEPT
from skill.journey import YEAR
from skill.profile_rules import shared_tonight
from skill.question_order import another_question, change_stage, record_answer, tonight
from skill.reconnect import Ritual
from skill.records import CurrentQuestion, Place, Profile, voice_key
from skill.session import Answering, SessionState
from skill.store import Store
from skill.store.dynamodb import DynamoStore
from skill.store.items import packed_profile_item, profile_from_item, profile_to_item
from stagewise_tools import alexa_requests as alexa
from tests.conversation import Couple

CONTENT = load_content()
KB = 1024
_RANDOM = random.Random(21)


def alexa_id(prefix: str, length: int) -> str:
    """An ID shaped like Alexa's: a prefix, then random base-32 characters (they don't pack)."""
    return prefix + "".join(
        _RANDOM.choice(string.ascii_uppercase + "234567") for _ in range(length)
    )


USER_ID = alexa_id("amzn1.ask.account.", 207)  # 225 characters, as Alexa's user IDs run
MAYA, JORDAN = alexa_id("amzn1.ask.person.", 104), alexa_id("amzn1.ask.person.", 104)
REMINDER_TOKEN = f"amzn1.alexa.reminder.{alexa_id('', 32)}"
STARTED = date(2026, 11, 16)

# --- DynamoDB's sizes --------------------------------------------------------------------------


def dynamodb_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: each attribute's name and value, nested overheads.

    Strings are their UTF-8 bytes, binary its raw bytes, a number about one byte per two
    significant digits plus one, a boolean or null one byte; a list or map three bytes, plus
    one byte and the size of each element (and, in a map, its name).
    """
    wire = {name: TypeSerializer().serialize(value) for name, value in item.items()}
    return sum(len(name.encode()) + _value_size(value) for name, value in wire.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "B":
        return len(bytes(raw))
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in raw.items())
    raise ValueError(f"no size for {kind}")


def write_units(size: int, *, transaction: bool = False) -> int:
    """A write unit per started kilobyte, two inside a transaction."""
    return math.ceil(size / KB) * (2 if transaction else 1)


def test_sizes_are_counted_as_dynamodb_counts_them() -> None:
    assert dynamodb_size({"ab": "xyz"}) == 5
    assert dynamodb_size({"n": Decimal("12345")}) == 1 + 4  # five digits: three bytes, plus one
    assert dynamodb_size({"n": 100}) == 1 + 2  # trailing zeros do not count
    assert dynamodb_size({"b": b"\x00\x01"}) == 1 + 2
    assert dynamodb_size({"m": {"k": "v", "l": ["x", True]}}) == 1 + 3 + (1 + 1 + 1) + (
        1 + 1 + 3 + (1 + 1) + (1 + 1)
    )
    assert write_units(1024) == 1 and write_units(1025) == 2
    assert write_units(900, transaction=True) == 2


# --- A couple's years, replayed --------------------------------------------------------------


def lived(years: int, *, zone: str = "America/Argentina/Buenos_Aires") -> Profile:
    """The profile after `years` of nightly evenings, with what a real couple adds to it."""
    profile = Profile(
        household_id=USER_ID,
        partner_a="Maya",
        partner_b="Jordan",
        created_at="2026-11-16T20:00:00.000000Z",
        voices={voice_key(MAYA): "a", voice_key(JORDAN): "b"},
        ritual=Ritual(
            time_zone=zone,
            reminder_token=REMINDER_TOKEN,
            reminder_day="SU",
            reminder_time="20:00",
            offered=True,
        ),
    )
    for number in range(YEAR * years):
        day = STARTED + timedelta(days=number)
        if number and number % 60 == 0 and profile.stage < 6:  # they move on every two months
            profile = change_stage(profile, profile.stage + 1)
        profile = tonight(profile, CONTENT, day).profile
        if number % 9 == 4:  # now and then, "another question"
            profile = another_question(profile, CONTENT, day).profile
        profile = record_answer(record_answer(profile, "a", day), "b", day)
        profile = shared_tonight(profile, day)
        journey = profile.journey
        if number % 7 == 3:  # "keep that one", once a week
            current = profile.current
            assert current is not None
            journey = journey.with_favourite(current.question_id, day, FAVOURITES_KEPT)
        if number >= YEAR and number % 7 == 0:  # the evening a year ago, offered weekly
            journey = replace(journey, year_ago_on=day - timedelta(days=YEAR))
        profile = profile.with_changes(
            journey=journey,
            ritual=profile.ritual.with_changes(tz_checked_on=day),
            version=profile.version + 3,  # tonight's question and two answers
        )
    return profile


YEARS = {1: lived(1), 5: lived(5)}


@pytest.mark.parametrize("years", [1, 5])
def test_the_stored_profile_stays_within_one_kilobyte(years: int) -> None:
    profile = YEARS[years]
    assert len(profile.journey.favourites) == FAVOURITES_KEPT  # every bound reached
    assert len(profile.journey.spans) == 6 and len(profile.voices) == 2
    item = packed_profile_item(profile)
    assert dynamodb_size(item) <= KB
    assert profile_from_item(item) == profile
    # Its fields spread as attributes, as SQLite keeps them, would cost two write units.
    assert dynamodb_size(profile_to_item(profile)) > KB


@pytest.mark.parametrize("years", [1, 5])
def test_where_a_couple_is_stays_a_few_places(years: int) -> None:
    places = YEARS[years].places
    assert len(places) <= 6 + 1 + 4  # a place per stage, check-ins, four seasons
    assert all(p.ahead == () for p in places.values())
    assert len(SessionState(profile=YEARS[years]).to_attributes()["profile"]) < 3 * KB


# --- Write units of a real evening on DynamoDB --------------------------------------------------


class Writes:
    """Write units of each request the store's client sends, as DynamoDB bills them."""

    EVENT = "provide-client-params.dynamodb"

    def __init__(self, client: Any) -> None:
        self.units: list[tuple[str, int]] = []
        self.client = client

    def __enter__(self) -> Writes:
        self.client.meta.events.register(self.EVENT, self._sent)
        return self

    def __exit__(self, *_: object) -> None:  # the client is shared by the session's tests
        self.client.meta.events.unregister(self.EVENT, self._sent)

    def _sent(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "PutItem":
            self.units.append(("PutItem", write_units(_wire_size(params["Item"]))))
        elif model.name == "TransactWriteItems":
            items = [w["Put"]["Item"] for w in params["TransactItems"] if "Put" in w]
            units = sum(write_units(_wire_size(i), transaction=True) for i in items)
            self.units.append(("TransactWriteItems", units))

    def total(self) -> int:
        return sum(units for _, units in self.units)


def _wire_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


@pytest.mark.parametrize("years", [0, 1, 5])
def test_an_evening_costs_at_most_ten_write_units_however_long_they_stayed(
    dynamo_store: DynamoStore, years: int
) -> None:
    stored = YEARS[years] if years else lived(0)
    dynamo_store.put_profile(replace(stored, current=None, version=0))
    app = build_skill(Settings(store_url="sqlite:///:memory:"), store=dynamo_store)
    now = datetime.combine(STARTED + timedelta(days=YEAR * years), datetime.min.time(), UTC)
    couple = Couple(app, user_id=USER_ID, now=now + timedelta(hours=20))
    with Writes(dynamo_store.client) as writes:
        couple.intent("TonightQuestionIntent", new_session=True)
        couple.answer("the way you listen")
        couple.answer("your morning coffee ritual")
    assert [kind for kind, _ in writes.units] == ["PutItem", *["TransactWriteItems"] * 2]
    assert writes.total() <= 10, writes.units
    after = dynamo_store.get_profile(USER_ID)
    assert (
        after is not None
        and after.completed_in(after.stage) == stored.completed_in(stored.stage) + 1
    )  # the evening counted: both answers stored with it


# --- A year-old couple's answer turn, against a new couple's -------------------------------------


def answer_turns(profile: Profile, store: Store, count: int) -> Iterator[dict[str, Any]]:
    """Events of a first answer to tonight's question, each for its own household (untouched)."""
    now = datetime(2027, 11, 20, 20, 0, tzinfo=UTC)
    question = tonight(profile, CONTENT, now.date()).question
    for n in range(count):
        household = f"{profile.partner_a}-{profile.version}-{n}"
        mine = replace(
            profile,
            household_id=household,
            version=0,
            current=CurrentQuestion(question.id, profile.stage, now.date()),
        )
        stored = store.put_profile(mine)
        device = alexa.Device(user_id=household)
        device.new_session()
        device.attributes = SessionState(
            profile=stored, profile_loaded=True, awaiting=Answering()
        ).to_attributes()
        yield device.envelope(alexa.intent("AnswerIntent", {"answer": "the way you listen"}), now)


def test_a_year_old_couples_answer_turn_is_the_same_work_as_a_new_couples(
    dynamo_store: DynamoStore,
) -> None:
    """A year-old couple's answer turn makes the same calls as a new couple's and writes a
    profile as small; its CPU ratio is measured by the benchmark (bench/), never here."""
    app = build_skill(Settings(store_url="sqlite:///:memory:"), store=dynamo_store)
    new = list(answer_turns(replace(lived(0), partner_a="New"), dynamo_store, 3))
    old = list(answer_turns(YEARS[1], dynamo_store, 3))
    for event in new + old:
        reply = handle_event(app, event)
        assert reply["response"]["shouldEndSession"] is False  # the other partner's turn
    stored = dynamo_store.get_profile(old[-1]["session"]["user"]["userId"])
    assert stored is not None and stored.current is not None and stored.current.answered == ("a",)
    assert dynamodb_size(packed_profile_item(stored)) <= KB


# --- Profiles of the previous release -------------------------------------------------------------


def old_item(profile: Profile, asked: dict[int, list[str]]) -> dict[str, Any]:
    """A stored item as the previous release wrote it: fields spread, asked ids, person IDs."""
    item = profile_to_item(profile)
    item.pop("places")
    item["asked"] = {str(k): v for k, v in asked.items()}
    item["voices"] = {MAYA: "a", JORDAN: "b"}
    return item


def test_a_profile_of_the_previous_release_loads_and_is_stored_packed(
    dynamo_store: DynamoStore,
) -> None:
    bank = [q.id for q in CONTENT.questions[6] if not q.recurring]
    asked = {n: [q.id for q in CONTENT.questions[n][:60]] for n in range(1, 6)}
    asked[6] = bank[:70:2]  # every other one, in the order the old bank had
    year_old = replace(YEARS[1], places={}, version=1093, stage=6, current=None)
    dynamo_store.client.put_item(
        TableName=dynamo_store.table,
        Item={k: TypeSerializer().serialize(v) for k, v in old_item(year_old, asked).items()},
    )
    loaded = dynamo_store.get_profile(USER_ID)
    assert loaded is not None and loaded.voices == {voice_key(MAYA): "a", voice_key(JORDAN): "b"}
    chosen = another_question(loaded, CONTENT, STARTED + timedelta(days=YEAR))
    assert chosen.question.id == bank[1]  # the first the old list had not asked
    # Stages the couple is not in settle at once; stage six passes its list over in one round.
    assert all(p.ahead == () for k, p in chosen.profile.places.items() if k != "6")
    assert chosen.profile.place("6").ahead == tuple(bank[2:70:2])
    saved = dynamo_store.put_profile(chosen.profile)
    raw = dynamo_store.client.get_item(
        TableName=dynamo_store.table, Key={"pk": {"S": USER_ID}, "sk": {"S": "PROFILE"}}
    )["Item"]
    assert set(raw) == {"pk", "sk", "version", "profile"} and "B" in raw["profile"]
    assert dynamo_store.get_profile(USER_ID) == saved


def test_a_packed_profile_of_an_unknown_format_is_refused() -> None:
    packed = packed_profile_item(YEARS[1])
    assert packed["profile"][0] == 1  # the format byte
    with pytest.raises(ValueError, match="format"):
        profile_from_item({**packed, "profile": b"\x09" + packed["profile"][1:]})


def test_a_session_of_the_previous_release_keeps_its_place() -> None:
    profile = replace(YEARS[1], places={}, stage=1, current=None)
    body = profile.to_dict()
    body.pop("places")
    body["asked"] = {"1": [q.id for q in CONTENT.questions[1][:3]]}
    state = SessionState.from_attributes(
        {"profile": body, "profile_loaded": True}, profile.household_id
    )
    assert state.profile is not None
    assert state.profile.place("1") == Place(ahead=tuple(body["asked"]["1"]))
    assert tonight(state.profile, CONTENT, STARTED).question == CONTENT.questions[1][3]
