"""One Alexa request, read once from its envelope into plain typed fields.

Everything a turn needs of the envelope (who, where, when, what was said) is read here,
in one way: the household is `context.System.user.userId` (the session's user only when a
request has no context), and a user ID that storage could not key on is no user at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from ask_sdk_model import IntentRequest, RequestEnvelope

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"  # the one event that deletes a household


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Request(NamedTuple):
    """What was asked, by whom, from which device, and when."""

    kind: str  # "LaunchRequest", "IntentRequest", "AlexaSkillEvent.SkillDisabled", ...
    timestamp: datetime  # "now" for the turn: the request's own time (see _time)
    intent: str | None = None
    slots: Mapping[str, str] = MappingProxyType({})  # spoken values, stripped, non-empty
    request_id: str = ""
    locale: str = ""
    user_id: str | None = None
    skill_id: str | None = None
    person_id: str | None = None  # a voice Alexa recognised (context.System.person)
    device_id: str = ""
    api_endpoint: str = ""
    api_token: str = ""
    has_session: bool = False
    new_session: bool = True  # the session's first request (session.new), or no session
    attributes: Mapping[str, Any] = MappingProxyType({})
    sdk: Any = None  # the SDK's request object, for the few fields of rare requests

    @classmethod
    def from_envelope(cls, envelope: RequestEnvelope) -> Request:
        request = envelope.request
        system = envelope.context.system if envelope.context else None
        session = envelope.session
        intent = request.intent if isinstance(request, IntentRequest) else None
        slots = {
            name: slot.value.strip()
            for name, slot in ((intent.slots or {}) if intent else {}).items()
            if slot is not None and isinstance(slot.value, str) and slot.value.strip()
        }
        person = system.person if system else None
        device = system.device if system else None
        return cls(
            kind=str(getattr(request, "object_type", "") or ""),
            intent=intent.name if intent is not None and intent.name else None,
            slots=slots,
            request_id=str(getattr(request, "request_id", "") or ""),
            timestamp=_time(getattr(request, "timestamp", None)),
            locale=str(getattr(request, "locale", "") or ""),
            user_id=user_of(envelope),
            skill_id=skill_of(envelope),
            person_id=person.person_id if person and person.person_id else None,
            device_id=str(device.device_id or "") if device else "",
            api_endpoint=str(system.api_endpoint or "") if system else "",
            api_token=str(system.api_access_token or "") if system else "",
            has_session=session is not None,
            new_session=session is None or session.new is not False,
            attributes=dict(session.attributes or {}) if session is not None else {},
            sdk=request,
        )


def user_of(envelope: RequestEnvelope) -> str | None:
    """The Alexa account (the household); None when absent or not a key storage can hold."""
    system = envelope.context.system if envelope.context else None
    user = system.user if system and system.user else envelope.session and envelope.session.user
    user_id = user.user_id if user else None
    if not isinstance(user_id, str) or not user_id:
        return None
    try:
        user_id.encode("utf-8")  # a lone surrogate is no Alexa user: storage cannot key on it
    except UnicodeEncodeError:
        return None
    return user_id


def skill_of(envelope: RequestEnvelope) -> str | None:
    """The skill ID a request is addressed to (context first, then session)."""
    system = envelope.context.system if envelope.context else None
    if system and system.application:
        return system.application.application_id
    if envelope.session and envelope.session.application:
        return envelope.session.application.application_id
    return None


def _time(stamp: object) -> datetime:
    """'Now' is the request's timestamp, so a conversation replays exactly."""
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return datetime.now(UTC)
