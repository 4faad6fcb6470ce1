"""The household's profile: read, and written only over the version it was read at.

Every write that changes what a household holds (an answer added, replaced or deleted)
writes the profile too, with its version one higher: `_profile_put` is that conditional
put (optimistic locking, as PynamoDB's version attribute).
"""

from __future__ import annotations

from typing import Any

from skill.records import Profile
from skill.store import ConflictError, DeletionPending, StorageError
from skill.store.dynamodb.table import Table
from skill.store.dynamodb.wire import aws_errors, from_wire, to_wire
from skill.store.items import (
    PK,
    PROFILE_SK,
    SK,
    VERSION,
    is_deletion_marker,
    packed_profile_item,
    profile_from_item,
)


class ProfileRecords(Table):
    """Reading and writing the profile item."""

    def get_profile(self, household_id: str) -> Profile | None:
        with aws_errors("get profile"):
            reply = self.client.get_item(
                TableName=self.table,
                Key=to_wire({PK: household_id, SK: PROFILE_SK}),
                ConsistentRead=True,
            )
        item = reply.get("Item")
        if not item:
            return None
        plain = from_wire(item)
        if is_deletion_marker(plain):
            raise DeletionPending("the household is being deleted")
        return profile_from_item(plain)

    def put_profile(self, profile: Profile) -> Profile:
        stored = profile.with_changes(version=profile.version + 1)
        try:
            with aws_errors("put profile"):
                self.client.put_item(**self._profile_put(stored, expected=profile.version))
        except StorageError as err:
            if err.code == "ConditionalCheckFailedException":
                raise ConflictError("the profile changed since it was read", err.code) from err
            raise
        return stored

    def _profile_put(self, profile: Profile, expected: int) -> dict[str, Any]:
        item = to_wire(packed_profile_item(profile))
        put: dict[str, Any] = {"TableName": self.table, "Item": item}
        if expected == 0:
            put["ConditionExpression"] = "attribute_not_exists(#pk)"
            put["ExpressionAttributeNames"] = {"#pk": PK}
        else:
            put["ConditionExpression"] = "#v = :expected"
            put["ExpressionAttributeNames"] = {"#v": VERSION}
            put["ExpressionAttributeValues"] = to_wire({":expected": expected})
        return put
