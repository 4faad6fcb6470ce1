"""The embedded default store: the standard library's sqlite3, one file, no AWS."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from skill.records import Answer, Profile
from skill.store import (
    ConflictError,
    DeletionIncomplete,
    DeletionPending,
    DeletionProgress,
    StorageError,
)
from skill.store.items import (
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
    keys_of,
    profile_from_item,
    profile_to_item,
)

DELETE_CHUNK = 1000  # rows a step of a deletion removes at a time (newest first)
# While a household is being deleted its profile row is the marker: the only profile row
# without a version. Reads of its answers find nothing meanwhile.
NOT_BEING_DELETED = (
    "NOT EXISTS (SELECT 1 FROM items AS m WHERE m.pk = ? AND m.sk = ? AND m.version IS NULL)"
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    version INTEGER,
    item TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
"""


class SqliteStore:
    """Same single-table layout as DynamoDB, each item kept as JSON."""

    def __init__(self, path: str | Path, busy_timeout: float = 5.0) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, check_same_thread=False)
            self._db.executescript(SCHEMA)
        except sqlite3.Error as err:
            raise StorageError(f"cannot open SQLite store at {self.path}: {err}", "sqlite") from err

    def create(self) -> None:
        with self._lock, self._db:
            self._db.executescript(SCHEMA)

    def get_profile(self, household_id: str) -> Profile | None:
        row = self._one(
            "SELECT item FROM items WHERE pk = ? AND sk = ?", (household_id, PROFILE_SK)
        )
        if not row:
            return None
        item = json.loads(row[0])
        if is_deletion_marker(item):
            raise DeletionPending("the household is being deleted")
        return profile_from_item(item)

    def put_profile(self, profile: Profile) -> Profile:
        stored = profile.with_changes(version=profile.version + 1)
        try:
            with self._lock, self._db:
                self._write_profile(stored, expected=profile.version)
        except sqlite3.Error as err:
            raise StorageError(f"SQLite write failed: {err}", "sqlite") from err
        return stored

    def add_answer(self, answer: Answer, profile: Profile) -> Profile:
        return self._write_answer(answer, (), profile)

    def replace_answer(self, old: Answer, new: Answer, profile: Profile) -> Profile:
        return self._write_answer(new, keys_of(old), profile)

    def delete_answers(
        self, household_id: str, answers: Sequence[Answer], profile: Profile
    ) -> tuple[int, Profile]:
        if any(a.household_id != household_id for a in answers):
            raise ValueError("an answer of another household")
        keys = [sk for answer in answers for sk in keys_of(answer)]
        stored = profile.with_changes(version=profile.version + 1)
        try:
            with self._lock, self._db:
                removed = sum(
                    self._db.execute(
                        "DELETE FROM items WHERE pk = ? AND sk = ?", (household_id, sk)
                    ).rowcount
                    for sk in keys
                )
                self._write_profile(stored, expected=profile.version)
        except sqlite3.Error as err:
            raise DeletionIncomplete(f"SQLite delete failed: {err}", "sqlite") from err
        return removed, stored

    def answers(
        self,
        household_id: str,
        *,
        start: datetime,
        until: datetime,
        limit: int,
        consistent: bool = False,  # a SQLite read always sees what was committed
    ) -> list[Answer]:
        rows = self._all(
            "SELECT item FROM items WHERE pk = ? AND sk >= ? AND sk <= ? AND "
            f"{NOT_BEING_DELETED} ORDER BY sk DESC LIMIT ?",
            (
                household_id,
                answer_sk(start),
                answer_sk_through(until),
                household_id,
                PROFILE_SK,
                limit,
            ),
        )
        return [answer_from_item(json.loads(r[0])) for r in rows]

    def delete_household(self, household_id: str) -> int:
        """One transaction, then a check that nothing of the household is left."""
        try:
            with self._lock, self._db:
                removed = self._db.execute(
                    "DELETE FROM items WHERE pk = ?", (household_id,)
                ).rowcount
                (left,) = self._db.execute(
                    "SELECT COUNT(*) FROM items WHERE pk = ?", (household_id,)
                ).fetchone()
        except sqlite3.Error as err:
            raise DeletionIncomplete(f"SQLite delete failed: {err}", "sqlite") from err
        if left:
            raise DeletionIncomplete("household records remain after deletion", "Remaining")
        return int(removed)

    def begin_deletion(self, household_id: str, since: datetime) -> None:
        """The marker in the profile's row (a marker already there is kept)."""
        marker = json.dumps(deletion_marker(household_id, since))
        try:
            with self._lock, self._db:
                self._db.execute(
                    "INSERT INTO items (pk, sk, version, item) VALUES (?, ?, NULL, ?) "
                    "ON CONFLICT (pk, sk) DO UPDATE SET version = NULL, item = excluded.item "
                    "WHERE items.version IS NOT NULL",
                    (household_id, PROFILE_SK, marker),
                )
        except sqlite3.Error as err:
            raise StorageError(f"SQLite write failed: {err}", "sqlite") from err

    def continue_deletion(self, household_id: str, budget: float) -> DeletionProgress:
        """Newest first, DELETE_CHUNK rows at a time, until `budget` seconds are spent or only
        the marker is left, which then goes too (a local file needs no pacing)."""
        deadline = time.monotonic() + budget
        removed = 0
        try:
            while time.monotonic() < deadline:
                with self._lock, self._db:
                    marker = self._db.execute(
                        "SELECT 1 FROM items WHERE pk = ? AND sk = ? AND version IS NULL",
                        (household_id, PROFILE_SK),
                    ).fetchone()
                    if marker is None:  # no deletion under way (or it just ended)
                        return DeletionProgress(removed, True)
                    gone = self._db.execute(
                        "DELETE FROM items WHERE pk = ? AND sk IN (SELECT sk FROM items "
                        "WHERE pk = ? AND sk != ? ORDER BY sk DESC LIMIT ?)",
                        (household_id, household_id, PROFILE_SK, DELETE_CHUNK),
                    ).rowcount
                    removed += gone
                    if gone == 0:
                        self._db.execute(
                            "DELETE FROM items WHERE pk = ? AND sk = ?", (household_id, PROFILE_SK)
                        )
                        return DeletionProgress(removed, True)
        except sqlite3.Error as err:
            raise DeletionIncomplete(f"SQLite delete failed: {err}", "sqlite") from err
        return DeletionProgress(removed, False)

    def _write_answer(self, new: Answer, replaced: Sequence[str], profile: Profile) -> Profile:
        """Insert an answer (removing the keys it replaces) and write the profile, as one."""
        item = answer_to_item(new)
        stored = profile.with_changes(version=profile.version + 1)
        try:
            with self._lock, self._db:
                for sk in replaced:
                    if sk != item[SK]:
                        self._db.execute(
                            "DELETE FROM items WHERE pk = ? AND sk = ?", (item[PK], sk)
                        )
                verb = "INSERT OR REPLACE" if item[SK] in replaced else "INSERT OR IGNORE"
                cursor = self._db.execute(
                    f"{verb} INTO items (pk, sk, version, item) VALUES (?, ?, NULL, ?)",
                    (item[PK], item[SK], json.dumps(item)),
                )
                if cursor.rowcount == 0:  # a retried request: the answer is already there
                    raise _AlreadyStored
                self._write_profile(stored, expected=profile.version)
        except _AlreadyStored:
            return self.get_profile(profile.household_id) or profile
        except sqlite3.Error as err:
            raise StorageError(f"SQLite write failed: {err}", "sqlite") from err
        return stored

    def _write_profile(self, profile: Profile, expected: int) -> None:
        item = profile_to_item(profile)
        if expected == 0:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO items (pk, sk, version, item) VALUES (?, ?, ?, ?)",
                (item[PK], item[SK], item[VERSION], json.dumps(item)),
            )
        else:
            cursor = self._db.execute(
                "UPDATE items SET version = ?, item = ? WHERE pk = ? AND sk = ? AND version = ?",
                (item[VERSION], json.dumps(item), item[PK], item[SK], expected),
            )
        if cursor.rowcount != 1:
            raise ConflictError("the profile changed since it was read", "ConditionalCheckFailed")

    def _one(self, sql: str, args: tuple[Any, ...]) -> Any:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def _all(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as err:
            raise StorageError(f"SQLite read failed: {err}", "sqlite") from err


class _AlreadyStored(Exception):
    """Rolls back the transaction when an answer was stored by an earlier try."""
