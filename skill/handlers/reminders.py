"""The weekly reminder by voice, the permission it needs, and the reconnect it leads to.

Nothing is created before the couple hears the day, the time and "every week" and says
yes. Without the reminders permission Alexa asks for it (Connections.SendRequest AskFor);
its answer comes back as a Connections.Response. What is done at Alexa and noted in the
profile is skill.reminders' saga (at most two Alexa API calls a turn); here each of its
outcomes becomes what the couple hear, and only what is known to be true.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.response import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.alexa_api import REMINDERS_SCOPE
from skill.handlers.onboarding import start_onboarding
from skill.handlers.recap import RECAP_FETCH, THEN_QUESTION, first_evening, read_evenings
from skill.handlers.tonight import offer_question
from skill.handlers.turn import Turn
from skill.local_time import zone_name_valid, zone_named
from skill.periods import RECAP_QUESTIONS_PER_TURN, group_answers, recap_window
from skill.reconnect import (
    DEFAULT_DAY,
    DEFAULT_HOUR,
    Ritual,
    Schedule,
    parse_day,
    parse_time,
    reminder_body,
)
from skill.records import Profile, iso
from skill.reminders import Outcome, cancel_weekly, check_weekly, set_weekly
from skill.session import ConfirmingReminder, RecapMore
from skill.speech import Speech

log = logging.getLogger("stagewise")

ASK_FOR = "AskFor"
# What the couple hear after each outcome (skill.reminders.Outcome).
SAID_AFTER_SET = {
    Outcome.SET: "reminder.set",
    Outcome.SET_UNNOTED: "reminder.set_unnoted",
    Outcome.MOVED: "reminder.moved",
    Outcome.MOVED_UNNOTED: "reminder.moved_unnoted",
    Outcome.UNSURE: "reminder.unsure",
    Outcome.GONE: "reminder.gone",
}
SAID_AFTER_CANCEL = {
    Outcome.CANCELLED: "reminder.cancelled",
    Outcome.NOTHING: "reminder.nothing_to_cancel",
    Outcome.UNSEEN: "reminder.none_visible",
    Outcome.NO_PERMISSION: "reminder.cancel_no_permission",
    Outcome.UNSURE: "reminder.unsure",
}


def plan_text(schedule: Schedule) -> str:
    return f"{schedule.day} {schedule.clock}"


def plan_of(text: str | None) -> Schedule | None:
    try:
        day, clock = (text or "").split()
        hour, minute = (int(part) for part in clock.split(":"))
        return Schedule(day, hour, minute)
    except ValueError:
        return None


def spoken(turn: Turn, key: str, schedule: Schedule) -> Speech:
    """A prompt naming the schedule's day and time."""
    return turn.speech(key, day=schedule.day_name, time=schedule.spoken_time())


def propose(turn: Turn, schedule: Schedule, lead: Speech | None = None) -> Response:
    """Say the day, the time and the recurrence back; nothing is made before a yes."""
    speech = (lead or Speech()).extend(spoken(turn, "reminder.confirm", schedule))
    reprompt = spoken(turn, "reminder.confirm_reprompt", schedule)
    return turn.ask(speech, reprompt, ConfirmingReminder(plan_text(schedule)))


def heard_schedule(turn: Turn, ritual: Ritual) -> Schedule:
    """The day and time asked for; what is missing comes from their reminder, or Sunday 8 pm."""
    current = Schedule.of(ritual)
    day = parse_day(turn.slot("day")) or (current.day if current else DEFAULT_DAY)
    hour, minute = parse_time(turn.slot("time")) or (
        (current.hour, current.minute) if current else (DEFAULT_HOUR, 0)
    )
    return Schedule(day, hour, minute)


def confirm_reminder(turn: Turn) -> Response:
    """Yes to "shall I set that up?": set (or move) the reminder, as skill.reminders does."""
    awaiting = turn.state.awaiting
    schedule = plan_of(awaiting.plan if isinstance(awaiting, ConfirmingReminder) else None)
    profile = turn.household.couple()
    if schedule is None or profile is None:
        return turn.close(turn.speech("reminder.failed"))
    return make_reminder(turn, profile, schedule)


def make_reminder(turn: Turn, profile: Profile, schedule: Schedule) -> Response:
    """Set (or move) the weekly reminder; say what came of it."""
    client = turn.alexa()
    if client is None:  # no token in the request, or this turn's calls are spent
        return turn.close(turn.speech("reminder.failed"))
    ritual = profile.ritual
    zone_name = ritual.time_zone if zone_name_valid(ritual.time_zone) else "UTC"
    now_local = turn.now.astimezone(zone_named(zone_name))
    text = turn.line("reminder.spoken")
    body = reminder_body(schedule, zone_name, now_local, text, turn.locale)
    outcome = set_weekly(client, turn.household, ritual, schedule, body)
    if outcome is Outcome.NO_PERMISSION:
        return ask_permission(turn, schedule)
    return turn.close(spoken(turn, SAID_AFTER_SET.get(outcome, "reminder.failed"), schedule))


