"""Skill events (enabled, disabled, permissions, reminders): no session, no speech."""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model.response import Response

from skill.handlers.turn import Handler, request_type
from skill.privacy import short_id
from skill.store import DeletionIncomplete, StorageError, Store

log = logging.getLogger("stagewise")

DIALOG_REQUESTS = frozenset({"LaunchRequest", "IntentRequest", "SessionEndedRequest"})
SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"


def forget_household(store: Store, household_id: str) -> int:
    """Delete everything held for a household; raise DeletionIncomplete unless it is all gone.

    The caller lets that error out of the invocation, so Alexa delivers the event again.
    """
    tag = short_id(household_id)
    try:
        removed = store.delete_household(household_id)
    except StorageError as err:
        log.error("deletion of household %s incomplete (%s): will be retried", tag, err.code)
        if isinstance(err, DeletionIncomplete):
            raise
        raise DeletionIncomplete("household deletion failed", err.code) from err
    log.info("skill disabled: deleted %d records of household %s", removed, tag)
    return removed


class SkillDisabledHandler(Handler):
    """The couple disabled the skill: delete everything we hold for the household.

    skill.app.respond deletes before the skill is invoked, so that a failure can fail the
    invocation; this handler covers a skill invoked directly (its failure is only logged).
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(SKILL_DISABLED)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.turn(handler_input)
        if turn.household_id != "unknown":
            forget_household(self.services.store, turn.household_id)
        return turn.empty()


class SkillEventHandler(Handler):
    """Every other non-dialog request: acknowledged with an empty response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return request_type(handler_input) not in DIALOG_REQUESTS

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response
