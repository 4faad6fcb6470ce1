"""One error vocabulary: storage trouble first, then a catch-all that cannot itself fail."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response

from skill.content import load_content
from skill.handlers.base import Services
from skill.speech import Speech
from skill.store import StorageError

log = logging.getLogger("stagewise")


def _close(handler_input: HandlerInput, key: str) -> Response:
    """Speak a recovery line; events without a session get an empty response."""
    builder = handler_input.response_builder
    if handler_input.request_envelope.session is None:
        return builder.response
    builder.speak(Speech().say(load_content().say(key)).ssml()).set_should_end_session(True)
    return builder.response


class ErrorHandler(AbstractExceptionHandler):
    """An exception handler built with the skill's services."""

    def __init__(self, services: Services) -> None:
        self.services = services


class StorageErrorHandler(ErrorHandler):
    """The store could not be reached: apologise; nothing stored is lost."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StorageError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        code = exception.code if isinstance(exception, StorageError) else ""
        log.error("storage error %s: %s", code, type(exception.__cause__).__name__)
        return _close(handler_input, "error.storage")


class CatchAllErrorHandler(ErrorHandler):
    """Anything else: log the type (never the request's words) and say sorry."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.exception("unhandled %s", type(exception).__name__, exc_info=exception)
        try:
            return _close(handler_input, "error.general")
        except Exception:  # the last line of defence must not fail: fixed, known-good SSML
            handler_input.response_builder.speak("Sorry, something went wrong. Please try again.")
            return handler_input.response_builder.set_should_end_session(True).response
