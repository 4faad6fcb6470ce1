"""The weekly reminder as a small saga: Alexa holds it, the profile keeps a note of it.

Alexa is the truth and the profile's note (`Ritual.reminder_token`, day, time) a copy
that can lag: a write can fail after the reminder was made, an answer from Alexa can be
lost after it acted. So each step here decides what may be said from what is known:

- a reminder is noted only after Alexa made it, and the couple hear "set" only when it
  is; when the note cannot be written they hear that it is set all the same;
- before making one, the skill's reminders are listed, so a retry finds the one already
  made (a lost answer, a lost note) instead of making a second;
- a change whose answer was lost is checked by listing; when that cannot be done either,
  the couple hear that it is not sure, never that nothing changed;
- cancelling without a note lists and cancels what is there; forgetting everything (and
  disabling the skill) removes the reminder too, or says plainly that it may remain.

Each function makes at most two Alexa API calls (one list, one change, or a change and
the list that checks it) and returns an `Outcome` the handlers turn into a content key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from skill.alexa_api import AlexaApi, AlexaApiError, NoPermission, NotFound, OutcomeUnknown
from skill.reconnect import Ritual, Schedule
from skill.records import Profile
from skill.store import StorageError

log = logging.getLogger("stagewise")


class Outcome(StrEnum):
    """What came of a step, as far as the skill can know it."""

    SET = "set"  # made (or found made) for the schedule asked, and noted
    SET_UNNOTED = "set_unnoted"  # made at Alexa; the note could not be written
    MOVED = "moved"  # the noted reminder now has the schedule asked, noted
    MOVED_UNNOTED = "moved_unnoted"  # moved at Alexa; the note could not be written
    UNSURE = "unsure"  # a change was sent, its answer lost, and it could not be checked
    FAILED = "failed"  # Alexa could not be reached or refused: nothing changed there
    GONE = "gone"  # the noted reminder was deleted meanwhile (in the Alexa app)
    NO_PERMISSION = "no_permission"  # the reminders permission is missing or revoked
    CANCELLED = "cancelled"  # no reminder of ours is left at Alexa
    NOTHING = "nothing"  # there was no reminder of ours at Alexa
    UNSEEN = "unseen"  # no permission to look, and nothing noted
    KNOWN = "known"  # the schedule as Alexa has it
    NOTED = "noted"  # the schedule as noted: Alexa could not be asked
    UNKNOWN = "unknown"  # Alexa could not be asked and nothing is noted
    REMOVED = "removed"  # forgetting: the reminder was deleted at Alexa
    REMAINS = "remains"  # forgetting: a noted reminder could not be (surely) deleted
    MAY_REMAIN = "may_remain"  # forgetting: Alexa could not be asked, nothing noted


class ProfileWriter(Protocol):
    """What the saga needs of `skill.handlers.turn.Household`: a change, re-applied on conflict."""

    def change(self, change: Callable[[Profile], Profile]) -> Profile: ...


@dataclass(frozen=True)
class Weekly:
    """One of the skill's reminders at Alexa: its token and its weekly schedule, if readable."""

    token: str
    schedule: Schedule | None


def weekly_reminders(alerts: Iterable[dict[str, Any]]) -> list[Weekly]:
    """The weekly reminders still on in a listing of the skill's reminders (all of them
    ours: the skill makes no other kind; a finished one is COMPLETED)."""
    found = []
    for alert in alerts:
        token = alert.get("alertToken")
        if not isinstance(token, str) or not token or alert.get("status") == "COMPLETED":
            continue
        recurrence = _mapping(_mapping(alert.get("trigger")).get("recurrence"))
        rules = [r for r in recurrence.get("recurrenceRules") or () if isinstance(r, str)]
        if any("FREQ=WEEKLY" in rule.upper() for rule in rules):
            schedules = (Schedule.from_rule(rule) for rule in rules)
            found.append(Weekly(token, next((s for s in schedules if s), None)))
    return found


