"""A value read back from session attributes, checked for the type it must have.

Session attributes come back from the device as JSON, and are not trusted: each reader
returns the value or raises (TypeError, ValueError), and the caller starts fresh.
"""

from __future__ import annotations

from typing import Any

from skill.records import Answer


def ours(answer: Answer, household_id: str) -> Answer:
    """An answer carried in the session must be the request's household's own."""
    if answer.household_id != household_id:
        raise ValueError("the session's answer belongs to another household")
    return answer


def as_dict(value: object) -> dict[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


def as_list(value: object) -> list[Any]:
    """A JSON array."""
    if not isinstance(value, list | tuple):
        raise TypeError("expected a list")
    return list(value)


def as_text(value: object) -> str:
    """A string."""
    if not isinstance(value, str):
        raise TypeError("session text must be a string")
    return value


def as_whole(value: object) -> int:
    """A whole number (JSON may carry it as 3.0), never a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise TypeError("expected a whole number")
    return int(value)
