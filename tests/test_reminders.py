"""The weekly reminder by voice, its permission, its events, and the reconnect it leads to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from skill.alexa_api import REMINDERS_SCOPE, OutcomeUnknown, Throttled
from skill.app import build_skill
from skill.config import Settings
from skill.content import load_content
from skill.reconnect import Schedule
from skill.records import Profile
from skill.reminders import Weekly, weekly_reminders
from skill.store.sqlite import SqliteStore
from stagewise_tools.fake_alexa import FakeAlexa
from tests.conversation import Couple, says

CONTENT = load_content()

NY = "America/New_York"


def new_york_couple(
    store: SqliteStore, settings: Settings, *, permitted: bool = True
) -> tuple[Couple, FakeAlexa]:
    alexa = FakeAlexa(zone=NY, permitted=permitted)
    app = build_skill(settings, store=store, alexa_api=alexa.client)
    start = datetime(2026, 11, 18, 19, 0, tzinfo=ZoneInfo(NY)).astimezone(UTC)  # a Wednesday
    couple = Couple(app, now=start)
    couple.device.api_token = "in-session-token"
    couple.onboard("maya", "jordan")
    couple.intent("AMAZON.StopIntent")
    return couple, alexa


def stored(couple: Couple) -> Profile:
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None
    return profile


def permission_answer(status: str, token: str = "SU 20:00") -> dict[str, Any]:
    return {
        "type": "Connections.Response",
        "name": "AskFor",
        "status": {"code": "200", "message": "OK"},
        "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
        "token": token,
    }


def test_a_weekly_reminder_is_said_back_and_made_only_after_a_yes(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    asked = couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    assert "every Sunday at 8 pm, once a week" in asked.text and not asked.ended
    assert alexa.reminders == {}
    done = couple.intent("AMAZON.YesIntent")
    assert "Every Sunday at 8 pm" in done.text
    assert "ask Stagewise to start our weekly reconnect" in done.text
    [(token, body)] = alexa.reminders.items()
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-22T20:00:00",
        "timeZoneId": NY,
        "recurrence": {"recurrenceRules": ["FREQ=WEEKLY;BYDAY=SU;BYHOUR=20;BYMINUTE=0;BYSECOND=0"]},
    }
    text = body["alertInfo"]["spokenInfo"]["content"][0]["text"]
    assert text.endswith("say: Alexa, ask Stagewise to start our weekly reconnect.")
    ritual = stored(couple).ritual
    assert (ritual.reminder_token, ritual.reminder_day, ritual.reminder_time) == (
        token,
        "SU",
        "20:00",
    )
    status = couple.intent("ReminderStatusIntent", new_session=True)
    assert "every Sunday at 8 pm" in status.text


def test_a_no_makes_nothing(sqlite_store: SqliteStore, settings: Settings) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="friday")
    reply = couple.intent("AMAZON.NoIntent")
    assert "no reminder" in reply.text and reply.ended
    assert alexa.reminders == {} and not stored(couple).ritual.has_reminder


def test_without_permission_alexa_asks_for_it_and_accepted_makes_the_reminder(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings, permitted=False)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    asking = couple.intent("AMAZON.YesIntent")
    [directive] = asking.response["directives"]
    assert directive["type"] == "Connections.SendRequest" and directive["name"] == "AskFor"
    scopes = directive["payload"]["permissionScopes"]
    assert scopes == [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}]
    assert "reprompt" not in asking.response
    alexa.permitted = True  # the couple said yes to Alexa
    done = couple.send(permission_answer("ACCEPTED"))
    assert "Every Sunday at 8 pm" in done.text
    assert len(alexa.reminders) == 1 and stored(couple).ritual.has_reminder


def test_a_denied_permission_leaves_a_card_and_nothing_stored(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    for status in ("DENIED", "NOT_ANSWERED"):
        couple, alexa = new_york_couple(sqlite_store, settings, permitted=False)
        couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
        couple.intent("AMAZON.YesIntent")
        reply = couple.send(permission_answer(status))
        assert reply.response["card"] == {
            "type": "AskForPermissionsConsent",
            "permissions": [REMINDERS_SCOPE],
        }
        assert "nothing was set" in reply.text and reply.ended
        assert alexa.reminders == {} and not stored(couple).ritual.has_reminder


def test_an_api_failure_is_said_plainly_and_changes_nothing(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    alexa.failure = Throttled("POST /v1/alerts/reminders answered 429")
    reply = couple.intent("AMAZON.YesIntent")
    assert "nothing has changed" in reply.text
    assert not stored(couple).ritual.has_reminder


def test_move_and_cancel(sqlite_store: SqliteStore, settings: Settings) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    asked = couple.intent("MoveReminderIntent", new_session=True, day="friday", time="19:00")
    assert "every Friday at 7 pm" in asked.text
    moved = couple.intent("AMAZON.YesIntent")
    assert "now every Friday at 7 pm" in moved.text
    [body] = alexa.reminders.values()
    assert body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=FR;BYHOUR=19;BYMINUTE=0;BYSECOND=0"
    ]
    assert stored(couple).ritual.reminder_day == "FR"
    alexa.failure = Throttled("busy")
    failed = couple.intent("CancelReminderIntent", new_session=True)
    assert "nothing has changed" in failed.text and stored(couple).ritual.has_reminder
    alexa.failure = None
    cancelled = couple.intent("CancelReminderIntent", new_session=True)
    assert "reminder is off" in cancelled.text
    assert alexa.reminders == {} and not stored(couple).ritual.has_reminder


def test_deleted_in_the_app_or_permission_withdrawn_keeps_the_profile_true(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    token = stored(couple).ritual.reminder_token
    couple.device.end_session()
    other = {"type": "Reminders.ReminderDeleted", "body": {"alertTokens": ["someone-else"]}}
    reply = couple.send(other)
    assert "outputSpeech" not in reply.response and stored(couple).ritual.has_reminder
    couple.send({"type": "Reminders.ReminderDeleted", "body": {"alertTokens": [token]}})
    assert not stored(couple).ritual.has_reminder
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    assert stored(couple).ritual.has_reminder
    withdrawn = {
        "type": "AlexaSkillEvent.SkillPermissionChanged",
        "body": {"acceptedPermissions": [{"scope": "read::alexa:device:all:address"}]},
    }
    reply = couple.send(withdrawn)
    assert "outputSpeech" not in reply.response
    assert not stored(couple).ritual.has_reminder


def test_the_gentle_offer_comes_once_after_the_third_shared_evening(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    texts = []
    for _ in range(4):
        couple.later(days=1)
        couple.launch()
        couple.answer("the walk")
        texts.append(couple.answer("the talk"))
        if not texts[-1].ended:
            assert "A weekly reminder can help" in texts[-1].text
            assert "every Sunday at 8 pm, once a week" in texts[-1].text
            couple.intent("AMAZON.NoIntent")
    assert [t.ended for t in texts] == [True, True, False, True]
    assert alexa.reminders == {} and stored(couple).ritual.offered


def test_the_weekly_reconnect_recaps_the_week_and_offers_tonight(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, _ = new_york_couple(sqlite_store, settings)
    tips = CONTENT.stage(1).tips
    quiet = couple.intent("ReconnectIntent", new_session=True)
    assert says(quiet, "reconnect.quiet_week") and says(quiet, "offer.question"), quiet.text
    couple.intent("AMAZON.StopIntent")
    couple.later(days=4)  # Sunday 19:00 local
    couple.launch()
    couple.both_answer(maya="the walk by the river", jordan="cooking together")
    couple.later(days=7)  # the next Sunday
    reply = couple.intent("ReconnectIntent", new_session=True)
    assert "On Sunday, November 22" in reply.text, reply.text
    assert "the walk by the river" in reply.text
    assert couple.awaiting == "question_offer"
    question = couple.intent("AMAZON.YesIntent")
    asked = couple.whose_turn()
    assert asked is not None and asked.title() in question.text
    # The week's tip comes with tonight's question (a week after the last), never from the
    # reconnect itself: one rule, one place.
    assert not any(tip in quiet.text or tip in reply.text for tip in tips)
    assert sum(tip in question.text for tip in tips) == 1


def test_a_lost_answer_is_never_told_as_nothing_changed_and_a_retry_makes_no_second(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    alexa.lost = OutcomeUnknown("POST /v1/alerts/reminders timed out")  # made, answer lost
    unsure = couple.intent("AMAZON.YesIntent")
    alexa.lost = None
    assert says(unsure, "reminder.unsure") and not says(unsure, "reminder.failed")
    assert len(alexa.reminders) == 1 and not stored(couple).ritual.has_reminder
    status = couple.intent("ReminderStatusIntent", new_session=True)  # "I'll check"
    assert says(status, "reminder.status", day="Sunday", time="8 pm")
    [token] = alexa.reminders
    assert stored(couple).ritual.reminder_token == token  # noted once found
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    again = couple.intent("AMAZON.YesIntent")
    assert says(again, "reminder.moved", day="Sunday", time="8 pm")
    assert list(alexa.reminders) == [token]


def test_a_reminder_the_profile_lost_is_found_to_set_and_to_cancel(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    [token] = alexa.reminders
    profile = stored(couple)  # the note is lost (a write that never landed)
    sqlite_store.put_profile(profile.with_changes(ritual=profile.ritual.without_reminder()))
    couple.intent("SetReminderIntent", new_session=True, day="friday", time="19:00")
    moved = couple.intent("AMAZON.YesIntent")
    assert says(moved, "reminder.set", day="Friday", time="7 pm")
    assert list(alexa.reminders) == [token] and stored(couple).ritual.reminder_token == token
    profile = stored(couple)
    sqlite_store.put_profile(profile.with_changes(ritual=profile.ritual.without_reminder()))
    cancelled = couple.intent("CancelReminderIntent", new_session=True)
    assert says(cancelled, "reminder.cancelled") and alexa.reminders == {}


def test_forgetting_everything_deletes_the_reminder_or_says_it_may_remain(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    couple.intent("DeleteAllIntent", new_session=True)
    done = couple.intent("AMAZON.YesIntent")
    assert says(done, "forget.reminder_off") and says(done, "forget.goodbye")
    assert alexa.reminders == {}
    couple.onboard("maya", "jordan")
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    alexa.failure = Throttled("DELETE answered 429")
    couple.intent("DeleteAllIntent", new_session=True)
    plain = couple.intent("AMAZON.YesIntent")
    assert says(plain, "forget.reminder_remains") and len(alexa.reminders) == 1
    assert stored_or_none(couple) is None  # the records went all the same


def stored_or_none(couple: Couple) -> Profile | None:
    return couple.app.services.store.get_profile(couple.device.user_id)


def test_status_is_what_alexa_has_and_sets_the_note_right(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    couple, alexa = new_york_couple(sqlite_store, settings)
    couple.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    couple.intent("AMAZON.YesIntent")
    alexa.reminders.clear()  # deleted in the Alexa app, its event missed
    status = couple.intent("ReminderStatusIntent", new_session=True)
    assert says(status, "reminder.none") and not stored(couple).ritual.has_reminder
    couple.intent("AMAZON.NoIntent")
    alexa.failure = Throttled("GET answered 429")
    unknown = couple.intent("ReminderStatusIntent", new_session=True)
    assert says(unknown, "reminder.status_unknown")


def test_weekly_reminders_are_read_from_a_listing() -> None:
    rule = Schedule("WE", 19, 30).rule
    alerts = [
        {"alertToken": "a", "status": "ON", "trigger": {"recurrence": {"recurrenceRules": [rule]}}},
        {
            "alertToken": "b",
            "status": "COMPLETED",
            "trigger": {"recurrence": {"recurrenceRules": [rule]}},
        },
        {"alertToken": "c", "status": "ON", "trigger": {"type": "SCHEDULED_ABSOLUTE"}},
        {
            "alertToken": "d",
            "trigger": {"recurrence": {"recurrenceRules": ["FREQ=WEEKLY;BYDAY=XX"]}},
        },
        {"status": "ON"},
        "not an alert",
    ]
    assert weekly_reminders([a for a in alerts if isinstance(a, dict)]) == [
        Weekly("a", Schedule("WE", 19, 30)),
        Weekly("d", None),
    ]
    for schedule in (Schedule("SU", 20), Schedule("MO", 0, 5), Schedule("SA", 23, 59)):
        assert Schedule.from_rule(schedule.rule) == schedule
    assert Schedule.from_rule("FREQ=DAILY;BYHOUR=8") is None
    assert Schedule.from_rule("FREQ=WEEKLY;BYDAY=SU;BYHOUR=25;BYMINUTE=0") is None