def ask_permission(turn: Turn, schedule: Schedule) -> Response:
    """Alexa asks for the reminders permission by voice; its answer returns to us."""
    builder = turn.handler_input.response_builder
    builder.speak(turn.speech("reminder.need_permission").ssml())
    builder.add_directive(
        SendRequestDirective(
            name=ASK_FOR,
            payload={
                "@type": "AskForPermissionsConsentRequest",
                "@version": "2",
                "permissionScopes": [
                    {"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}
                ],
            },
            token=plan_text(schedule),
        )
    )
    turn.state.awaiting = None  # the plan travels in the request's token
    return builder.response


def decline_reminder(turn: Turn) -> Response:
    return turn.close(turn.speech("reminder.declined"))


def offer_reminder(turn: Turn, lead: Speech) -> Response:
    """Both answered on their third evening: offer the weekly reminder (stored as offered)."""
    lead.pause(300).say(turn.line("answer.talk_together"))
    schedule = Schedule(DEFAULT_DAY, DEFAULT_HOUR)
    lead.pause(300).say(turn.line("reminder.offer"))
    return propose(turn, schedule, lead)


def reconnect(turn: Turn) -> Response:
    """The weekly reconnect: the past week in their own days, in half a minute at most
    (skill.handlers.recap.PAGE_SECONDS), then "shall I read more?" (the rest of the week,
    then tonight's question) or tonight's question.

    No tip here: tonight's question brings one when a tip is due (skill.question_order.give_tip).
    """
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    window = recap_window(None, turn.now, since=first_evening(turn), zone=turn.zone)
    answers = turn.services.store.answers(
        turn.household_id, start=window.start, until=window.until, limit=RECAP_FETCH
    )
    items = group_answers(answers, turn.zone)
    more = len(answers) == RECAP_FETCH
    if more:
        items = items[:-1]  # the oldest evening may be cut short: it comes with "more"
    if not items:
        return offer_question(turn, turn.speech("reconnect.quiet_week").pause(400))
    speech = turn.speech("reconnect.intro")
    page = items[:RECAP_QUESTIONS_PER_TURN]
    read, shown = read_evenings(
        turn,
        profile,
        page,
        speech,
        dated=True,
        more=more or len(page) < len(items),
        then=THEN_QUESTION,
        shorten_first=True,
    )
    speech.extend(read)
    if more or len(shown) < len(items):
        oldest = min(a.answered_at for item in shown for a in item.answers)
        rest = RecapMore(iso(window.start), iso(oldest - timedelta(seconds=1)), None, THEN_QUESTION)
        speech.pause(400).say(turn.line("recap.more"))
        return turn.ask(speech, turn.speech("recap.more"), rest)
    return offer_question(turn, speech.pause(400))


def set_reminder(turn: Turn) -> Response:
    """ "Remind us every Sunday at eight pm", "set up our weekly reconnect", "move it"."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    turn.zone  # noqa: B018 - the zone is asked now, so the yes turn's calls are the reminder's
    return propose(turn, heard_schedule(turn, profile.ritual))


def reminder_status(turn: Turn) -> Response:
    """ "When is our reminder": as Alexa has it (one call), else as noted, said so."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    outcome, schedule = check_weekly(turn.alexa(), turn.household, profile.ritual)
    if outcome in (Outcome.KNOWN, Outcome.NOTED) and schedule is not None:
        key = "reminder.status" if outcome is Outcome.KNOWN else "reminder.status_noted"
        return turn.close(spoken(turn, key, schedule))
    if outcome is Outcome.UNKNOWN:
        return turn.close(turn.speech("reminder.status_unknown"))
    lead = "reminder.none" if outcome is Outcome.NOTHING else "reminder.none_visible"
    return propose(turn, Schedule(DEFAULT_DAY, DEFAULT_HOUR), turn.speech(lead))


def cancel_reminder(turn: Turn) -> Response:
    """ "Cancel our reminder": deleted at Alexa (found by listing if not noted), then forgotten."""
    profile = turn.household.couple()
    if profile is None:
        return turn.close(turn.speech("reminder.nothing_to_cancel"))
    outcome = cancel_weekly(turn.alexa(), turn.household, profile.ritual)
    return turn.close(turn.speech(SAID_AFTER_CANCEL.get(outcome, "reminder.failed")))


def permission_response(turn: Turn) -> Response:
    """Alexa's answer to our AskFor: ACCEPTED makes the reminder; otherwise a card."""
    request = turn.request.sdk
    if getattr(request, "name", None) != ASK_FOR:
        return turn.empty()
    payload = getattr(request, "payload", None) or {}
    status = str(payload.get("status", "")).upper()
    schedule = plan_of(getattr(request, "token", None))
    profile = turn.household.couple()
    if status == "ACCEPTED" and schedule is not None and profile is not None:
        return make_reminder(turn, profile, schedule)
    card = AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE])
    return turn.close(turn.speech("reminder.no_permission"), card=card)


def reminder_event(turn: Turn) -> Response:
    """Deleted in the Alexa app, or the permission withdrawn: the profile stops claiming it.

    Skill events: no session, no speech, no Alexa API call.
    """
    profile = turn.household.profile()
    if profile is None or not profile.ritual.has_reminder:
        return turn.empty()
    body = getattr(turn.request.sdk, "body", None)
    kind = turn.request.kind
    if kind == "Reminders.ReminderDeleted":
        tokens = set(getattr(body, "alert_tokens", None) or ())
        gone = profile.ritual.reminder_token in tokens
    else:
        accepted = getattr(body, "accepted_permissions", None) or ()
        gone = REMINDERS_SCOPE not in {getattr(p, "scope", None) for p in accepted}
    if gone:
        token = profile.ritual.reminder_token
        turn.household.change(
            lambda p: (
                p.with_changes(ritual=p.ritual.without_reminder())
                if p.ritual.reminder_token == token
                else p
            )
        )
        log.info("weekly reminder gone (%s)", kind)
    return turn.empty()
