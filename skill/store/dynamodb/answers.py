"""Answers: added, replaced or deleted in one transaction with the profile, and queried.

A new answer's put is conditional (a retried request finds it stored, and is not a second
answer); the profile's put is conditional on its version (skill.store.dynamodb.profiles).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from skill.records import Answer, Profile
from skill.store import ConflictError, DeletionIncomplete, StorageError
from skill.store.dynamodb.profiles import ProfileRecords
from skill.store.dynamodb.wire import aws_errors, from_wire, to_wire
from skill.store.items import (
    PK,
    SK,
    answer_from_item,
    answer_sk,
    answer_sk_through,
    answer_to_item,
    key_of,
    keys_of,
)


class AnswerRecords(ProfileRecords):
    """The answer items, each write in one transaction with the profile's."""

    def add_answer(self, answer: Answer, profile: Profile) -> Profile:
        return self._write_answer([{"Put": self._answer_put(answer)}], profile, "add answer")

    def replace_answer(self, old: Answer, new: Answer, profile: Profile) -> Profile:
        if key_of(old) == key_of(new):  # same identity: overwrite in place
            put = {"TableName": self.table, "Item": to_wire(answer_to_item(new))}
            return self._write_answer([{"Put": put}], profile, "replace answer", guarded=False)
        deletes = [
            {"Delete": {"TableName": self.table, "Key": to_wire({PK: old.household_id, SK: sk})}}
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
            {"Delete": {"TableName": self.table, "Key": to_wire({PK: household_id, SK: sk})}}
            for answer in answers
            for sk in keys_of(answer)
        ]
        stored = profile.with_changes(version=profile.version + 1)
        profile_put = {"Put": self._profile_put(stored, expected=profile.version)}
        try:
            with aws_errors("delete answers", DeletionIncomplete):
                self.client.transact_write_items(TransactItems=[*deletes, profile_put])
        except StorageError as err:
            if _cancellation_codes(err)[-1:] == ["ConditionalCheckFailed"]:
                raise ConflictError("the profile changed since it was read", err.code) from err
            raise
        return present, stored

    def _exists(self, answer: Answer) -> bool:
        for sk in keys_of(answer):
            with aws_errors("find answer", DeletionIncomplete):
                reply = self.client.get_item(
                    TableName=self.table,
                    Key=to_wire({PK: answer.household_id, SK: sk}),
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
        with aws_errors("query answers"):
            reply = self.client.query(
                TableName=self.table,
                KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
                ExpressionAttributeNames={"#pk": PK, "#sk": SK},
                ExpressionAttributeValues=to_wire(
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
        return [answer_from_item(from_wire(item)) for item in reply.get("Items", [])]

    def _answer_put(self, answer: Answer) -> dict[str, Any]:
        return {
            "TableName": self.table,
            "Item": to_wire(answer_to_item(answer)),
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
            with aws_errors(action):
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


def _cancellation_codes(err: StorageError) -> list[str]:
    cause = err.__cause__
    if not isinstance(cause, ClientError):
        return []
    reasons = cause.response.get("CancellationReasons", [])
    return [str(r.get("Code", "None")) for r in reasons]
