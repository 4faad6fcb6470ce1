"""Disabling the skill under faults: whatever DynamoDB or SQLite does, nothing of the
household is left once Alexa has delivered the event again, and the failure is reported."""

from __future__ import annotations

import copy
import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.awsrequest import AWSResponse

from skill.app import Stagewise, build_skill, handle_event
from skill.config import Settings
from skill.records import Answer, Profile
from skill.store import DeletionIncomplete, Store
from skill.store.dynamodb import Backoff, DynamoStore
from skill.store.items import answer_to_item, profile_to_item
from skill.store.sqlite import SqliteStore
from tests.conftest import TEST_CLIENT_CONFIG

EVENTS = Path(__file__).parent / "events"
LEAVING = "amzn1.ask.account.LEAVING-COUPLE"
STAYING = "amzn1.ask.account.STAYING-COUPLE"
T0 = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
ANSWERS = 2000


def items_of(household: str) -> list[dict[str, Any]]:
    """The household's profile and `count` answers, as stored items."""
    count = ANSWERS if household == LEAVING else 30
    profile = Profile(household_id=household, partner_a="Sam", partner_b="Alex", version=1)
    answers = (
        Answer(
            household_id=household,
            answered_at=T0 + timedelta(minutes=n),
            partner="ab"[n % 2],
            partner_name="Sam",
            stage=1,
            question_id="attraction-01",
            question_text="What drew you?",
            text=f"answer {n}",
            request_id=f"amzn1.echo-api.request.{household}-{n}",
        )
        for n in range(count)
    )
    return [profile_to_item(profile), *(answer_to_item(a) for a in answers)]


def disabled_event(user_id: str = LEAVING) -> dict[str, Any]:
    event = json.loads((EVENTS / "skill_disabled.json").read_text())
    event["context"]["System"]["user"]["userId"] = user_id
    return event


