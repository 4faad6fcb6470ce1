"""Skill events (enabled, disabled, permissions, reminders): no session, no speech."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model.response import Response

from skill.handlers.turn import Handler, request_type
from skill.privacy import short_id

log = logging.getLogger("stagewise")

DIALOG_REQUESTS = frozenset({"LaunchRequest", "IntentRequest", "SessionEndedRequest"})


class SkillDisabledHandler(Handler):
    """The couple disabled the skill: delete everything we hold for the household."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        removed = self.services.store.delete_household(turn.household_id)
        log.info(
            "skill disabled: deleted %d records of household %s",
            removed,
            short_id(turn.household_id),
        )
        return turn.empty()


class SkillEventHandler(Handler):
    """Every other non-dialog request: acknowledged with an empty response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return request_type(handler_input) not in DIALOG_REQUESTS

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response
