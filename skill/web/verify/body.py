"""The signed body, read strictly once its signature holds: JSON within bounds, a timestamp
close to now, and the skill id it names.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from skill.web.verify.errors import VerificationError

TOLERANCE = timedelta(seconds=150)
# Skill events can be delivered late, so Amazon allows them an hour.
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)
SKILL_EVENT_TYPES = frozenset(
    {
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillAccountLinked",
    }
)

# Limits on what a body may hold; Alexa's envelopes stay far inside them.
MAX_DEPTH = 64
MAX_INT_DIGITS = 20
MAX_NUMBER_CHARS = 40
# "2026-03-14T20:00:00Z" as Alexa sends it; fractions and numeric offsets allowed, ASCII only.
_ALEXA_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"  # date and time
    r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?"  # fraction, zone
)
_BAD_TIMESTAMP = "request.timestamp is not an ISO 8601 time as Alexa sends"


def load_event(raw_body: bytes) -> dict[str, Any]:
    """The body's JSON object, read strictly, or VerificationError with a one-line reason.

    Stricter than `json.loads`: UTF-8 only (json.loads would guess UTF-16 or 32), no NaN or
    Infinity (not JSON, and they make the answer non-JSON), no numbers too large to be a
    real field, no text that is not valid Unicode, and a bounded depth, so nothing after
    this can fail on the shape of a value.
    """
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise VerificationError("the body is not UTF-8") from err
    try:
        event = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except _NumberRefused as err:
        raise VerificationError(str(err)) from err
    except RecursionError as err:
        raise VerificationError(f"the body nests deeper than {MAX_DEPTH} levels") from err
    except ValueError as err:
        raise VerificationError("the body is not JSON") from err
    if not isinstance(event, dict):
        raise VerificationError("the body is not a JSON object")
    _check_values(event)
    return event


class _NumberRefused(ValueError):
    """A JSON number the endpoint will not read; its message is the 400 reason."""


def _refuse_constant(name: str) -> Any:
    raise _NumberRefused(f"the body holds {name}, which JSON does not allow")


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberRefused(f"the body holds a number longer than {MAX_INT_DIGITS} digits")
    return int(literal)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or len(literal) > MAX_NUMBER_CHARS:
        raise _NumberRefused("the body holds a number too large to read")
    return value


def _check_values(event: dict[str, Any]) -> None:
    """Refuse deep nesting and text with lone surrogates (no UTF-8 form: unstorable)."""
    pending: list[tuple[Any, int]] = [(event, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise VerificationError(f"the body nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, value in node.items():
                _check_text(key)
                pending.append((value, depth + 1))
        elif isinstance(node, list):
            pending.extend((value, depth + 1) for value in node)
        elif isinstance(node, str):
            _check_text(node)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise VerificationError("the body holds a lone surrogate, which is not text") from err


def check_timestamp(event: dict[str, Any], now: datetime) -> None:
    request = event.get("request")
    if not isinstance(request, dict):
        raise VerificationError("no request object: not an Alexa request envelope")
    request_type = request.get("type")
    if not isinstance(request_type, str):
        raise VerificationError("no request.type string: not an Alexa request envelope")
    stamp = request.get("timestamp")
    if not isinstance(stamp, str):
        raise VerificationError("no request.timestamp string")
    if not _ALEXA_TIMESTAMP.fullmatch(stamp):
        raise VerificationError(_BAD_TIMESTAMP)
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError as err:  # shaped right, but e.g. month 13
        raise VerificationError(_BAD_TIMESTAMP) from err
    if moment.tzinfo is None:  # Alexa sends "Z"; a zoneless time can only mean UTC
        moment = moment.replace(tzinfo=UTC)
    limit = SKILL_EVENT_TOLERANCE if request_type in SKILL_EVENT_TYPES else TOLERANCE
    skew = abs(now - moment)
    if skew > limit:
        raise VerificationError(
            f"request.timestamp is {int(skew.total_seconds())} s from now "
            f"(allowed {int(limit.total_seconds())} s)"
        )


def application_id(event: dict[str, Any]) -> str | None:
    """The skill id a raw event names, from context (always sent) or else the session."""
    for path in (("context", "System", "application"), ("session", "application")):
        node: Any = event
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("applicationId"), str):
            return str(node["applicationId"])
    return None
