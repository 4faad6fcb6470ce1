"""The table a DynamoStore works on: its client, its name, and how to create it.

The client is injected (tests pass one for a local server); `dynamodb_client` makes the
production one, with short timeouts. The records (profiles.py, answers.py) and the
household's deletion (deletion.py) are mixins over this base, composed in DynamoStore.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import get_session

from skill.config import aws_region
from skill.store import StorageError
from skill.store.dynamodb.pacing import Backoff
from skill.store.dynamodb.wire import aws_errors
from skill.store.items import PK, SK

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


class Table:
    """One DynamoDB table (single-table layout, skill.store.items) and how it is reached."""

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
        with aws_errors("create table"):
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
