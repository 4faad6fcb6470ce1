"""The table's shape: its keys around the records' own field mappings.

One table, partitioned by household: the profile is item (pk, "PROFILE") and each
answer is (pk, "ANSWER#<utc timestamp>#<partner>#<request tag>"), so a key range is a
time range. The request tag (a short hash of the Alexa requestId) makes the key the
answer's identity: a retried request writes the same key (and is refused as a duplicate),
two different requests in the same second write two keys. Items written before the tag
existed (`ANSWER#<timestamp>#<partner>`) are still read: answers are parsed from their
attributes, never from the key.
This module owns the key attributes and the answer's attribute names; the profile's
own fields are named once, in `Profile.to_dict` (shared with the session), and this
module only wraps them with the keys (answers too: `Answer.to_dict`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from skill.records import Answer, Profile, iso

PK = "pk"
SK = "sk"
VERSION = "version"
PROFILE_SK = "PROFILE"
ANSWER_PREFIX = "ANSWER#"


REQUEST_TAG_CHARS = 12  # 48 bits of SHA-256: no collisions among one household's answers
_AFTER_EVERYTHING = "\uffff"  # sorts after any key character (UTF-8 EF BF BF)


def request_tag(answer: Answer) -> str:
    """A short, stable, non-reversible tag of the request that gave the answer.

    An answer without a request ID (written by a tool, not by Alexa) is tagged by its
    own words, so the same answer written twice is still one item.
    """
    source = f"request:{answer.request_id}" if answer.request_id else f"text:{answer.text}"
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:REQUEST_TAG_CHARS]


def answer_sk(answered_at: datetime) -> str:
    """The lower bound of an instant in the answers' key range."""
    return f"{ANSWER_PREFIX}{iso(answered_at)}"


def answer_sk_through(until: datetime) -> str:
    """The upper bound of a key range that takes in the whole second `until` falls in.

    Alexa's timestamps are whole seconds: an answer given in the same second as a recap
    belongs to it. The key's timestamp reads "YYYY-MM-DDTHH:MM:SS.ffffffZ"; everything
    that starts with that second sorts below the second's prefix plus U+FFFF.
    """
    return f"{ANSWER_PREFIX}{iso(until)[:19]}.{_AFTER_EVERYTHING}"


def key_of(answer: Answer) -> str:
    """The sort key an answer is stored under."""
    return f"{answer_sk(answer.answered_at)}#{answer.partner}#{request_tag(answer)}"


def keys_of(answer: Answer) -> tuple[str, ...]:
    """Every sort key an answer may be stored under, the pre-tag shape included."""
    if answer.request_id:
        return (key_of(answer),)
    return (key_of(answer), f"{answer_sk(answer.answered_at)}#{answer.partner}")


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
    return {PK: answer.household_id, SK: key_of(answer), **body}


def answer_from_item(item: dict[str, Any]) -> Answer:
    body = {k: v for k, v in item.items() if k not in (PK, SK)}
    return Answer.from_dict({**body, "household_id": item[PK]})


# -- a household being deleted ("forget everything", issue 21) -------------------------------
# While a household is deleted in steps, its profile item is replaced by a marker: the same
# key (so the read every session makes anyway finds it), no names, no progress, and no version
# (so no write conditioned on the profile can succeed), holding only when the deletion began.
DELETING = "deleting"


def deletion_marker(household_id: str, since: datetime) -> dict[str, Any]:
    """The item that stands in the profile's place until everything else is deleted."""
    return {PK: household_id, SK: PROFILE_SK, DELETING: iso(since)}


def is_deletion_marker(item: Mapping[str, Any]) -> bool:
    """Whether a profile-key item is the marker of a deletion under way."""
    return DELETING in item