def set_weekly(
    api: AlexaApi, writer: ProfileWriter, ritual: Ritual, schedule: Schedule, body: dict[str, Any]
) -> Outcome:
    """Make the couple's one weekly reminder ring on `schedule` (the couple said yes to it)."""
    if ritual.has_reminder:
        return _move(api, writer, ritual.reminder_token, schedule, body)
    try:
        found = weekly_reminders(api.list_reminders())
    except NoPermission:
        return Outcome.NO_PERMISSION
    except AlexaApiError as err:
        log.warning("reminders not listed, none made: %s", err)
        return Outcome.FAILED
    if found:  # made before, its note lost: this is the one
        first = found[0]
        if first.schedule == schedule:
            return _noted(writer, first.token, schedule, Outcome.SET, Outcome.SET_UNNOTED)
        moved = _update(api, writer, first.token, schedule, body)
        return {Outcome.MOVED: Outcome.SET, Outcome.MOVED_UNNOTED: Outcome.SET_UNNOTED}.get(
            moved, moved
        )
    try:
        token = api.create_reminder(body)
    except NoPermission:
        return Outcome.NO_PERMISSION
    except OutcomeUnknown as err:  # made or not: the next attempt lists before making
        log.warning("reminder perhaps made: %s", err)
        return Outcome.UNSURE
    except AlexaApiError as err:
        log.warning("reminder not made: %s", err)
        return Outcome.FAILED
    return _noted(writer, token, schedule, Outcome.SET, Outcome.SET_UNNOTED)


def _move(
    api: AlexaApi, writer: ProfileWriter, token: str, schedule: Schedule, body: dict[str, Any]
) -> Outcome:
    """The noted reminder to a new schedule; a lost answer is checked by listing."""
    try:
        api.update_reminder(token, body)
    except OutcomeUnknown as err:
        log.warning("reminder perhaps moved, checking: %s", err)
        try:
            found = {w.token: w for w in weekly_reminders(api.list_reminders())}
        except AlexaApiError as err2:
            log.warning("reminder not checked: %s", err2)
            return Outcome.UNSURE
        if token not in found:
            _unnoted(writer, token)
            return Outcome.GONE
        if found[token].schedule != schedule:
            return Outcome.FAILED  # checked: it still rings as before
    except NotFound:
        _unnoted(writer, token)
        return Outcome.GONE
    except NoPermission:
        return Outcome.NO_PERMISSION
    except AlexaApiError as err:
        log.warning("reminder not moved: %s", err)
        return Outcome.FAILED
    return _noted(writer, token, schedule, Outcome.MOVED, Outcome.MOVED_UNNOTED)


def _update(
    api: AlexaApi, writer: ProfileWriter, token: str, schedule: Schedule, body: dict[str, Any]
) -> Outcome:
    """A found reminder to a new schedule, its second call: a lost answer stays unsure."""
    try:
        api.update_reminder(token, body)
    except NoPermission:
        return Outcome.NO_PERMISSION
    except OutcomeUnknown as err:
        log.warning("reminder perhaps moved: %s", err)
        return Outcome.UNSURE
    except NotFound:  # deleted in the Alexa app since it was listed
        return Outcome.GONE
    except AlexaApiError as err:
        log.warning("reminder not moved: %s", err)
        return Outcome.FAILED
    return _noted(writer, token, schedule, Outcome.MOVED, Outcome.MOVED_UNNOTED)


def cancel_weekly(api: AlexaApi | None, writer: ProfileWriter, ritual: Ritual) -> Outcome:
    """Delete the couple's weekly reminder, noted or not, and forget the note."""
    token = ritual.reminder_token
    if api is None:  # the request carries no API token: nothing can be checked
        return Outcome.FAILED if token else Outcome.NOTHING
    if token:
        outcome = _delete_checked(api, token)
        if outcome is Outcome.CANCELLED:
            _unnoted(writer, token)
        return outcome
    try:
        found = weekly_reminders(api.list_reminders())
    except NoPermission:
        return Outcome.UNSEEN
    except AlexaApiError as err:
        log.warning("reminders not listed, none cancelled: %s", err)
        return Outcome.FAILED
    if not found:
        return Outcome.NOTHING
    return _delete_once(api, found[0].token)


def _delete_checked(api: AlexaApi, token: str) -> Outcome:
    """Delete one reminder; a lost answer is checked by listing (two calls at most)."""
    try:
        api.delete_reminder(token)
    except NotFound:
        pass  # already gone (deleted in the Alexa app)
    except NoPermission:
        return Outcome.NO_PERMISSION
    except OutcomeUnknown as err:
        log.warning("reminder perhaps deleted, checking: %s", err)
        try:
            left = weekly_reminders(api.list_reminders())
        except AlexaApiError as err2:
            log.warning("reminder not checked: %s", err2)
            return Outcome.UNSURE
        if any(w.token == token for w in left):
            return Outcome.FAILED  # checked: it is still there
    except AlexaApiError as err:
        log.warning("reminder not deleted: %s", err)
        return Outcome.FAILED
    return Outcome.CANCELLED


