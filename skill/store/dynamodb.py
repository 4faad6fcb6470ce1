"""The production store: one DynamoDB table, boto3 low-level client, short timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.records import Answer, Profile
from skill.store import ConflictError, StorageError
from skill.store.items import (
    PK,
    PROFILE_SK,
    SK,
    VERSION,
    answer_from_item,
    answer_sk,
    answer_to_item,
    profile_from_item,
    profile_to_item,
)

# Alexa allows about 8 s for a whole turn and a turn makes at most two calls:
# fail fast (worst case about 3 s a call) rather than hang.
CLIENT_CONFIG = Config(
    connect_timeout=0.5,
    read_timeout=1.0,
    retries={"mode": "standard", "total_max_attempts": 2},
)

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def dynamodb_client(config: Config = CLIENT_CONFIG) -> Any:
    """A DynamoDB client from the usual AWS chain (AWS_ENDPOINT_URL_DYNAMODB included)."""
    try:
        return boto3.session.Session().client("dynamodb", config=config)
    except BotoCoreError as err:
        raise StorageError(f"cannot set up DynamoDB: {err}", type(err).__name__) from err


def _to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serialize(v) for k, v in item.items()}


def _from_wire(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserialize(v) for k, v in item.items()}


@contextmanager
def _aws_errors(action: str) -> Iterator[None]:
    try:
        yield
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        raise StorageError(f"DynamoDB {action} failed ({code})", code) from err
    except BotoCoreError as err:
        raise StorageError(f"DynamoDB {action} failed: {err}", type(err).__name__) from err


class DynamoStore:
    """Single-table layout (skill.store.items); each write that could lose data is conditional."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

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
        return profile_from_item(_from_wire(item)) if item else None

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
        stored = profile.with_changes(version=profile.version + 1)
        answer_put = {
            "TableName": self.table,
            "Item": _to_wire(answer_to_item(answer)),
            "ConditionExpression": "attribute_not_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": SK},
        }
        try:
            with _aws_errors("add answer"):
                self.client.transact_write_items(
                    TransactItems=[
                        {"Put": answer_put},
                        {"Put": self._profile_put(stored, expected=profile.version)},
                    ]
                )
        except StorageError as err:
            if err.code != "TransactionCanceledException":
                raise
            reasons = _cancellation_codes(err)
            if reasons[:1] == ["ConditionalCheckFailed"]:
                # A retried request: the first try stored the answer and the profile.
                return self.get_profile(profile.household_id) or profile
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                raise ConflictError("the profile changed since it was read", err.code) from err
            raise
        return stored

    def answers(
        self, household_id: str, *, start: datetime, until: datetime, limit: int
    ) -> list[Answer]:
        with _aws_errors("query answers"):
            reply = self.client.query(
                TableName=self.table,
                KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
                ExpressionAttributeNames={"#pk": PK, "#sk": SK},
                ExpressionAttributeValues=_to_wire(
                    {":pk": household_id, ":lo": answer_sk(start), ":hi": answer_sk(until)}
                ),
                ScanIndexForward=False,
                Limit=limit,
            )
        return [answer_from_item(_from_wire(item)) for item in reply.get("Items", [])]

    def delete_household(self, household_id: str) -> int:
        keys = list(self._all_keys(household_id))
        with _aws_errors("delete household"):
            for start in range(0, len(keys), 25):
                pending: dict[str, Any] = {
                    self.table: [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]
                }
                for _ in range(5):
                    reply = self.client.batch_write_item(RequestItems=pending)
                    pending = reply.get("UnprocessedItems") or {}
                    if not pending:
                        break
                if pending:
                    raise StorageError("DynamoDB kept items unprocessed", "UnprocessedItems")
        return len(keys)

    def _all_keys(self, household_id: str) -> Iterator[dict[str, Any]]:
        with _aws_errors("list household"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="#pk = :pk",
                ExpressionAttributeNames={"#pk": PK, "#sk": SK},
                ExpressionAttributeValues=_to_wire({":pk": household_id}),
                ProjectionExpression="#pk, #sk",
            )
            for page in pages:
                yield from page.get("Items", [])

    def _profile_put(self, profile: Profile, expected: int) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self.table, "Item": _to_wire(profile_to_item(profile))}
        if expected == 0:
            put["ConditionExpression"] = "attribute_not_exists(#pk)"
            put["ExpressionAttributeNames"] = {"#pk": PK}
        else:
            put["ConditionExpression"] = "#v = :expected"
            put["ExpressionAttributeNames"] = {"#v": VERSION}
            put["ExpressionAttributeValues"] = _to_wire({":expected": expected})
        return put


def _cancellation_codes(err: StorageError) -> list[str]:
    cause = err.__cause__
    if not isinstance(cause, ClientError):
        return []
    reasons = cause.response.get("CancellationReasons", [])
    return [str(r.get("Code", "None")) for r in reasons]
