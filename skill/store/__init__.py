"""Storage behind one small interface: a household profile and its answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from skill.records import Answer, Profile


class StorageError(Exception):
    """A store could not do what was asked; `code` keeps the backend's error code."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ConflictError(StorageError):
    """The profile changed since it was read (another device wrote first)."""


class DeletionIncomplete(StorageError):
    """A deletion could not be finished and verified: some records may remain."""


class DeletionPending(Exception):  # noqa: N818 -- a state found, not a failure
    """The household is being deleted: nothing of it is read back until the deletion ends.

    Not a StorageError on purpose: nothing may treat it as a failed read and retry, or
    look for what a failed write might have stored.
    """


class DeletionProgress(NamedTuple):
    """How far one step of a deletion went."""

    removed: int  # records deleted in this step (the marker not counted)
    finished: bool  # nothing of the household is left, marker included


class Store(Protocol):
    """What the skill needs from storage; every implementation passes tests/test_store.py."""

    def create(self) -> None:
        """Create the table or schema; safe to run again."""

    def get_profile(self, household_id: str) -> Profile | None:
        """The household's profile, or None for a new couple.

        Raises DeletionPending while the household is being deleted (`begin_deletion`).
        """

    def put_profile(self, profile: Profile) -> Profile:
        """Write the profile if its version is still the stored one; return it one version on."""

    def add_answer(self, answer: Answer, profile: Profile) -> Profile:
        """Store an answer and the profile in one step.

        An answer is identified by its time, partner and Alexa request: a retried request
        is not stored twice (the stored profile is returned), while two different requests
        are both kept, even in the same second. Raises ConflictError, storing nothing, when
        the profile changed since it was read.
        """

    def replace_answer(self, old: Answer, new: Answer, profile: Profile) -> Profile:
        """Swap a stored answer for its correction, with the profile, in one step.

        Conflict rules as `add_answer`: a retried correction returns the stored profile;
        a stale profile raises ConflictError and changes nothing.
        """

    def delete_answers(
        self, household_id: str, answers: Sequence[Answer], profile: Profile
    ) -> tuple[int, Profile]:
        """Remove these answers of the household and write the profile, in one step.

        Returns how many of them were there and the profile as stored. Raises
        ConflictError, deleting nothing, when the profile changed since it was read, and
        DeletionIncomplete when it cannot confirm they are gone.
        """

    def answers(
        self,
        household_id: str,
        *,
        start: datetime,
        until: datetime,
        limit: int,
        consistent: bool = False,
    ) -> list[Answer]:
        """Answers given from `start` through the whole second of `until`, newest first.

        Alexa's timestamps are whole seconds, so an answer given in the same second as
        `until` is included (the key range ends at that second's last possible key).
        At most `limit` answers. `consistent`: the read sees every write that succeeded
        before it (a turn that depends on a write just made); otherwise it may lag.
        """

    def delete_household(self, household_id: str) -> int:
        """Remove everything stored for a household; return how many records went.

        Verified: it returns only when nothing of the household is left, and raises
        DeletionIncomplete otherwise (never reports a success it did not achieve).
        """

    def begin_deletion(self, household_id: str, since: datetime) -> None:
        """Start deleting a household: its profile (names, progress) goes at once, replaced
        by a marker, so that nothing of it is read back and no write for it succeeds until
        `continue_deletion` has removed the rest. Safe to call again."""

    def continue_deletion(self, household_id: str, budget: float) -> DeletionProgress:
        """Delete what fits in `budget` seconds, newest answers first, paced for one
        partition; the marker goes last, once nothing else of the household is left.

        A household without a marker is left as it is (nothing to continue). Raises
        StorageError when the store fails; whatever was deleted stays deleted.
        """
