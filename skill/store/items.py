"""The stored shape of profiles and answers: the only module that knows attribute names.

One table, partitioned by household: the profile is item (pk, "PROFILE") and each
answer is (pk, "ANSWER#<utc timestamp>#<partner>"), so a key range is a time range.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from skill.records import Answer, CurrentQuestion, Profile, iso, parse_iso

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
    item: dict[str, Any] = {
        PK: profile.household_id,
        SK: PROFILE_SK,
        "partner_a": profile.partner_a,
        "partner_b": profile.partner_b,
        "stage": profile.stage,
        "asked": {str(k): list(v) for k, v in profile.asked.items()},
        "completed": {str(k): v for k, v in profile.completed.items()},
        "tip_turn": profile.tip_turn,
        "created_at": profile.created_at,
        VERSION: profile.version,
    }
    if profile.current:
        item["current"] = profile.current.to_attributes()
    return item


def profile_from_item(item: dict[str, Any]) -> Profile:
    current = item.get("current")
    return Profile(
        household_id=str(item[PK]),
        partner_a=str(item["partner_a"]),
        partner_b=str(item["partner_b"]),
        stage=int(item["stage"]),
        asked={int(k): tuple(str(q) for q in v) for k, v in item.get("asked", {}).items()},
        completed={int(k): int(v) for k, v in item.get("completed", {}).items()},
        current=CurrentQuestion.from_attributes(current) if current else None,
        tip_turn=int(item.get("tip_turn", 0)),
        created_at=str(item.get("created_at", "")),
        version=int(item[VERSION]),
    )


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
