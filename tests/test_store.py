"""One contract, two stores: SQLite (embedded default) and DynamoDB over HTTP (moto server)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from botocore.stub import Stubber

from skill.records import Answer, CurrentQuestion, Place, Profile
from skill.store import ConflictError, DeletionIncomplete, StorageError, Store
from skill.store.connect import open_store
from skill.store.dynamodb import CLIENT_CONFIG, DynamoStore
from skill.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)


def profile(household: str = "household-1", **changes: object) -> Profile:
    base = Profile(
        household_id=household,
        partner_a="Sam",
        partner_b="Alex",
        stage=2,
        places={
            "1": Place(2, "attraction-09"),
            "2": Place(1, "trust-02", 1),
            "6.checkin": Place(3, "renewal-112", 0, date(2026, 11, 14)),
        },
        completed={1: 2},
        current=CurrentQuestion("trust-01", 2, date(2026, 11, 16), ("a",)),
        tip_turn=3,
        created_at="2026-11-01T20:00:00.000000Z",
    )
    return base.with_changes(**changes)


def answer(
    household: str = "household-1",
    minutes: int = 0,
    partner: str = "a",
    text: str = "kindness",
    request: str = "",
) -> Answer:
    return Answer(
        household_id=household,
        answered_at=T0 + timedelta(minutes=minutes),
        partner=partner,
        partner_name="Sam" if partner == "a" else "Alex",
        stage=2,
        question_id="trust-01",
        question_text="What do you count on?",
        text=text,
        request_id=request or f"amzn1.echo-api.request.{household}-{minutes}-{partner}-{text}",
    )


DAY = timedelta(days=1)


def test_new_household_has_no_profile(store: Store) -> None:
    assert store.get_profile("nobody") is None


def test_profile_round_trips_through_the_store(store: Store) -> None:
    stored = store.put_profile(profile())
    assert stored.version == 1
    assert store.get_profile("household-1") == stored


def test_creating_a_profile_twice_conflicts(store: Store) -> None:
    store.put_profile(profile())
    with pytest.raises(ConflictError):
        store.put_profile(profile(partner_a="Other"))
    loaded = store.get_profile("household-1")
    assert loaded is not None and loaded.partner_a == "Sam"


def test_a_stale_profile_cannot_overwrite_a_newer_one(store: Store) -> None:
    first = store.put_profile(profile())
    store.put_profile(first.with_changes(stage=3))  # another device moves on
    with pytest.raises(ConflictError):
        store.put_profile(first.with_changes(partner_b="Overwritten"))
    loaded = store.get_profile("household-1")
    assert loaded is not None and (loaded.stage, loaded.partner_b, loaded.version) == (3, "Alex", 2)


def test_answer_and_profile_are_stored_together(store: Store) -> None:
    stored = store.put_profile(profile())
    after = store.add_answer(answer(), stored.with_changes(tip_turn=9))
    assert after.version == 2
    assert store.get_profile("household-1") == after
    assert store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=10) == [
        answer()
    ]


def test_a_retried_answer_is_not_stored_twice(store: Store) -> None:
    stored = store.put_profile(profile())
    after = store.add_answer(answer(), stored.with_changes(tip_turn=9))
    again = store.add_answer(answer(), stored.with_changes(tip_turn=9))  # same request, retried
    assert again == after
    assert len(store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=10)) == 1


def test_an_answer_with_a_stale_profile_conflicts_and_stores_nothing(store: Store) -> None:
    stored = store.put_profile(profile())
    store.put_profile(stored.with_changes(stage=3))
    with pytest.raises(ConflictError):
        store.add_answer(answer(), stored)
    assert store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=10) == []


def test_answers_come_newest_first_within_the_window_and_limit(store: Store) -> None:
    current = store.put_profile(profile())
    for minutes in (0, 10, 20, 30, 40):
        current = store.add_answer(answer(minutes=minutes, text=f"at {minutes}"), current)
    store.put_profile(profile("household-2"))
    window = store.answers(
        "household-1", start=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=39), limit=10
    )
    assert [a.text for a in window] == ["at 30", "at 20", "at 10"]
    limited = store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=2)
    assert [a.text for a in limited] == ["at 40", "at 30"]
    assert store.answers("household-2", start=T0, until=T0 + timedelta(days=1), limit=10) == []


def test_answer_text_is_kept_exactly(store: Store) -> None:
    text = 'tea & toast <3 "always" — it\'s ours ✨'
    current = store.put_profile(profile())
    store.add_answer(answer(text=text), current)
    [loaded] = store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=1)
    assert loaded.text == text


def test_deleting_a_household_removes_everything_and_only_it(store: Store) -> None:
    current = store.put_profile(profile())
    for minutes in range(30):  # more than one DynamoDB batch
        current = store.add_answer(answer(minutes=minutes), current)
    store.put_profile(profile("household-2"))
    assert store.delete_household("household-1") == 31
    assert store.get_profile("household-1") is None
    assert store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=50) == []
    assert store.get_profile("household-2") is not None


def test_two_requests_in_the_same_second_keep_both_answers(store: Store) -> None:
    """Two devices, one second, the same partner slot: two requests, two answers."""
    current = store.put_profile(profile())
    first = answer(text="from the kitchen", request="amzn1.echo-api.request.kitchen")
    second = answer(text="from the bedroom", request="amzn1.echo-api.request.bedroom")
    current = store.add_answer(first, current)
    store.add_answer(second, current)
    stored = store.answers("household-1", start=T0, until=T0 + DAY, limit=10)
    assert sorted(a.text for a in stored) == ["from the bedroom", "from the kitchen"]


def test_a_retried_request_is_one_answer_even_with_other_words(store: Store) -> None:
    """Alexa resends the same requestId: it is the same answer, whatever came through."""
    stored = store.put_profile(profile())
    after = store.add_answer(answer(request="amzn1.echo-api.request.r1"), stored)
    again = store.add_answer(answer(request="amzn1.echo-api.request.r1", text="kindnes"), stored)
    assert again == after
    assert [a.text for a in store.answers("household-1", start=T0, until=T0 + DAY, limit=9)] == [
        "kindness"
    ]


def test_a_recap_ending_in_the_answers_second_includes_it(store: Store) -> None:
    current = store.put_profile(profile())
    store.add_answer(answer(minutes=5), current)
    said_at = T0 + timedelta(minutes=5)
    window = store.answers("household-1", start=T0, until=said_at, limit=10)
    assert [a.text for a in window] == ["kindness"]
    a_second_before = said_at - timedelta(seconds=1)
    assert store.answers("household-1", start=T0, until=a_second_before, limit=9) == []


def test_the_key_names_time_partner_and_a_short_tag_of_the_request() -> None:
    from skill.store.items import answer_to_item

    request = "amzn1.echo-api.request.0f3c5f1e-aaaa-bbbb-cccc-123456789abc"
    sk = answer_to_item(answer(request=request))["sk"]
    prefix, stamp, partner, tag = sk.split("#")
    assert (prefix, stamp, partner) == ("ANSWER", "2026-11-16T20:00:00.000000Z", "a")
    assert len(tag) == 12 and tag not in request and "0f3c5f1e" not in sk


def test_answers_stored_under_the_old_key_shape_are_still_read(store: Store) -> None:
    """Items written before keys carried the request: readable, replaceable, deletable."""
    from skill.store.items import answer_to_item

    old = answer(text="said before the upgrade", request="-")
    old = Answer(**{**old.__dict__, "request_id": ""})
    item = answer_to_item(old)
    item["sk"] = "ANSWER#2026-11-16T20:00:00.000000Z#a"
    item.pop("request_id")
    _put_raw(store, item)
    [loaded] = store.answers("household-1", start=T0, until=T0 + DAY, limit=9)
    assert loaded == old
    current = store.put_profile(profile())
    assert store.delete_answers("household-1", [loaded], current)[0] == 1
    assert store.answers("household-1", start=T0, until=T0 + DAY, limit=9) == []


def _put_raw(store: Store, item: dict[str, object]) -> None:
    import json

    if isinstance(store, SqliteStore):
        with store._db:
            store._db.execute(
                "INSERT INTO items (pk, sk, version, item) VALUES (?, ?, NULL, ?)",
                (item["pk"], item["sk"], json.dumps(item)),
            )
    else:
        from boto3.dynamodb.types import TypeSerializer

        assert isinstance(store, DynamoStore)
        wire = {k: TypeSerializer().serialize(v) for k, v in item.items()}
        store.client.put_item(TableName=store.table, Item=wire)


def test_a_correction_replaces_the_answer_with_the_profile(store: Store) -> None:
    current = store.put_profile(profile())
    first = answer(text="patiance", request="amzn1.echo-api.request.first")
    current = store.add_answer(first, current)
    fixed = answer(text="patience", request="amzn1.echo-api.request.fix")
    after = store.replace_answer(first, fixed, current.with_changes(tip_turn=7))
    assert after.version == current.version + 1 and store.get_profile("household-1") == after
    assert store.answers("household-1", start=T0, until=T0 + DAY, limit=9) == [fixed]
    # Alexa retries the correction: nothing changes, the stored profile comes back
    assert store.replace_answer(first, fixed, current.with_changes(tip_turn=7)) == after
    assert store.answers("household-1", start=T0, until=T0 + DAY, limit=9) == [fixed]


def test_a_correction_with_a_stale_profile_changes_nothing(store: Store) -> None:
    current = store.put_profile(profile())
    first = answer(text="patiance", request="amzn1.echo-api.request.first")
    current = store.add_answer(first, current)
    store.put_profile(current.with_changes(stage=3))  # the other device moved on
    with pytest.raises(ConflictError):
        store.replace_answer(first, answer(text="patience", request="fix"), current)
    assert store.answers("household-1", start=T0, until=T0 + DAY, limit=9) == [first]


def test_deleting_some_answers_removes_only_those(store: Store) -> None:
    current = store.put_profile(profile())
    kept, gone = answer(minutes=1, text="kept"), answer(minutes=2, text="gone")
    for given in (kept, gone, answer(household="household-2", text="theirs")):
        if given.household_id == "household-2":
            store.add_answer(given, store.put_profile(profile("household-2")))
        else:
            current = store.add_answer(given, current)
    removed, current = store.delete_answers("household-1", [gone], current.with_changes(stage=2))
    assert removed == 1 and current.stage == 2  # the profile is written in the same step
    removed, current = store.delete_answers("household-1", [gone], current)
    assert removed == 0  # already gone: nothing to count
    assert store.answers("household-1", start=T0, until=T0 + DAY, limit=9) == [kept]
    assert len(store.answers("household-2", start=T0, until=T0 + DAY, limit=9)) == 1
    assert store.get_profile("household-1") == current
    with pytest.raises(ValueError):
        theirs = answer(household="household-2", text="theirs")
        store.delete_answers("household-1", [theirs], current)


def test_deleting_answers_with_a_stale_profile_deletes_nothing(store: Store) -> None:
    """Atomic on every store: the answers and the profile change together or not at all."""
    current = store.put_profile(profile())
    given = answer(minutes=1, text="given")
    current = store.add_answer(given, current)
    store.put_profile(current.with_changes(stage=3))  # the other device moved on
    with pytest.raises(ConflictError):
        store.delete_answers("household-1", [given], current)
    assert store.answers("household-1", start=T0, until=T0 + DAY, limit=9) == [given]


def test_a_consistent_read_sees_the_answer_just_written(store: Store) -> None:
    current = store.put_profile(profile())
    given = answer(minutes=1, text="just now")
    store.add_answer(given, current)
    found = store.answers("household-1", start=T0, until=T0 + DAY, limit=9, consistent=True)
    assert found == [given]


def test_create_is_idempotent(store: Store) -> None:
    store.put_profile(profile())
    store.create()
    assert store.get_profile("household-1") is not None


def test_store_urls_pick_the_implementation(tmp_path, aws_env) -> None:  # type: ignore[no-untyped-def]
    sqlite = open_store(f"sqlite:///{tmp_path}/x.db")
    assert isinstance(sqlite, SqliteStore) and sqlite.path == f"{tmp_path}/x.db"
    dynamo = open_store("dynamodb://stagewise-table")
    assert isinstance(dynamo, DynamoStore) and dynamo.table == "stagewise-table"
    for bad in ("", "stagewise", "postgres://x", "sqlite://"):
        with pytest.raises(ValueError):
            open_store(bad)


def test_production_client_fails_fast_against_a_server_that_never_answers(aws_env) -> None:  # type: ignore[no-untyped-def]
    """No turn may come near Alexa's 8 s: a silent DynamoDB is given up on, as a StorageError."""
    import socket
    import time

    import boto3

    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        client = boto3.session.Session(region_name="us-east-1").client(
            "dynamodb", endpoint_url=f"http://127.0.0.1:{port}", config=CLIENT_CONFIG
        )
        started = time.monotonic()
        with pytest.raises(StorageError):
            DynamoStore(client, table="t").get_profile("household-1")
        elapsed = time.monotonic() - started
    assert elapsed < 3.5  # two 1 s reads and backoff; two such calls still fit in 8 s


