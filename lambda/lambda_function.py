"""AWS Lambda entry point: the skill is built once per container, then reused."""

from __future__ import annotations

import logging
from typing import Any

from skill.app import build_skill, handle_event

logging.getLogger().setLevel(logging.INFO)
SKILL = build_skill()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request."""
    return handle_event(SKILL, event, context)
