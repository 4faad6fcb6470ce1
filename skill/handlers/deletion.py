"""Forgetting everything by voice, in steps that always fit in a turn (issue 21).

Five years of evenings are some 3,650 records on one partition key, and DynamoDB deletes one
partition's records at about 1,000 a second: more than a turn can wait for. So the yes
replaces the profile with a marker at once (the names and progress go first, and nothing of
the household is read back from then on), deletes what fits in BUDGET seconds, newest
answers first, and says truthfully whether everything went. Any later request of the
household that reads its profile finds the marker and continues the deletion before
anything else: once it is finished the request goes on as a new couple's (told that
everything is now deleted); until then the couple hears that it is still under way.
Disabling the skill deletes everything in one go (skill.handlers.events).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model.response import Response

from skill.handlers.turn import Household, Services, Turn
from skill.privacy import short_id
from skill.reconnect import Ritual
from skill.reminders import Outcome, remove_weekly
from skill.session import SessionState
from skill.speech import Speech
from skill.store import StorageError

log = logging.getLogger("stagewise")
BUDGET = 2.0  # seconds of deleting in one turn: Alexa waits about 8 s for the whole turn
SAID_OF_REMINDER = {  # after "forget everything", what became of the weekly reminder
    Outcome.REMOVED: "forget.reminder_off",
    Outcome.REMAINS: "forget.reminder_remains",
    Outcome.MAY_REMAIN: "forget.reminder_may_remain",
}


def delete_everything(turn: Turn) -> Response:
    """Yes to "forget everything": the weekly reminder and the profile go now, the answers
    as far as the budget allows; what is said is what happened."""
    store, tag = turn.services.store, short_id(turn.household_id)
    try:
        profile = turn.household.profile()
    except StorageError as err:
        log.error("deletion by voice failed to start (%s)", err.code or type(err).__name__)
        return turn.close(turn.speech("forget.failed"))
    # The reminder first: its token lives in the profile that the marker replaces, so once
    # the marker has landed (even when its reply is lost) nothing would know which was ours.
    outcome = remove_weekly(turn.alexa(), profile.ritual if profile else Ritual())
    reminder = SAID_OF_REMINDER.get(outcome)
    try:
        store.begin_deletion(turn.household_id, turn.now)
    except StorageError as err:
        log.error("deletion by voice failed to start (%s)", err.code or type(err).__name__)
        return turn.close(_and_reminder(turn, turn.speech("forget.failed"), reminder))
    turn.state.profile, turn.state.profile_loaded = None, True  # nothing of it is kept
    turn.state.last_answer = None
    try:
        progress = store.continue_deletion(turn.household_id, BUDGET)
    except StorageError as err:  # the marker stays: the next request goes on from here
        log.error("deletion by voice paused (%s), household %s", err.code or "-", tag)
        speech = turn.speech("forget.started_all")
    else:
        log.info(
            "deleted by voice: household %s, %d records%s",
            tag,
            progress.removed,
            "" if progress.finished else ", more to go",
        )
        if progress.finished:
            speech = turn.speech("forget.done_all", count=progress.removed)
        else:
            speech = turn.speech("forget.started_all")
    return turn.close(_and_reminder(turn, speech, reminder).say(turn.line("forget.goodbye")))


def _and_reminder(turn: Turn, speech: Speech, key: str | None) -> Speech:
    """What became of the weekly reminder, when there was one."""
    return speech.say(turn.line(key)) if key else speech


def finish_first(
    handler_input: HandlerInput, services: Services, dispatch: Callable[[Turn], Response]
) -> tuple[Turn, Response]:
    """A request of a household being deleted: go on deleting before anything else.

    Once the deletion is finished, the request is answered afresh, as for a couple not met
    yet (nothing the session carried is kept), after a word that everything is now
    deleted; until then, that the deletion is still under way (nothing, for a request that
    cannot speak).
    """
    handler_input.response_builder = ResponseFactory()  # nothing of the first try is sent
    turn = Turn(handler_input, services)
    turn.state = SessionState()
    turn.household = Household(services.store, turn.household_id, turn.state)
    tag = short_id(turn.household_id)
    try:
        progress = services.store.continue_deletion(turn.household_id, BUDGET)
    except StorageError as err:
        log.error("deletion continued and paused (%s), household %s", err.code or "-", tag)
        return turn, _still_deleting(turn)
    log.info(
        "deletion continued: household %s, %d records%s",
        tag,
        progress.removed,
        ", finished" if progress.finished else ", more to go",
    )
    if not progress.finished:
        return turn, _still_deleting(turn)
    if turn.has_session:
        turn.preface = turn.speech("forget.finished_now")
    return turn, dispatch(turn)


def _still_deleting(turn: Turn) -> Response:
    if not turn.has_session:  # an event: nothing may be said
        return turn.empty()
    return turn.close(turn.speech("forget.still_deleting"))
