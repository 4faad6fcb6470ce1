"""Skill events (enabled, disabled, permissions, reminders): no session, no speech.

SkillDisabled deletes the household in one place, skill.app.respond (read from the raw
event, so that its failure can fail the invocation); this module holds that deletion.
"""

from __future__ import annotations

import logging

from ask_sdk_model.response import Response

from skill.alexa_api import AlexaApi
from skill.handlers.turn import Turn
from skill.privacy import short_id, where
from skill.reconnect import Ritual
from skill.reminders import remove_weekly
from skill.store import DeletionIncomplete, StorageError, Store

log = logging.getLogger("stagewise")


def forget_household(store: Store, household_id: str, alexa: AlexaApi | None = None) -> int:
    """Delete everything held for a household; raise DeletionIncomplete unless it is all gone.

    The caller lets that error out of the invocation, so Alexa delivers the event again.
    With `alexa` (the event's own API token), the weekly reminder is deleted first, best
    effort: see `remove_reminder`.
    """
    tag = short_id(household_id)
    if alexa is not None:
        remove_reminder(store, household_id, alexa)
    try:
        removed = store.delete_household(household_id)
    except StorageError as err:
        log.error("deletion of household %s incomplete (%s): will be retried", tag, err.code)
        if isinstance(err, DeletionIncomplete):
            raise
        raise DeletionIncomplete("household deletion failed", err.code) from err
    log.info("skill disabled: deleted %d records of household %s", removed, tag)
    return removed


def remove_reminder(store: Store, household_id: str, alexa: AlexaApi) -> None:
    """The skill disabled: delete its weekly reminder at Alexa if it can be (never raises).

    Amazon's pages on reminders and skill events (developer.amazon.com/docs/smapi/
    alexa-reminders-overview.html, alexa-reminders-api-reference.html,
    skill-events-in-alexa-skills.html) do not say that disabling a skill deletes the
    reminders it made, and a captured SkillDisabled event carries an apiAccessToken whose
    consentToken claim is null, so Alexa may refuse (401): the deletion is tried, its
    outcome logged, and the household's records are deleted whatever it was. The couple
    cannot be told (skill events take no speech).
    """
    tag = short_id(household_id)
    try:
        profile = store.get_profile(household_id)
        outcome = remove_weekly(alexa, profile.ritual if profile else Ritual())
    except Exception as err:  # the records' deletion must go on whatever happened here
        log.warning("skill disabled: reminder of household %s not removed (%s)", tag, where(err))
        return
    log.info("skill disabled: reminder of household %s: %s", tag, outcome.value)


def nothing(turn: Turn) -> Response:
    """Any other event (enabled, an audio player's, a message): acknowledged, nothing said."""
    return turn.empty()
