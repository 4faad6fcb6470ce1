"""The production store: one DynamoDB table, a botocore client, short timeouts.

DynamoStore is composed of mixins over one `Table` base (table.py: the client, creating the
table): the profile (profiles.py), answers (answers.py) and deleting a household
(deletion.py, with the retries of pacing.py). Items go to and from DynamoDB's typed JSON in
wire.py, with botocore alone rather than boto3 (a cold start costs less).
"""

from skill.store.dynamodb.answers import AnswerRecords
from skill.store.dynamodb.deletion import (
    BATCH_SIZE,
    DELETES_PER_SECOND,
    KEY_PAGE,
    HouseholdDeletion,
)
from skill.store.dynamodb.pacing import RETRYABLE, Backoff
from skill.store.dynamodb.table import CLIENT_CONFIG, dynamodb_client

# The converters under the names they had before this was a package (tests import them).
from skill.store.dynamodb.wire import from_wire as _from_wire
from skill.store.dynamodb.wire import to_wire as _to_wire


class DynamoStore(AnswerRecords, HouseholdDeletion):
    """Single-table layout (skill.store.items); each write that could lose data is conditional."""


__all__ = [
    "BATCH_SIZE",
    "CLIENT_CONFIG",
    "DELETES_PER_SECOND",
    "KEY_PAGE",
    "RETRYABLE",
    "Backoff",
    "DynamoStore",
    "_from_wire",
    "_to_wire",
    "dynamodb_client",
]
