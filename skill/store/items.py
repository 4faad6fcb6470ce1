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

In DynamoDB the profile item is its keys, its version and one binary attribute, `profile`:
the fields packed (`pack_profile`). DynamoDB charges a write unit per started kilobyte, and
the profile is written three times an evening, twice inside a transaction (double): at one
kilobyte an evening costs 9 units, at two 14. Spread out as attributes, a year-old couple's
profile is over 2 KB (Alexa's user ID alone is some 225 characters); packed it stays under
1 KB. SQLite, which charges nothing, keeps the fields readable (`profile_to_item`); items
of either shape are read (`profile_from_item`), so profiles stored before packing still load.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from skill.records import Answer, Profile, iso

PK = "pk"
SK = "sk"
VERSION = "version"
PACKED = "profile"  # the packed profile's attribute in a DynamoDB item
PROFILE_SK = "PROFILE"
ANSWER_PREFIX = "ANSWER#"

# A packed profile is one format byte, then the fields as compact JSON, deflated with a preset
# dictionary of what every profile spells (field names, stage keys): on a body this small the
# dictionary saves a fifth. Stored profiles are read with the dictionary of their format byte,
# so a dictionary never changes: a new one comes with a new format byte, the old one kept.
_DICTIONARIES = {
    1: " ".join(
        [
            '"partner_a":"partner_b":"stage":"places":"completed":"tip_turn":"created_at":',
            '"voices":"journey":"tip_on":"reminder_on":"suggested_on":"current":"ritual":',
            '"question_id":"day":"answered":["a","b"],"order":["a","b"],"streak":',
            '"declined_stage":"favourites":"spans":"first":"latest":"stage_since":',
            '"streak_week":"milestone_on":"year_ago_on":"time_zone":"America/"Europe/',
            '"Australia/"tz_checked_on":"reminder_token":"reminder_day":"reminder_time":',
            '"offered":true,"6.checkin":"6.winter":"6.spring":"6.summer":"6.autumn":',
            '"attraction-"trust-"vulnerability-"interdependence-"security-"renewal-',
            '"T20:00:00.000000Z","2026-"2027-"2028-',
        ]
    ).encode()
}
_FORMAT = 1  # what pack_profile writes


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
    """The profile's fields as attributes, around the table's keys (SQLite keeps this shape)."""
    body = profile.to_dict()
    body.pop("household_id")
    return {PK: profile.household_id, SK: PROFILE_SK, **body}


def packed_profile_item(profile: Profile) -> dict[str, Any]:
    """The profile as DynamoDB keeps it: keys, version (for conditional writes), packed fields."""
    return {
        PK: profile.household_id,
        SK: PROFILE_SK,
        VERSION: profile.version,
        PACKED: pack_profile(profile),
    }


def profile_from_item(item: dict[str, Any]) -> Profile:
    """A profile from either shape of item: packed (DynamoDB) or its fields spread (SQLite)."""
    if PACKED in item:
        body = unpack_profile(item[PACKED])
    else:
        body = {k: v for k, v in item.items() if k not in (PK, SK)}
    return Profile.from_dict({**body, "household_id": item[PK], VERSION: item[VERSION]})


def pack_profile(profile: Profile) -> bytes:
    """The profile's fields but its key and version, small: format byte, deflated JSON."""
    body = profile.to_dict()
    for name in ("household_id", VERSION):
        body.pop(name)
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    packer = zlib.compressobj(9, zdict=_DICTIONARIES[_FORMAT])
    return bytes([_FORMAT]) + packer.compress(text) + packer.flush()


def unpack_profile(packed: object) -> dict[str, Any]:
    """`pack_profile`'s fields back (boto3 hands binary values over wrapped in `Binary`)."""
    raw = bytes(getattr(packed, "value", packed))  # type: ignore[call-overload]
    dictionary = _DICTIONARIES.get(raw[0]) if raw else None
    if dictionary is None:
        raise ValueError("not a packed profile of a known format")
    unpacker = zlib.decompressobj(zdict=dictionary)
    body = json.loads(unpacker.decompress(raw[1:]) + unpacker.flush())
    if not isinstance(body, dict):
        raise ValueError("a packed profile holds an object")
    return body


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
