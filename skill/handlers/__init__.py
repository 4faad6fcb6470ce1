"""The conversation's handlers, as data and steps.

`routes` is the one dispatcher: a table of request or intent -> step, scoped by the open
moment (`moments`: what each point where the skill waits takes). Steps live in feature
modules: onboarding (meeting a couple), names (hearing them, renaming), tonight (the
question, skipping, the wrap-up), answers (taking an answer, and what is not an answer),
saving (storing it, and failed writes), corrections, after_answer (said back, the next
partner, the end of the evening), stages, recap, memory (by stage, a year ago,
favourites), journey_summary, voices and who (telling two voices apart), reminders (the
weekly reminder and reconnect), forget (deleting by voice); conversation holds help,
repeat, stop and a miss with no moment open; turn is one request's view; events and
errors the rest.
"""

from __future__ import annotations

from skill.handlers.errors import CatchAllErrorHandler, ErrorHandler, StorageErrorHandler
from skill.handlers.turn import Services

EXCEPTION_HANDLERS: tuple[type[ErrorHandler], ...] = (
    StorageErrorHandler,
    CatchAllErrorHandler,
)


def exception_handlers(services: Services) -> list[ErrorHandler]:
    return [handler(services) for handler in EXCEPTION_HANDLERS]
