"""The issue's "done when" through lambda_handler: DynamoDB (moto) and Alexa over real HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from skill.alexa_api import REMINDERS_SCOPE, HttpAlexaApi
from stagewise_tools.fake_alexa import FakeAlexa
from tests.alexa_https import amazon_over_https
from tests.conversation import Couple, Reply
from tests.test_lambda import RoundTrips

NY = ZoneInfo("America/New_York")


def test_new_york_weekly_reconnect_through_lambda_dynamodb_and_https_alexa(
    lambda_module: ModuleType,
    tmp_path: Path,
) -> None:
    account = FakeAlexa(zone="America/New_York", permitted=False)
    with amazon_over_https(account, tmp_path) as (endpoint, trusting):
        services = lambda_module.SKILL.services
        services.alexa_api = lambda base, token: HttpAlexaApi(base, token, ssl_context=trusting)
        trips = RoundTrips(services.store.client)
        start = datetime(2026, 11, 22, 18, 40, tzinfo=NY).astimezone(UTC)
        couple = Couple(
            lambda_module.SKILL,
            now=start,
            handler=lambda event: lambda_module.lambda_handler(event, None),
        )
        couple.device.api_token, couple.device.api_endpoint = "in-session-token", endpoint

        def turn(step: Any, label: str) -> Reply:
            calls = len(account.calls)
            reply: Reply = step()
            assert trips.take() <= 2, f"{label}: DynamoDB round trips"
            # One call, two on a reminder turn (list before making: skill.reminders).
            assert len(account.calls) - calls <= 2, f"{label}: Alexa API calls"
            return reply

        turn(lambda: couple.launch(), "launch")
        turn(lambda: couple.intent("NamesIntent", first_name="maya"), "first name")
        turn(lambda: couple.intent("NamesIntent", first_name="jordan"), "second name")
        turn(lambda: couple.intent("AMAZON.YesIntent"), "tonight's question")
        couple.later(minutes=10)  # 18:50 local
        turn(lambda: couple.launch(), "back at 18:50")
        turn(lambda: couple.answer("the walk by the river"), "Maya answers")
        couple.later(minutes=15)  # 19:05 local, 00:05 UTC on Monday
        back = turn(lambda: couple.launch(), "back at 19:05")
        assert "Jordan, " in back.text, back.text
        turn(lambda: couple.answer("cooking together"), "Jordan answers")
        assert account.calls.count("time_zone") == 1

        asked = turn(
            lambda: couple.intent(
                "SetReminderIntent", new_session=True, day="sunday", time="20:00"
            ),
            "remind us every sunday at eight pm",
        )
        assert "every Sunday at 8 pm, once a week" in asked.text
        permission = turn(lambda: couple.intent("AMAZON.YesIntent"), "yes")
        assert permission.response["directives"][0]["name"] == "AskFor"
        account.permitted = True
        answer = {
            "type": "Connections.Response",
            "name": "AskFor",
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": REMINDERS_SCOPE, "status": "ACCEPTED"},
            "token": "SU 20:00",
        }
        made = turn(lambda: couple.send(answer), "permission accepted")
        assert "Every Sunday at 8 pm" in made.text
        [body] = account.reminders.values()
        assert body["trigger"]["timeZoneId"] == "America/New_York"
        assert body["trigger"]["scheduledTime"] == "2026-11-22T20:00:00"

        couple.later(days=7)  # the next Sunday, 19:06 local
        reconnect = turn(
            lambda: couple.intent("ReconnectIntent", new_session=True), "start our reconnect"
        )
        assert "On Sunday, November 22" in reconnect.text, reconnect.text
        assert "the walk by the river" in reconnect.text and "cooking together" in reconnect.text
        question = turn(lambda: couple.intent("AMAZON.YesIntent"), "tonight's new question")
        asked = couple.whose_turn()  # the partners take turns to go first, evening by evening
        assert asked in ("maya", "jordan") and asked.title() in question.text
