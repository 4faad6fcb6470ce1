"""Storage behind one small interface: a household profile and its answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from skill.records import Answer, Profile


class StorageError(Exception):
    """A store could not do what was asked; `code` keeps the backend's error code."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ConflictError(StorageError):
    """The profile changed since it was read (another device wrote first)."""


class Store(Protocol):
    """What the skill needs from storage; every implementation passes tests/test_store.py."""

    def create(self) -> None:
        """Create the table or schema; safe to run again."""

    def get_profile(self, household_id: str) -> Profile | None:
        """The household's profile, or None for a new couple."""

    def put_profile(self, profile: Profile) -> Profile:
        """Write the profile if its version is still the stored one; return it one version on."""

    def add_answer(self, answer: Answer, profile: Profile) -> Profile:
        """Store an answer and the profile in one step; a retried answer is not stored twice."""

    def replace_answer(self, old: Answer, new: Answer, profile: Profile) -> Profile:
        """Swap a stored answer for its correction, with the profile, in one step."""

    def delete_answers(self, household_id: str, answers: Sequence[Answer]) -> int:
        """Remove these answers (verified gone); return how many were removed."""

    def answers(
        self, household_id: str, *, start: datetime, until: datetime, limit: int
    ) -> list[Answer]:
        """Answers given in [start, until), newest first, at most `limit`."""

    def delete_household(self, household_id: str) -> int:
        """Remove everything stored for a household; return how many records went."""


def open_store(url: str) -> Store:
    """Open the store a STAGEWISE_STORE url names (dynamodb://TABLE or sqlite:///PATH)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise ValueError(
            f"STAGEWISE_STORE must look like dynamodb://TABLE or sqlite:///PATH, got {url!r}"
        )
    if scheme == "sqlite":
        from skill.store.sqlite import SqliteStore

        # As in SQLAlchemy: sqlite:///relative.db, sqlite:////absolute/path.db
        return SqliteStore(rest[1:] if rest.startswith("/") else rest)
    if scheme == "dynamodb":
        from skill.store.dynamodb import DynamoStore, dynamodb_client

        return DynamoStore(dynamodb_client(), table=rest.strip("/"))
    raise ValueError(f"unknown store scheme {scheme!r}: use dynamodb:// or sqlite://")
