"""One error vocabulary: storage trouble first, then a catch-all that cannot itself fail."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response

from skill.content import content_for
from skill.handlers.turn import Services
from skill.privacy import where
from skill.speech import Speech
from skill.store import StorageError

log = logging.getLogger("stagewise")
LAST_RESORT = "Sorry, something went wrong. Please try again."  # when content itself failed


def _close(handler_input: HandlerInput, key: str) -> Response:
    """Speak a recovery line in the request's locale; events without a session get nothing.

    The session ends, and what the request carried in it is not echoed back.
    """
    handler_input.attributes_manager.session_attributes = {}
    builder = handler_input.response_builder
    if handler_input.request_envelope.session is None:
        return builder.response
    locale = getattr(handler_input.request_envelope.request, "locale", None)
    line = content_for(str(locale or "")).say(key)
    builder.speak(Speech().say(line).ssml()).set_should_end_session(True)
    return builder.response


class ErrorHandler(AbstractExceptionHandler):
    """An exception handler built with the skill's services."""

    def __init__(self, services: Services) -> None:
        self.services = services


class StorageErrorHandler(ErrorHandler):
    """The store could not be reached: apologise, and claim nothing about what was kept."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StorageError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        code = exception.code if isinstance(exception, StorageError) else ""
        log.error("storage error %s: %s", code, type(exception.__cause__).__name__)
        return _close(handler_input, "error.storage")


class CatchAllErrorHandler(ErrorHandler):
    """Anything else: log where it broke (never its message: it may quote an answer)."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled %s", where(exception))
        try:
            return _close(handler_input, "error.general")
        except Exception:  # the last line of defence must not fail: fixed, known-good SSML
            handler_input.attributes_manager.session_attributes = {}
            handler_input.response_builder.speak(LAST_RESORT)
            return handler_input.response_builder.set_should_end_session(True).response
