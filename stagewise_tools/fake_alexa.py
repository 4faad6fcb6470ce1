"""A stand-in for the Alexa APIs: the console and the tests talk to it instead of Amazon.

One `FakeAlexa` is one Alexa account: its device's zone, whether the reminders
permission was granted, and the reminders the skill made. `client` is the factory
`Services.alexa_api` expects; `calls` counts what the skill asked. `failure` fails every
call before it does anything; `lost` fails a change after it is made (its answer lost).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from skill.alexa_api import AlexaApi, AlexaApiError, NoPermission, NotFound


@dataclass
class FakeAlexa:
    zone: str = "UTC"
    permitted: bool = False  # the reminders permission
    reminders: dict[str, dict[str, Any]] = field(default_factory=dict)  # alert token -> body
    calls: list[str] = field(default_factory=list)
    failure: AlexaApiError | None = None  # raised by every call while set
    lost: AlexaApiError | None = None  # raised by every change after it is made
    _tokens: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def client(self, endpoint: str, token: str) -> AlexaApi:
        return _Client(self)


class _Client:
    def __init__(self, account: FakeAlexa) -> None:
        self.account = account

    def _call(self, name: str, needs_permission: bool = False) -> None:
        self.account.calls.append(name)
        if self.account.failure is not None:
            raise self.account.failure
        if needs_permission and not self.account.permitted:
            raise NoPermission(f"{name} answered 401")

    def time_zone(self, device_id: str) -> str:
        self._call("time_zone")
        return self.account.zone

    def create_reminder(self, reminder: dict[str, Any]) -> str:
        self._call("create_reminder", needs_permission=True)
        token = f"alert-{next(self.account._tokens)}"
        self.account.reminders[token] = reminder
        self._answer_lost()
        return token

    def list_reminders(self) -> list[dict[str, Any]]:
        """The skill's reminders as the Reminders API lists them (its "alerts")."""
        self._call("list_reminders", needs_permission=True)
        return [
            {"alertToken": token, "status": "ON", "version": "1", **body}
            for token, body in self.account.reminders.items()
        ]

    def update_reminder(self, alert_token: str, reminder: dict[str, Any]) -> None:
        self._call("update_reminder", needs_permission=True)
        if alert_token not in self.account.reminders:
            raise NotFound("update_reminder answered 404")
        self.account.reminders[alert_token] = reminder
        self._answer_lost()

    def delete_reminder(self, alert_token: str) -> None:
        self._call("delete_reminder", needs_permission=True)
        if self.account.reminders.pop(alert_token, None) is None:
            raise NotFound("delete_reminder answered 404")
        self._answer_lost()

    def _answer_lost(self) -> None:
        if self.account.lost is not None:
            raise self.account.lost
