"""Deleting a household: all at once when the skill is disabled, or in paced steps by voice.

`delete_household` pages through the household's keys and deletes them 25 at a time, then
checks that nothing is left. Forgetting everything by voice puts a marker in the profile's
place (`begin_deletion`) and deletes newest first in steps within a turn's budget
(`continue_deletion`), below DynamoDB's per-partition write rate, the marker last.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from skill.store import DeletionIncomplete, DeletionProgress, StorageError
from skill.store.dynamodb.pacing import Pacing
from skill.store.dynamodb.table import Table
from skill.store.dynamodb.wire import aws_errors, to_wire
from skill.store.items import DELETING, PK, PROFILE_SK, SK, deletion_marker

BATCH_SIZE = 25  # BatchWriteItem's limit
# A step of a deletion by voice: DynamoDB allows one partition key about 1,000 write units a
# second (developer guide, "partition key design"); deleting an answer takes one. A step stays
# below this rate, so it is not throttled and leaves room for the households that share the
# partition.
DELETES_PER_SECOND = 800
KEY_PAGE = 500  # keys listed at a time while deleting in steps (newest first)


class HouseholdDeletion(Table):
    """Deleting every item of a household, with retries paced by skill.store.dynamodb.pacing."""

    def delete_household(self, household_id: str) -> int:
        """Page through the household's keys, delete them 25 at a time, then check.

        Throttling and unprocessed items are retried with backoff (see Backoff); whatever
        cannot be finished raises DeletionIncomplete, never a count of what did not go.
        """
        pacing = Pacing(self.backoff, self.sleep, self.jitter)
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
            with aws_errors("begin deletion"):
                self.client.put_item(
                    TableName=self.table,
                    Item=to_wire(deletion_marker(household_id, since)),
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
        pacing = Pacing(
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

    def _newest_keys(self, household_id: str, pacing: Pacing) -> tuple[list[dict[str, Any]], bool]:
        """A page of the household's keys, newest first, less the marker; and whether the
        marker is there (the profile key sorts after every answer's, so it comes first)."""
        query = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#deleting": DELETING},
            "ExpressionAttributeValues": to_wire({":pk": household_id}),
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
            with aws_errors("end deletion", DeletionIncomplete):
                self.client.delete_item(
                    TableName=self.table,
                    Key=to_wire({PK: household_id, SK: PROFILE_SK}),
                    ConditionExpression="attribute_exists(#deleting)",
                    ExpressionAttributeNames={"#deleting": DELETING},
                )
        except DeletionIncomplete as err:
            if err.code != "ConditionalCheckFailedException":  # already gone: done
                raise

    def _key_pages(
        self, household_id: str, pacing: Pacing, limit: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        query: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": to_wire({":pk": household_id}),
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

    def _delete_batch(self, keys: list[dict[str, Any]], pacing: Pacing) -> None:
        pending: dict[str, Any] = {self.table: [{"DeleteRequest": {"Key": k}} for k in keys]}

        def send() -> dict[str, Any]:
            nonlocal pending
            reply = self.client.batch_write_item(RequestItems=pending)
            pending = reply.get("UnprocessedItems") or {}
            return pending

        pacing.retrying("delete household", send, _requests_in)


def _nothing(_: object) -> int:
    return 0


def _requests_in(unprocessed: dict[str, Any]) -> int:
    return sum(len(requests) for requests in unprocessed.values())