def _delete_once(api: AlexaApi, token: str) -> Outcome:
    """Delete a found reminder with the last call of the step: a lost answer stays unsure."""
    try:
        api.delete_reminder(token)
    except NotFound:
        pass
    except NoPermission:
        return Outcome.NO_PERMISSION
    except OutcomeUnknown as err:
        log.warning("reminder perhaps deleted: %s", err)
        return Outcome.UNSURE
    except AlexaApiError as err:
        log.warning("reminder not deleted: %s", err)
        return Outcome.FAILED
    return Outcome.CANCELLED


def check_weekly(
    api: AlexaApi | None, writer: ProfileWriter, ritual: Ritual
) -> tuple[Outcome, Schedule | None]:
    """ "When is our reminder": as Alexa has it (the note set right quietly); when Alexa
    cannot be asked, the note, said as only what was noted."""
    noted = Schedule.of(ritual) if ritual.has_reminder else None
    if api is None:
        return (Outcome.NOTED, noted) if noted else (Outcome.UNKNOWN, None)
    try:
        found = weekly_reminders(api.list_reminders())
    except NoPermission:  # nothing can be looked at
        return (Outcome.NOTED, noted) if noted else (Outcome.UNSEEN, None)
    except AlexaApiError as err:
        log.warning("reminders not listed: %s", err)
        return (Outcome.NOTED, noted) if noted else (Outcome.UNKNOWN, None)
    if not found:
        if ritual.has_reminder:
            _unnoted(writer, ritual.reminder_token)
        return Outcome.NOTHING, None
    ours = next((w for w in found if w.token == ritual.reminder_token), found[0])
    if ours.schedule is None:  # not a rule we wrote: nothing sure to say of it
        return Outcome.UNKNOWN, None
    if (ours.token, ours.schedule) != (ritual.reminder_token, noted):
        _noted(writer, ours.token, ours.schedule, Outcome.SET, Outcome.SET_UNNOTED)
    return Outcome.KNOWN, ours.schedule


def remove_weekly(api: AlexaApi | None, ritual: Ritual) -> Outcome:
    """Forgetting everything, or the skill disabled: delete the reminder too. No note is
    written (the household's records are being deleted)."""
    token = ritual.reminder_token
    if api is None:
        return Outcome.REMAINS if token else Outcome.NOTHING
    if token:
        outcome = _delete_checked(api, token)
        return Outcome.REMOVED if outcome is Outcome.CANCELLED else Outcome.REMAINS
    try:
        found = weekly_reminders(api.list_reminders())
    except AlexaApiError as err:  # NoPermission too: one made before a withdrawal may ring
        log.warning("reminders not listed, none removed: %s", err)
        return Outcome.MAY_REMAIN
    if not found:
        return Outcome.NOTHING
    outcome = _delete_once(api, found[0].token)
    return Outcome.REMOVED if outcome is Outcome.CANCELLED else Outcome.REMAINS


def _noted(
    writer: ProfileWriter, token: str, schedule: Schedule, noted: Outcome, unnoted: Outcome
) -> Outcome:
    """Write the note of a reminder Alexa has; `unnoted` when the store refuses."""
    try:
        writer.change(
            lambda p: p.with_changes(
                ritual=p.ritual.with_changes(
                    reminder_token=token,
                    reminder_day=schedule.day,
                    reminder_time=schedule.clock,
                    offered=True,
                )
            )
        )
    except (StorageError, LookupError) as err:
        log.warning("reminder not noted (%s)", getattr(err, "code", "") or type(err).__name__)
        return unnoted
    return noted


def _unnoted(writer: ProfileWriter, token: str) -> None:
    """Forget the note of a reminder Alexa no longer has (if it is still that one's)."""
    try:
        writer.change(
            lambda p: (
                p.with_changes(ritual=p.ritual.without_reminder())
                if p.ritual.reminder_token == token
                else p
            )
        )
    except (StorageError, LookupError) as err:  # the next look at Alexa sets it right
        log.warning("reminder note not cleared (%s)", type(err).__name__)


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
