"""The table's shape: its keys around the records' own field mappings.

One table, partitioned by household: the profile is item (pk, "PROFILE") and each
answer is (pk, "ANSWER#<utc timestamp>#<partner>"), so a key range is a time range.
This module owns the key attributes and the answer's attribute names; the profile's
own fields are named once, in `Profile.to_dict` (shared with the session), and this
module only wraps them with the keys (answers too: `Answer.to_dict`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from skill.records import Answer, Profile, iso

PK = "pk"
SK = "sk"
VERSION = "version"
PROFILE_SK = "PROFILE"
ANSWER_PREFIX = "ANSWER#"


def answer_sk(answered_at: datetime, partner: str = "") -> str:
    """Sort key of an answer; without a partner, the lower bound of that instant."""
    key = f"{ANSWER_PREFIX}{iso(answered_at)}"
    return f"{key}#{partner}" if partner else key


def profile_to_item(profile: Profile) -> dict[str, Any]:
    body = profile.to_dict()
    body.pop("household_id")
    return {PK: profile.household_id, SK: PROFILE_SK, **body}


def profile_from_item(item: dict[str, Any]) -> Profile:
    body = {k: v for k, v in item.items() if k not in (PK, SK)}
    return Profile.from_dict({**body, "household_id": item[PK], VERSION: item[VERSION]})


def answer_to_item(answer: Answer) -> dict[str, Any]:
    body = answer.to_dict()
    body.pop("household_id")
    return {PK: answer.household_id, SK: answer_sk(answer.answered_at, answer.partner), **body}


def answer_from_item(item: dict[str, Any]) -> Answer:
    body = {k: v for k, v in item.items() if k not in (PK, SK)}
    return Answer.from_dict({**body, "household_id": item[PK]})
