"""Request envelopes as Alexa sends them, built sparse: for the console, tests and benchmarks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_SKILL_ID = "amzn1.ask.skill.stagewise-local"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Device:
    """Who is talking to the skill, from where: one Alexa account on one device."""

    user_id: str = "amzn1.ask.account.local-household"
    device_id: str = "amzn1.ask.device.local-console"
    skill_id: str = DEFAULT_SKILL_ID
    locale: str = "en-US"
    session_id: str | None = None
    person_id: str | None = None  # a recognised voice: context.System.person.personId
    attributes: dict[str, Any] = field(default_factory=dict)
    api_token: str | None = None  # context.System.apiAccessToken: set to reach the Alexa APIs
    api_endpoint: str = "https://api.amazonalexa.com"  # context.System.apiEndpoint

    def new_session(self) -> None:
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.attributes = {}

    def end_session(self) -> None:
        self.session_id = None
        self.attributes = {}

    def envelope(self, request: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Wrap a request in session and context the way Alexa does."""
        request = {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": _stamp(now),
            "locale": self.locale,
            **request,
        }
        application = {"applicationId": self.skill_id}
        user = {"userId": self.user_id}
        envelope: dict[str, Any] = {
            "version": "1.0",
            "context": {
                "System": {
                    "application": application,
                    "user": user,
                    "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
                    "apiEndpoint": self.api_endpoint,
                    **({"apiAccessToken": self.api_token} if self.api_token else {}),
                }
            },
            "request": request,
        }
        if self.person_id is not None:
            envelope["context"]["System"]["person"] = {"personId": self.person_id}
        if self.session_id is not None:
            envelope["session"] = {
                "new": not self.attributes and request["type"] != "SessionEndedRequest",
                "sessionId": self.session_id,
                "application": application,
                "user": user,
                "attributes": self.attributes,
            }
        return envelope


def person_id(name: str) -> str:
    """A stable stand-in personId for a speaker's name (console and tests)."""
    return f"amzn1.ask.person.local-{'-'.join(name.lower().split())}"


def launch() -> dict[str, Any]:
    return {"type": "LaunchRequest"}


def intent(
    name: str, slots: dict[str, str | None] | None = None, dialog_state: str | None = None
) -> dict[str, Any]:
    """An IntentRequest; a slot given as None arrives without a value, as Alexa sends it."""
    request: dict[str, Any] = {
        "type": "IntentRequest",
        "intent": {
            "name": name,
            "confirmationStatus": "NONE",
            "slots": {
                slot: {
                    "name": slot,
                    "confirmationStatus": "NONE",
                    **({"value": value} if value is not None else {}),
                }
                for slot, value in (slots or {}).items()
            },
        },
    }
    if dialog_state:
        request["dialogState"] = dialog_state
    return request


def session_ended(reason: str = "USER_INITIATED") -> dict[str, Any]:
    return {"type": "SessionEndedRequest", "reason": reason}


def skill_event(event_type: str) -> dict[str, Any]:
    """An AlexaSkillEvent.*; these come without a session."""
    return {"type": f"AlexaSkillEvent.{event_type}"}
