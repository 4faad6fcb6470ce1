"""Issue 21, item 5: "forget everything" after years of evenings never runs out of time.

The yes removes the names and progress at once and deletes what fits in the turn; later
requests of the household go on deleting first; what the couple hears is what happened, and
nothing of theirs is read back meanwhile. 4,000 answers on DynamoDB (moto, with a clock that
only moves when the store waits, so each step deletes the same amount) and on SQLite, with
throttling injected.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer

from skill.app import Stagewise, build_skill, handle_event
from skill.config import Settings
from skill.handlers import deletion
from skill.records import Answer, Profile
from skill.store import DeletionPending, Store
from skill.store.dynamodb import DELETES_PER_SECOND, DynamoStore
from skill.store.items import answer_to_item, is_deletion_marker
from skill.store.sqlite import SqliteStore
from tests.conftest import TEST_CLIENT_CONFIG
from tests.conversation import Couple, Reply, says
from tests.test_conversation import EVER
from tests.test_faults import Injected, disabled_event

ANSWERS = 4000  # about five and a half years of evenings
NEIGHBOURS = "amzn1.ask.account.neighbours"
# What one step deletes with the fake clock: the budget at the paced rate (give or take the
# one batch of 25 that may start just before the budget ends).
PER_STEP = int(deletion.BUDGET * DELETES_PER_SECOND)


def one_step(before: int, after: int) -> bool:
    return PER_STEP - 25 <= before - after <= PER_STEP + 25


@dataclass
class Clock:
    """Seconds that pass only when the store waits (its pauses are recorded)."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def history(household: str, count: int) -> list[Answer]:
    """`count` answers of a household, two an evening, in the years before the test's now."""
    start = EVER + timedelta(days=1)
    return [
        Answer(
            household_id=household,
            answered_at=start + timedelta(days=n // 2, minutes=n % 2),
            partner="ab"[n % 2],
            partner_name=("Sam", "Alex")[n % 2],
            stage=1 + (n // 2) % 6,
            question_id="attraction-01",
            question_text="What drew you to each other?",
            text=f"an old answer number {n}",
            request_id=f"amzn1.echo-api.request.old-{household[-6:]}-{n}",
        )
        for n in range(count)
    ]


def all_items(store: Store, household: str) -> int:
    """Every record of the household, the marker included (read past the store's rules)."""
    if isinstance(store, SqliteStore):
        return int(store._one("SELECT COUNT(*) FROM items WHERE pk = ?", (household,))[0])
    assert isinstance(store, DynamoStore)
    pages = store.client.get_paginator("query").paginate(
        TableName=store.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": household}},
        Select="COUNT",
        ConsistentRead=True,
    )
    return sum(page["Count"] for page in pages)


def load(store: Store, answers: list[Answer]) -> None:
    """Store answers straight into the table, fast (not through the skill)."""
    items = [answer_to_item(a) for a in answers]
    if isinstance(store, SqliteStore):
        with store._db:
            store._db.executemany(
                "INSERT INTO items (pk, sk, version, item) VALUES (?, ?, NULL, ?)",
                [(i["pk"], i["sk"], json.dumps(i)) for i in items],
            )
        return
    assert isinstance(store, DynamoStore)
    serialize = TypeSerializer().serialize
    for start in range(0, len(items), 25):
        puts = [
            {"PutRequest": {"Item": {k: serialize(v) for k, v in item.items()}}}
            for item in items[start : start + 25]
        ]
        store.client.batch_write_item(RequestItems={store.table: puts})


@dataclass
class Years:
    """A couple with years of answers, and neighbours on the same store."""

    app: Stagewise
    store: Store
    couple: Couple
    neighbours: Couple
    clock: Clock | None = None
    faults: Injected | None = None

    @property
    def household(self) -> str:
        return self.couple.device.user_id

    def forget_everything(self) -> Reply:
        asked = self.couple.intent("DeleteAllIntent", new_session=True)
        assert says(asked, "forget.confirm_all")
        assert all_items(self.store, self.household) == ANSWERS + 3  # nothing before the yes
        return self.couple.intent("AMAZON.YesIntent")


def met_years_ago(app: Stagewise, store: Store) -> tuple[Couple, Couple]:
    couple, neighbours = Couple(app), Couple(app, user_id=NEIGHBOURS)
    for pair in (couple, neighbours):
        pair.onboard()
        pair.answer("the lake house")
        pair.answer("your laugh")
    load(store, history(couple.device.user_id, ANSWERS))
    return couple, neighbours


@pytest.fixture
def on_dynamodb(moto_endpoint: str) -> Iterator[Years]:
    client = boto3.session.Session(region_name="us-east-1").client(
        "dynamodb", endpoint_url=moto_endpoint, config=TEST_CLIENT_CONFIG
    )
    clock = Clock()
    store = DynamoStore(
        client,
        table=f"forget-{uuid.uuid4().hex[:8]}",
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 1.0,
    )
    store.create()
    app = build_skill(Settings(store_url="unused://"), store=store)
    couple, neighbours = met_years_ago(app, store)
    yield Years(app, store, couple, neighbours, clock, Injected(client))


@pytest.fixture
def on_sqlite(sqlite_store: SqliteStore) -> Years:
    app = build_skill(Settings(store_url="unused://"), store=sqlite_store)
    couple, neighbours = met_years_ago(app, sqlite_store)
    return Years(app, sqlite_store, couple, neighbours)


def nothing_read_back(years: Years, reply: Reply) -> None:
    """Nothing of the household is read back while it is being deleted."""
    assert "old answer" not in reply.text and "lake house" not in reply.text
    assert "Sam" not in reply.text and "Alex" not in reply.text
    with pytest.raises(DeletionPending):
        years.store.get_profile(years.household)


def neighbours_untouched(years: Years) -> None:
    assert all_items(years.store, NEIGHBOURS) == 3
    profile = years.store.get_profile(NEIGHBOURS)
    assert profile is not None and profile.partner_b == "Alex"


def test_on_dynamodb_the_yes_deletes_what_fits_and_later_requests_finish_it(
    on_dynamodb: Years,
) -> None:
    years, clock = on_dynamodb, on_dynamodb.clock
    assert clock is not None
    done = years.forget_everything()
    assert says(done, "forget.started_all") and done.ended
    assert not says(done, "forget.done_all", count=ANSWERS + 2)
    left = all_items(years.store, years.household) - 1  # less the marker
    assert one_step(ANSWERS + 2, left)
    assert clock.now <= deletion.BUDGET  # the turn's deleting kept to its budget
    nothing_read_back(years, done)

    recap = years.couple.intent("RecapIntent", new_session=True, period=None)
    assert says(recap, "forget.still_deleting") and recap.ended
    nothing_read_back(years, recap)
    assert one_step(left, all_items(years.store, years.household) - 1)

    again = years.couple.launch()  # the rest fits: the couple is met afresh
    assert says(again, "forget.finished_now") and says(again, "onboarding.welcome")
    assert all_items(years.store, years.household) == 0
    assert years.store.get_profile(years.household) is None
    neighbours_untouched(years)
    # Paced: never faster than the rate DynamoDB allows one partition key (each of the three
    # steps may send its first batch at once).
    assert clock.now * DELETES_PER_SECOND + 3 * 25 >= ANSWERS + 2


def test_on_dynamodb_throttling_slows_the_deletion_but_never_the_turn(
    on_dynamodb: Years,
) -> None:
    years, clock, faults = on_dynamodb, on_dynamodb.clock, on_dynamodb.faults
    assert clock is not None and faults is not None
    faults.throttle_batches, faults.half_batches = 4, 6
    replies = [years.forget_everything()]
    while not says(replies[-1], "forget.finished_now"):
        assert len(replies) < 8, "the deletion never finishes"
        before = clock.now
        replies.append(years.couple.launch())
        assert clock.now - before <= deletion.BUDGET + 0.5  # each turn within its budget
        if not says(replies[-1], "forget.finished_now"):
            assert says(replies[-1], "forget.still_deleting")
            nothing_read_back(years, replies[-1])
    assert says(replies[0], "forget.started_all")
    assert faults.injected["throttled"] == 4 and faults.injected["half done"] == 6
    assert all_items(years.store, years.household) == 0
    neighbours_untouched(years)


def test_on_dynamodb_a_session_already_open_elsewhere_cannot_write_meanwhile(
    on_dynamodb: Years,
) -> None:
    """The kitchen Echo was mid-evening when the bedroom one said yes to forget everything."""
    years = on_dynamodb
    years.couple.later(days=1)
    kitchen = Couple(years.app, user_id=years.household, now=years.couple.now)
    kitchen.intent("TonightQuestionIntent", new_session=True)  # reads the profile: answering
    assert kitchen.awaiting == "answer"
    years.forget_everything()
    reply = kitchen.answer("something new")
    assert says(reply, "forget.still_deleting")
    assert "something new" not in reply.text
    found = years.store.answers(
        years.household, start=EVER, until=kitchen.now, limit=ANSWERS + 10, consistent=True
    )
    assert all(a.text != "something new" for a in found)  # refused, not stored


def test_on_dynamodb_disabling_the_skill_meanwhile_deletes_the_rest(on_dynamodb: Years) -> None:
    years = on_dynamodb
    years.forget_everything()
    assert all_items(years.store, years.household) > 0
    event = disabled_event(years.household)
    assert handle_event(years.app, event) == {"version": "1.0", "response": {}}
    assert all_items(years.store, years.household) == 0
    neighbours_untouched(years)


def test_on_sqlite_the_yes_deletes_everything_at_once(on_sqlite: Years) -> None:
    years = on_sqlite
    done = years.forget_everything()
    assert says(done, "forget.done_all", count=ANSWERS + 2) and done.ended
    assert all_items(years.store, years.household) == 0
    again = years.couple.launch()
    assert says(again, "onboarding.welcome") and not says(again, "forget.finished_now")
    neighbours_untouched(years)


def test_on_sqlite_a_deletion_left_unfinished_reads_nothing_back_and_is_finished_later(
    on_sqlite: Years, monkeypatch: pytest.MonkeyPatch
) -> None:
    years = on_sqlite
    monkeypatch.setattr(deletion, "BUDGET", 0.0)  # a turn with no time to delete in
    done = years.forget_everything()
    assert says(done, "forget.started_all")
    assert all_items(years.store, years.household) == ANSWERS + 3  # answers and the marker
    assert years.store.answers(years.household, start=EVER, until=years.couple.now, limit=9) == []
    recap = years.couple.intent("RecapIntent", new_session=True, period=None)
    assert says(recap, "forget.still_deleting")
    nothing_read_back(years, recap)
    monkeypatch.setattr(deletion, "BUDGET", 2.0)
    event = {"type": "Reminders.ReminderDeleted", "body": {"alertTokens": ["alert-1"]}}
    silent = years.couple.send(event, new_session=True)  # an event: finished, nothing said
    assert silent.text == "" and all_items(years.store, years.household) == 0
    neighbours_untouched(years)


@pytest.mark.parametrize("kind", ["sqlite", "dynamo"])
def test_the_store_marks_then_deletes_in_steps_and_the_marker_goes_last(
    kind: str, request: pytest.FixtureRequest
) -> None:
    store: Store = request.getfixturevalue(f"{kind}_store")
    household = "amzn1.ask.account.store-level"
    profile = store.put_profile(Profile(household_id=household, partner_a="A", partner_b="B"))
    load(store, history(household, 60))
    store.begin_deletion(household, EVER)
    with pytest.raises(DeletionPending):
        store.get_profile(household)
    store.begin_deletion(household, EVER + timedelta(days=1))  # again: no harm
    with pytest.raises(Exception, match="changed since it was read"):
        store.put_profile(profile)  # no write for the household while it is deleted
    assert (
        store.answers(household, start=EVER, until=EVER + timedelta(days=99), limit=9)
        in (
            [],  # SQLite reads nothing back
            history(household, 60)[::-1][:9],  # DynamoDB's answer reads cannot see the marker
        )
    )
    progress = store.continue_deletion(household, budget=30.0)
    assert progress == (60, True)
    assert all_items(store, household) == 0 and store.get_profile(household) is None
    assert store.continue_deletion(household, budget=30.0) == (0, True)  # nothing to go on with
    fresh = store.put_profile(Profile(household_id=household, partner_a="C", partner_b="D"))
    assert store.continue_deletion(household, budget=30.0) == (0, True)
    assert store.get_profile(household) == fresh  # a new couple is never touched


def test_the_marker_carries_no_names() -> None:
    from skill.store.items import deletion_marker

    marker = deletion_marker("amzn1.ask.account.x", EVER)
    assert is_deletion_marker(marker) and set(marker) == {"pk", "sk", "deleting"}
