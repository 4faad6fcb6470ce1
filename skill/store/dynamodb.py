"""The production store: one DynamoDB table, a botocore client, short timeouts.

botocore alone, not boto3: boto3 adds only resources, S3 transfers and type converters this
store does not use, and importing it costs a cold start about 12 ms (bench/import_costs.py).
Items go to and from DynamoDB's typed JSON here (`_to_wire`, `_from_wire`), as boto3's
TypeSerializer and TypeDeserializer would write and read them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import get_session

from skill.config import aws_region
from skill.records import Answer, Profile
from skill.store import (
    ConflictError,
    DeletionIncomplete,
    DeletionPending,
    DeletionProgress,
    StorageError,
)
from skill.store.items import (
    DELETING,
    PK,
    PROFILE_SK,
    SK,
    VERSION,
    answer_from_item,
    answer_sk,
    answer_sk_through,
    answer_to_item,
    deletion_marker,
    is_deletion_marker,
    key_of,
    keys_of,
    packed_profile_item,
    profile_from_item,
)

T = TypeVar("T")
BATCH_SIZE = 25  # BatchWriteItem's limit
# A step of a deletion by voice: DynamoDB allows one partition key about 1,000 write units a
# second (developer guide, "partition key design"); deleting an answer takes one. A step stays
# below this rate, so it is not throttled and leaves room for the households that share the
# partition.
DELETES_PER_SECOND = 800
KEY_PAGE = 500  # keys listed at a time while deleting in steps (newest first)
# Codes worth another try after a pause; anything else (a missing table, a bad request)
# will not get better by waiting.
RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "UnprocessedItems",
    }
)


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Backoff(NamedTuple):
    """Exponential backoff with full jitter, bounded in tries per call and in total sleep.

    The Lambda function has 7 s; a deletion that cannot finish inside the budget raises
    DeletionIncomplete, so the event is delivered again rather than reported as done.
    """

    attempts: int = 8  # tries of one call (a batch of deletes, a page of keys)
    base: float = 0.025  # seconds before the first retry, doubled each time
    cap: float = 0.5  # longest single pause
    budget: float = 2.0  # longest total pause of one deletion


# Alexa allows about 8 s for a whole turn and a turn makes at most two calls:
# fail fast (worst case about 3 s a call) rather than hang.
# No client-side parameter validation: the requests are built here, from typed records, and
# DynamoDB validates each one anyway; botocore's check walks every attribute of every item,
# a tenth of a write's CPU in the client (issue 21).
CLIENT_CONFIG = Config(
    connect_timeout=0.5,
    read_timeout=1.0,
    retries={"mode": "standard", "total_max_attempts": 2},
    parameter_validation=False,
)


def dynamodb_client(config: Config = CLIENT_CONFIG) -> Any:
    """A DynamoDB client from the usual AWS chain (AWS_ENDPOINT_URL_DYNAMODB included).

    The region as skill.config.aws_region reads it (AWS_REGION too), else botocore's own
    chain (AWS_DEFAULT_REGION, the config file), as boto3 would resolve it.
    """
    try:
        return get_session().create_client("dynamodb", region_name=aws_region(), config=config)
    except BotoCoreError as err:
        raise StorageError(f"cannot set up DynamoDB: {err}", type(err).__name__) from err


def _to_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as DynamoDB's typed JSON: {"name": {"S": "Sam"}, "stage": {"N": "1"}, ...}."""
    return {k: _wire_value(v) for k, v in item.items()}


def _from_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB's typed JSON back to plain values; whole numbers as int, others as Decimal."""
    return {k: _plain_value(v) for k, v in item.items()}


def _wire_value(value: object) -> dict[str, Any]:
    # bool before int: True is an int to Python, a BOOL to DynamoDB.
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): _wire_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_wire_value(v) for v in value]}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    # Floats too: DynamoDB numbers are decimal, and a float would be stored inexactly.
    raise TypeError(f"no DynamoDB type for {type(value).__name__}")


def _plain_value(wire: Mapping[str, Any]) -> Any:
    (kind, value), *_ = wire.items()
    if kind == "S":
        return value
    if kind == "N":
        return _number(value)
    if kind == "M":
        return {k: _plain_value(v) for k, v in value.items()}
    if kind == "L":
        return [_plain_value(v) for v in value]
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(value)
    if kind in ("SS", "BS"):
        return set(value)
    if kind == "NS":
        return {_number(v) for v in value}
    raise TypeError(f"unknown DynamoDB type {kind!r}")


