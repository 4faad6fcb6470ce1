"""What may appear in logs about a household: never names, answers or full IDs."""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path


def short_id(user_id: str | None) -> str:
    """A short, stable, non-reversible tag for a user ID, enough to follow one household in logs."""
    if not user_id:
        return "-"
    return hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def describe(event: object) -> str:
    """A log-safe summary of an Alexa event: request type, intent and household tag only."""
    if not isinstance(event, dict):
        return "type=- intent=- household=-"
    request = event.get("request")
    request = request if isinstance(request, dict) else {}
    intent = request.get("intent")
    intent_name = intent.get("name") if isinstance(intent, dict) else None
    system = (
        (event.get("context") or {}).get("System")
        if isinstance(event.get("context"), dict)
        else None
    )
    user = system.get("user") if isinstance(system, dict) else None
    user_id = user.get("userId") if isinstance(user, dict) else None
    return (
        f"type={request.get('type') or '-'} intent={intent_name or '-'} "
        f"household={short_id(user_id if isinstance(user_id, str) else None)}"
    )


def where(err: BaseException) -> str:
    """An exception's type and the file:line it came from; never its message (it may quote
    what somebody said)."""
    frames = traceback.extract_tb(err.__traceback__)
    place = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(err).__name__} at {place}"
