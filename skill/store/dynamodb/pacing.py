"""Retries of a deletion's calls: exponential backoff with full jitter, within a budget.

Deleting a household makes many calls (pages of keys, batches of deletes); DynamoDB may
throttle them or leave part of a batch unprocessed. Each is retried here, pausing longer
after every try that made no progress, and never sleeping past the deletion's budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

from skill.store import DeletionIncomplete
from skill.store.dynamodb.wire import aws_errors

T = TypeVar("T")
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


def _retryable(code: str) -> bool:
    # botocore's own failures (EndpointConnectionError, ReadTimeoutError, ...) end in "Error"
    return code in RETRYABLE or code.endswith("Error")


class Pacing:
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
                with aws_errors(action, DeletionIncomplete):
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