def test_recap_is_a_bounded_query_on_the_key_range(dynamodb_client) -> None:  # type: ignore[no-untyped-def]
    store = DynamoStore(dynamodb_client, table="pinned")
    with Stubber(dynamodb_client) as stub:
        stub.add_response(
            "query",
            {"Items": []},
            {
                "TableName": "pinned",
                "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :lo AND :hi",
                "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk"},
                "ExpressionAttributeValues": {
                    ":pk": {"S": "household-1"},
                    ":lo": {"S": "ANSWER#2026-11-16T20:00:00.000000Z"},
                    ":hi": {"S": "ANSWER#2026-11-17T20:00:00.\uffff"},
                },
                "ScanIndexForward": False,
                "Limit": 8,
                "ConsistentRead": False,  # a recap may lag a write by a moment: half the price
            },
        )
        assert store.answers("household-1", start=T0, until=T0 + timedelta(days=1), limit=8) == []


def test_dynamodb_errors_keep_their_aws_code(dynamodb_client) -> None:  # type: ignore[no-untyped-def]
    store = DynamoStore(dynamodb_client, table="missing")
    with Stubber(dynamodb_client) as stub:
        stub.add_client_error(
            "get_item", service_error_code="ProvisionedThroughputExceededException"
        )
        with pytest.raises(StorageError) as caught:
            store.get_profile("household-1")
    assert caught.value.code == "ProvisionedThroughputExceededException"


