"""Skill events (enabled, disabled, permissions, reminders): no session, no speech.

SkillDisabled deletes the household in one place, skill.app.respond (read from the raw
event, so that its failure can fail the invocation); this module holds that deletion.
"""

from __future__ import annotations

import logging

from ask_sdk_model.response import Response

from skill.handlers.turn import Turn
from skill.privacy import short_id
from skill.store import DeletionIncomplete, StorageError, Store

log = logging.getLogger("stagewise")

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


def nothing(turn: Turn) -> Response:
    """Any other event (enabled, an audio player's, a message): acknowledged, nothing said."""
    return turn.empty()
