"""AWS Lambda entry point: the skill is built once per container, then reused."""

from __future__ import annotations

import logging
import time
from typing import Any

from skill.app import build_skill, handle_event
from skill.privacy import describe

logging.getLogger().setLevel(logging.INFO)
log = logging.getLogger("stagewise")
SKILL = build_skill()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request; log its shape and latency, never what was said."""
    started = time.perf_counter()
    response = handle_event(SKILL, event, context)
    log.info("%s ms=%.1f", describe(event), (time.perf_counter() - started) * 1000)
    return response