def test_a_missing_table_is_a_storage_error(dynamodb_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StorageError) as caught:
        DynamoStore(dynamodb_client, table="no-such-table").get_profile("x")
    assert caught.value.code == "ResourceNotFoundException"


KEY = {"pk": {"S": "household-1"}, "sk": {"S": "PROFILE"}}
UNPROCESSED = {"pinned": [{"DeleteRequest": {"Key": KEY}}]}


def test_unprocessed_items_are_retried_with_growing_pauses_then_reported(
    dynamodb_client,  # type: ignore[no-untyped-def]
) -> None:
    """DynamoDB keeps refusing: 8 tries, pauses doubling to a cap, then an honest failure."""
    slept: list[float] = []
    store = DynamoStore(dynamodb_client, table="pinned", sleep=slept.append, jitter=lambda: 1.0)
    with Stubber(dynamodb_client) as stub:
        stub.add_response("query", {"Items": [KEY]})
        for _ in range(8):
            stub.add_response("batch_write_item", {"UnprocessedItems": UNPROCESSED})
        with pytest.raises(DeletionIncomplete):
            store.delete_household("household-1")
        stub.assert_no_pending_responses()
    assert slept == [0.025, 0.05, 0.1, 0.2, 0.4, 0.5, 0.5]


def test_a_deletion_is_only_reported_once_a_query_finds_nothing(
    dynamodb_client,  # type: ignore[no-untyped-def]
) -> None:
    """Something written while we deleted (or a delete that did not land) is not success."""
    store = DynamoStore(dynamodb_client, table="pinned", sleep=lambda _: None)
    with Stubber(dynamodb_client) as stub:
        stub.add_response("query", {"Items": [KEY]})
        stub.add_response("batch_write_item", {"UnprocessedItems": {}})
        stub.add_response("query", {"Items": [KEY]})  # the check still finds it
        with pytest.raises(DeletionIncomplete):
            store.delete_household("household-1")
    with Stubber(dynamodb_client) as stub:
        stub.add_response("query", {"Items": [KEY]})
        stub.add_response("batch_write_item", {"UnprocessedItems": {}})
        stub.add_response("query", {"Items": []})
        assert store.delete_household("household-1") == 1
