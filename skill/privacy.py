"""What may appear in logs about a household: never names, answers or full IDs."""

from __future__ import annotations

import hashlib


def short_id(user_id: str | None) -> str:
    """A short, stable, non-reversible tag for a user ID, enough to follow one household in logs."""
    if not user_id:
        return "-"
    return hashlib.sha256(user_id.encode()).hexdigest()[:10]