def _number(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number


@contextmanager
def _aws_errors(action: str, error: type[StorageError] = StorageError) -> Iterator[None]:
    try:
        yield
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        raise error(f"DynamoDB {action} failed ({code})", code) from err
    except BotoCoreError as err:
        # The message only names the endpoint or the failure, never a request body.
        raise error(f"DynamoDB {action} failed: {err}", type(err).__name__) from err


def _retryable(code: str) -> bool:
    # botocore's own failures (EndpointConnectionError, ReadTimeoutError, ...) end in "Error"
    return code in RETRYABLE or code.endswith("Error")


class _Pacing:
    """One deletion's retries: how long to pause before try n, within the total budget."""

    def __init__(
        self, backoff: Backoff, sleep: Callable[[float], None], jitter: Callable[[], float]
    ) -> None:
        self.backoff, self.sleep, self.jitter = backoff, sleep, jitter
        self.slept = 0.0

    def retrying(self, action: str, call: Callable[[], T], left: Callable[[T], int]) -> T:
        """Call until nothing is `left`; pause longer after each try that made no progress.

        A try that got some of the work done (DynamoDB processed part of a batch) is
        followed by the shortest pause; failures and tries that did nothing double it.
        At most `attempts` tries without progress, and never more sleep than the budget.
        """
        stalled, before = 0, None
        while True:
            try:
                with _aws_errors(action, DeletionIncomplete):
                    result = call()
            except DeletionIncomplete as err:
                if not _retryable(err.code):
                    raise
                remaining = before
            else:
                remaining = left(result)
                if remaining == 0:
                    return result
            progressed = before is not None and remaining is not None and remaining < before
            stalled = 1 if progressed else stalled + 1
            before = remaining if remaining is not None else before
            if stalled >= self.backoff.attempts:
                raise DeletionIncomplete(
                    f"DynamoDB {action} did not finish in {self.backoff.attempts} tries",
                    "Exhausted",
                )
            self._pause(action, stalled)

    def _pause(self, action: str, stalled: int) -> None:
        pause = min(self.backoff.cap, self.backoff.base * 2 ** (stalled - 1)) * self.jitter()
        if self.slept + pause > self.backoff.budget:
            raise DeletionIncomplete(f"DynamoDB {action}: retry budget spent", "Exhausted")
        self.slept += pause
        self.sleep(pause)


class DynamoStore:
    """Single-table layout (skill.store.items); each write that could lose data is conditional."""

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.table = table
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.jitter = jitter
        self.clock = clock  # seconds, for a deletion step's budget and pace

    def create(self) -> None:
        with _aws_errors("create table"):
            try:
                self.client.create_table(
                    TableName=self.table,
                    AttributeDefinitions=[
                        {"AttributeName": PK, "AttributeType": "S"},
                        {"AttributeName": SK, "AttributeType": "S"},
                    ],
                    KeySchema=[
                        {"AttributeName": PK, "KeyType": "HASH"},
                        {"AttributeName": SK, "KeyType": "RANGE"},
                    ],
                    BillingMode="PAY_PER_REQUEST",
                )
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") != "ResourceInUseException":
                    raise
            self.client.get_waiter("table_exists").wait(
                TableName=self.table, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )

    def get_profile(self, household_id: str) -> Profile | None:
        with _aws_errors("get profile"):
            reply = self.client.get_item(
                TableName=self.table,
                Key=_to_wire({PK: household_id, SK: PROFILE_SK}),
                ConsistentRead=True,
            )
        item = reply.get("Item")
        if not item:
            return None
        plain = _from_wire(item)
        if is_deletion_marker(plain):
            raise DeletionPending("the household is being deleted")
        return profile_from_item(plain)

    def put_profile(self, profile: Profile) -> Profile:
        stored = profile.with_changes(version=profile.version + 1)
        try:
            with _aws_errors("put profile"):
                self.client.put_item(**self._profile_put(stored, expected=profile.version))
        except StorageError as err:
            if err.code == "ConditionalCheckFailedException":
                raise ConflictError("the profile changed since it was read", err.code) from err
            raise
        return stored

    def add_answer(self, answer: Answer, profile: Profile) -> Profile:
        return self._write_answer([{"Put": self._answer_put(answer)}], profile, "add answer")

    def replace_answer(self, old: Answer, new: Answer, profile: Profile) -> Profile:
        if key_of(old) == key_of(new):  # same identity: overwrite in place
            put = {"TableName": self.table, "Item": _to_wire(answer_to_item(new))}
            return self._write_answer([{"Put": put}], profile, "replace answer", guarded=False)
        deletes = [
            {"Delete": {"TableName": self.table, "Key": _to_wire({PK: old.household_id, SK: sk})}}
            for sk in keys_of(old)
        ]
        return self._write_answer(
            [{"Put": self._answer_put(new)}, *deletes], profile, "replace answer"
        )

    def delete_answers(
        self, household_id: str, answers: Sequence[Answer], profile: Profile
    ) -> tuple[int, Profile]:
        """One transaction: every key the answers may be stored under, and the profile.

        A transaction cannot say which deletes found an item, so the answers are looked up
        first (consistently); the count is of those found, all gone once it commits.
        """
        if any(a.household_id != household_id for a in answers):
            raise ValueError("an answer of another household")
        present = sum(1 for answer in answers if self._exists(answer))
        deletes = [
            {"Delete": {"TableName": self.table, "Key": _to_wire({PK: household_id, SK: sk})}}
            for answer in answers
            for sk in keys_of(answer)
        ]
        stored = profile.with_changes(version=profile.version + 1)
        profile_put = {"Put": self._profile_put(stored, expected=profile.version)}
        try:
            with _aws_errors("delete answers", DeletionIncomplete):
                self.client.transact_write_items(TransactItems=[*deletes, profile_put])
        except StorageError as err:
            if _cancellation_codes(err)[-1:] == ["ConditionalCheckFailed"]:
                raise ConflictError("the profile changed since it was read", err.code) from err
            raise
        return present, stored

    def _exists(self, answer: Answer) -> bool:
        for sk in keys_of(answer):
            with _aws_errors("find answer", DeletionIncomplete):
                reply = self.client.get_item(
                    TableName=self.table,
                    Key=_to_wire({PK: answer.household_id, SK: sk}),
                    ConsistentRead=True,
                    ProjectionExpression="#sk",
                    ExpressionAttributeNames={"#sk": SK},
                )
            if reply.get("Item"):
                return True
        return False

    def answers(
        self,
        household_id: str,
        *,
        start: datetime,
        until: datetime,
        limit: int,
        consistent: bool = False,
    ) -> list[Answer]:
        with _aws_errors("query answers"):
            reply = self.client.query(
                TableName=self.table,
                KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
                ExpressionAttributeNames={"#pk": PK, "#sk": SK},
                ExpressionAttributeValues=_to_wire(
                    {
                        ":pk": household_id,
                        ":lo": answer_sk(start),
                        ":hi": answer_sk_through(until),
                    }
                ),
                ScanIndexForward=False,
                Limit=limit,
                ConsistentRead=consistent,
            )
        return [answer_from_item(_from_wire(item)) for item in reply.get("Items", [])]

    def delete_household(self, household_id: str) -> int:
        """Page through the household's keys, delete them 25 at a time, then check.

        Throttling and unprocessed items are retried with backoff (see Backoff); whatever
        cannot be finished raises DeletionIncomplete, never a count of what did not go.
        """
        pacing = _Pacing(self.backoff, self.sleep, self.jitter)
        removed = 0
        for page in self._key_pages(household_id, pacing):
            for start in range(0, len(page), BATCH_SIZE):
                batch = page[start : start + BATCH_SIZE]
                self._delete_batch(batch, pacing)
                removed += len(batch)
        leftover = next(iter(self._key_pages(household_id, pacing, limit=1)), [])
        if leftover:  # written while we deleted, or not deleted after all
            raise DeletionIncomplete("household records remain after deletion", "Remaining")
        return removed

    def begin_deletion(self, household_id: str, since: datetime) -> None:
        """The marker in the profile's place (one write); a marker already there is kept."""
        try:
            with _aws_errors("begin deletion"):
                self.client.put_item(
                    TableName=self.table,
                    Item=_to_wire(deletion_marker(household_id, since)),
                    ConditionExpression="attribute_not_exists(#deleting)",
                    ExpressionAttributeNames={"#deleting": DELETING},
                )
        except StorageError as err:
            if err.code != "ConditionalCheckFailedException":  # already under way
                raise

    def continue_deletion(self, household_id: str, budget: float) -> DeletionProgress:
        """Newest answers first, 25 to a request, at most DELETES_PER_SECOND, until `budget`
        seconds are spent or only the marker is left, which then goes too.

        Throttling and unprocessed items are retried with backoff, within the budget.
        """
        started = self.clock()
        deadline = started + budget
        pacing = _Pacing(
            self.backoff._replace(budget=min(self.backoff.budget, budget)), self.sleep, self.jitter
        )
        removed = 0
        while True:
            keys, marked = self._newest_keys(household_id, pacing)
            if not marked:  # no deletion under way (or it just ended): touch nothing
                return DeletionProgress(removed, True)
            if not keys:
                self._drop_marker(household_id)
                return DeletionProgress(removed, True)
            for start in range(0, len(keys), BATCH_SIZE):
                # Paced: never ahead of the rate since the step began (one batch may go now).
                wait = started + removed / DELETES_PER_SECOND - self.clock()
                if self.clock() + max(wait, 0.0) >= deadline:
                    return DeletionProgress(removed, False)
                if wait > 0:
                    self.sleep(wait)
                batch = keys[start : start + BATCH_SIZE]
                self._delete_batch(batch, pacing)
                removed += len(batch)

    def _newest_keys(self, household_id: str, pacing: _Pacing) -> tuple[list[dict[str, Any]], bool]:
        """A page of the household's keys, newest first, less the marker; and whether the
        marker is there (the profile key sorts after every answer's, so it comes first)."""
        query = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#deleting": DELETING},
            "ExpressionAttributeValues": _to_wire({":pk": household_id}),
            "ProjectionExpression": "#pk, #sk, #deleting",
            "ConsistentRead": True,
            "ScanIndexForward": False,
            "Limit": KEY_PAGE,
        }
        reply = pacing.retrying("list household", lambda: self.client.query(**query), _nothing)
        marked, keys = False, []
        for item in reply.get("Items", []):
            if item[SK]["S"] == PROFILE_SK:
                marked = DELETING in item
            else:
                keys.append({PK: item[PK], SK: item[SK]})
        return keys, marked

    def _drop_marker(self, household_id: str) -> None:
        """The last step: the marker goes (only if it is still the marker)."""
        try:
            with _aws_errors("end deletion", DeletionIncomplete):
                self.client.delete_item(
                    TableName=self.table,
                    Key=_to_wire({PK: household_id, SK: PROFILE_SK}),
                    ConditionExpression="attribute_exists(#deleting)",
                    ExpressionAttributeNames={"#deleting": DELETING},
                )
        except DeletionIncomplete as err:
            if err.code != "ConditionalCheckFailedException":  # already gone: done
                raise

    def _key_pages(
        self, household_id: str, pacing: _Pacing, limit: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        query: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": _to_wire({":pk": household_id}),
            "ProjectionExpression": "#pk, #sk",
            "ConsistentRead": True,
        }
        if limit:
            query["Limit"] = limit
        while True:
            reply = pacing.retrying("list household", lambda: self.client.query(**query), _nothing)
            items = reply.get("Items", [])
            if items:
                yield items
            last = reply.get("LastEvaluatedKey")
            if not last or limit:
                return
            query["ExclusiveStartKey"] = last

    def _delete_batch(self, keys: list[dict[str, Any]], pacing: _Pacing) -> None:
        pending: dict[str, Any] = {self.table: [{"DeleteRequest": {"Key": k}} for k in keys]}

        def send() -> dict[str, Any]:
            nonlocal pending
            reply = self.client.batch_write_item(RequestItems=pending)
            pending = reply.get("UnprocessedItems") or {}
            return pending

        pacing.retrying("delete household", send, _requests_in)

    def _answer_put(self, answer: Answer) -> dict[str, Any]:
        return {
            "TableName": self.table,
            "Item": _to_wire(answer_to_item(answer)),
            "ConditionExpression": "attribute_not_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": SK},
        }

    def _write_answer(
        self, items: list[dict[str, Any]], profile: Profile, action: str, guarded: bool = True
    ) -> Profile:
        """The answer's writes (the new answer's put first) and the profile's, as one."""
        stored = profile.with_changes(version=profile.version + 1)
        profile_put = {"Put": self._profile_put(stored, expected=profile.version)}
        try:
            with _aws_errors(action):
                self.client.transact_write_items(TransactItems=[*items, profile_put])
        except StorageError as err:
            if err.code != "TransactionCanceledException":
                raise
            reasons = _cancellation_codes(err)
            if guarded and reasons[:1] == ["ConditionalCheckFailed"]:
                # A retried request: the first try stored the answer and the profile.
                return self.get_profile(profile.household_id) or profile
            if reasons[-1:] == ["ConditionalCheckFailed"]:
                raise ConflictError("the profile changed since it was read", err.code) from err
            raise
        return stored

    def _profile_put(self, profile: Profile, expected: int) -> dict[str, Any]:
        item = _to_wire(packed_profile_item(profile))
        put: dict[str, Any] = {"TableName": self.table, "Item": item}
        if expected == 0:
            put["ConditionExpression"] = "attribute_not_exists(#pk)"
            put["ExpressionAttributeNames"] = {"#pk": PK}
        else:
            put["ConditionExpression"] = "#v = :expected"
            put["ExpressionAttributeNames"] = {"#v": VERSION}
            put["ExpressionAttributeValues"] = _to_wire({":expected": expected})
        return put


def _nothing(_: object) -> int:
    return 0


def _requests_in(unprocessed: dict[str, Any]) -> int:
    return sum(len(requests) for requests in unprocessed.values())


def _cancellation_codes(err: StorageError) -> list[str]:
    cause = err.__cause__
    if not isinstance(cause, ClientError):
        return []
    reasons = cause.response.get("CancellationReasons", [])
    return [str(r.get("Code", "None")) for r in reasons]
