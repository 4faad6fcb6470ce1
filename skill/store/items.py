"""The table's shape: keys, and the stored attributes of answers.

One table, partitioned by household: the profile is item (pk, "PROFILE") and each
answer is (pk, "ANSWER#<utc timestamp>#<partner>"), so a key range is a time range.
This module owns the key attributes and the answer's attribute names; the profile's
own fields are named once, in `Profile.to_dict` (shared with the session), and this
module only wraps them with the keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from skill.records import Answer, Profile, iso, parse_iso

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
    return {
        PK: answer.household_id,
        SK: answer_sk(answer.answered_at, answer.partner),
        "answered_at": iso(answer.answered_at),
        "partner": answer.partner,
        "partner_name": answer.partner_name,
        "stage": answer.stage,
        "question_id": answer.question_id,
        "question_text": answer.question_text,
        "text": answer.text,
    }


def answer_from_item(item: dict[str, Any]) -> Answer:
    return Answer(
        household_id=str(item[PK]),
        answered_at=parse_iso(str(item["answered_at"])),
        partner=str(item["partner"]),
        partner_name=str(item["partner_name"]),
        stage=int(item["stage"]),
        question_id=str(item["question_id"]),
        question_text=str(item["question_text"]),
        text=str(item["text"]),
    )