class Injected:
    """Faults on one DynamoDB client through botocore's event hooks; counts what it did."""

    def __init__(self, client: Any) -> None:
        self.throttle_batches = 0  # next N BatchWriteItem calls: ProvisionedThroughputExceeded
        self.half_batches = 0  # next N BatchWriteItem calls: half comes back unprocessed
        self.fail_queries = 0  # next N Query calls: InternalServerError
        self.injected: dict[str, int] = {"throttled": 0, "half done": 0, "query failed": 0}
        self._held_back: list[Any] = []
        self._throttle_now = False
        events = client.meta.events
        events.register("before-parameter-build.dynamodb.BatchWriteItem", self._batch_params)
        events.register("before-call.dynamodb.BatchWriteItem", self._batch_call)
        events.register("after-call.dynamodb.BatchWriteItem", self._batch_done)
        events.register("before-call.dynamodb.Query", self._query_call)

    def _batch_params(self, params: dict[str, Any], **_: Any) -> None:
        if self.throttle_batches > 0:
            self.throttle_batches -= 1
            self._throttle_now = True
        elif self.half_batches > 0:
            self.half_batches -= 1
            [(table, requests)] = params["RequestItems"].items()
            keep = (len(requests) + 1) // 2  # DynamoDB always processes some of a batch
            params["RequestItems"] = {table: requests[:keep]}
            self._held_back = [table, requests[keep:]]

    def _batch_call(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not self._throttle_now:
            return None
        self._throttle_now = False
        self.injected["throttled"] += 1
        return _error(400, "ProvisionedThroughputExceededException")

    def _batch_done(self, parsed: dict[str, Any], **_: Any) -> None:
        if self._held_back:
            table, requests = self._held_back
            parsed.setdefault("UnprocessedItems", {})[table] = requests
            self._held_back = []
            self.injected["half done"] += 1

    def _query_call(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if self.fail_queries <= 0:
            return None
        self.fail_queries -= 1
        self.injected["query failed"] += 1
        return _error(500, "InternalServerError")


def _error(status: int, code: str) -> tuple[AWSResponse, dict[str, Any]]:
    body = {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {}}
    return AWSResponse("http://fault", status, {}, None), body


@dataclass
class Faulty:
    """The store under test, its faults, its recorded sleeps, and a fault-free observer."""

    store: DynamoStore
    faults: Injected
    slept: list[float]
    observer: Any

    def count(self, household: str) -> int:
        pages = self.observer.get_paginator("query").paginate(
            TableName=self.store.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": household}},
            Select="COUNT",
        )
        return sum(page["Count"] for page in pages)


@pytest.fixture
def faulty(moto_endpoint: str, dynamodb_client: Any) -> Iterator[Faulty]:
    """A store with its own client (hooks stay on it) and a recorded, instant sleep."""
    client = boto3.session.Session(region_name="us-east-1").client(
        "dynamodb", endpoint_url=moto_endpoint, config=TEST_CLIENT_CONFIG
    )
    slept: list[float] = []
    store = DynamoStore(client, table=f"faults-{uuid.uuid4().hex[:8]}", sleep=slept.append)
    store.create()
    serialize = TypeSerializer().serialize
    for household in (LEAVING, STAYING):  # fast setup: batch writes, 25 at a time
        items = items_of(household)
        for start in range(0, len(items), 25):
            puts = [
                {"PutRequest": {"Item": {k: serialize(v) for k, v in item.items()}}}
                for item in items[start : start + 25]
            ]
            client.batch_write_item(RequestItems={store.table: puts})
    yield Faulty(store, Injected(client), slept, observer=dynamodb_client)


def deliver(app: Stagewise, event: dict[str, Any]) -> bool:
    """One delivery of the event; True when the invocation succeeded (Alexa stops there)."""
    try:
        raw = handle_event(app, copy.deepcopy(event))
    except DeletionIncomplete:
        return False
    assert raw == {"version": "1.0", "response": {}}  # no speech, no session, whatever happened
    return True


FAULTS = {
    # name: (throttled batches, half-processed batches, failed queries), deliveries needed
    "throttled past the retry budget": ((12, 0, 0), 2),
    "throttled a few times": ((5, 0, 0), 1),
    "half of 40 batches unprocessed": ((0, 40, 0), 1),
    "one query fails": ((0, 0, 1), 1),
    "queries fail past the retry budget": ((0, 0, 10), 2),
    "everything at once": ((6, 30, 1), 1),
}


@pytest.mark.parametrize(("faults", "deliveries"), FAULTS.values(), ids=FAULTS.keys())
def test_disabling_under_dynamodb_faults_leaves_nothing_after_one_redelivery(
    faulty: Faulty,
    faults: tuple[int, int, int],
    deliveries: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    injected, slept, count = faulty.faults, faulty.slept, faulty.count
    injected.throttle_batches, injected.half_batches, injected.fail_queries = faults
    app = build_skill(Settings(store_url="unused://"), store=faulty.store)
    assert count(LEAVING) == ANSWERS + 1
    outcomes = [deliver(app, disabled_event())]
    if not outcomes[0]:
        assert count(LEAVING) > 0  # reported as failed because it was
        outcomes.append(deliver(app, disabled_event()))  # Alexa delivers it again
    assert outcomes == [False] * (deliveries - 1) + [True]
    assert count(LEAVING) == 0
    assert count(STAYING) == 31
    assert sum(slept) <= Backoff().budget * deliveries  # backoff stays bounded
    assert all(n > 0 for n in injected.injected.values() if n) and any(injected.injected.values())
    assert LEAVING not in caplog.text and "answer 1" not in caplog.text


def test_a_skill_disabled_event_the_sdk_cannot_read_still_deletes(
    faulty: Faulty,
) -> None:
    count = faulty.count
    app = build_skill(Settings(store_url="unused://"), store=faulty.store)
    event = disabled_event()
    event["context"]["Viewport"] = {"mode": "HOLOGRAM"}  # an enum value newer than the SDK
    event["request"]["body"] = {"userInformationPersistenceStatus": 42}
    event["request"]["timestamp"] = 1_700_000_000  # wrong type: the SDK refuses the envelope
    assert deliver(app, event)
    assert (count(LEAVING), count(STAYING)) == (0, 31)


def test_disabling_under_a_locked_sqlite_file_is_reported_then_finished(tmp_path: Path) -> None:
    path = tmp_path / "stagewise.db"
    store = SqliteStore(path, busy_timeout=0.05)
    with store._db:
        for household in (LEAVING, STAYING):
            store._db.executemany(
                "INSERT INTO items (pk, sk, version, item) VALUES (?, ?, NULL, ?)",
                [(i["pk"], i["sk"], json.dumps(i)) for i in items_of(household)],
            )
    app = build_skill(Settings(store_url="unused://"), store=store)
    locker = sqlite3.connect(path)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    assert not deliver(app, disabled_event())
    locker.rollback()
    locker.close()
    assert sqlite_count(store, LEAVING) == ANSWERS + 1  # nothing claimed, nothing half-done
    assert deliver(app, disabled_event())
    assert (sqlite_count(store, LEAVING), sqlite_count(store, STAYING)) == (0, 31)


def sqlite_count(store: Store, household: str) -> int:
    assert isinstance(store, SqliteStore)
    return int(store._one("SELECT COUNT(*) FROM items WHERE pk = ?", (household,))[0])
