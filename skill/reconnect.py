"""The weekly reconnect as plain data: the couple's zone, their reminder, and its body.

`Ritual` is the one nested field of the profile this feature keeps (see skill.records).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # date.weekday() order
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_DAY, DEFAULT_HOUR = "SU", 20  # "set up our weekly reconnect": Sunday at 8 pm
OFFER_AFTER_EVENINGS = 3  # the gentle offer comes after the third shared evening


@dataclass(frozen=True)
class Ritual:
    """The couple's own evening: their device's zone and their weekly reminder."""

    time_zone: str = ""  # IANA name from the device; "" until known (read as UTC)
    tz_checked_on: date | None = None  # the evening the zone was last asked for
    reminder_token: str = ""  # the Alexa alert token of their weekly reminder
    reminder_day: str = ""  # "SU".."SA"
    reminder_time: str = ""  # "20:00", local
    offered: bool = False  # the gentle offer was made (never again after it)

    @property
    def has_reminder(self) -> bool:
        return bool(self.reminder_token)

    def with_changes(self, **changes: Any) -> Ritual:
        return replace(self, **changes)

    def without_reminder(self) -> Ritual:
        return replace(self, reminder_token="", reminder_day="", reminder_time="")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tz_checked_on"] = self.tz_checked_on.isoformat() if self.tz_checked_on else ""
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Ritual:
        data = data or {}
        checked = data.get("tz_checked_on")
        return cls(
            time_zone=str(data.get("time_zone", "")),
            tz_checked_on=date.fromisoformat(str(checked)) if checked else None,
            reminder_token=str(data.get("reminder_token", "")),
            reminder_day=str(data.get("reminder_day", "")),
            reminder_time=str(data.get("reminder_time", "")),
            offered=bool(data.get("offered", False)),
        )


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Schedule(NamedTuple):
    """A weekly time: a weekday and a local hour and minute."""

    day: str  # "SU".."SA"
    hour: int
    minute: int = 0

    @property
    def day_name(self) -> str:
        return DAY_NAMES[WEEKDAYS.index(self.day)]

    @property
    def clock(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def rule(self) -> str:
        return f"FREQ=WEEKLY;BYDAY={self.day};BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND=0"

    def spoken_time(self) -> str:
        """ "8 pm", "7:30 pm": the time as it is said."""
        suffix = "am" if self.hour < 12 else "pm"
        hour = self.hour % 12 or 12
        return f"{hour} {suffix}" if not self.minute else f"{hour}:{self.minute:02d} {suffix}"

    def next_after(self, now_local: datetime) -> datetime:
        """The next local time this schedule falls on, after `now_local` (zone-aware)."""
        days = (WEEKDAYS.index(self.day) - now_local.weekday()) % 7
        candidate = (now_local + timedelta(days=days)).replace(
            hour=self.hour, minute=self.minute, second=0, microsecond=0
        )
        return candidate if candidate > now_local else candidate + timedelta(days=7)

    @classmethod
    def from_rule(cls, rule: str) -> Schedule | None:
        """The weekly schedule of an RRULE such as `rule` makes; None for any other rule."""
        fields = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
        try:
            hour, minute = int(fields.get("BYHOUR", "")), int(fields.get("BYMINUTE", "0"))
        except ValueError:
            return None
        day = fields.get("BYDAY", "")
        if fields.get("FREQ") != "WEEKLY" or day not in WEEKDAYS:
            return None
        if not (0 <= hour < 24 and 0 <= minute < 60):
            return None
        return cls(day, hour, minute)

    @classmethod
    def of(cls, ritual: Ritual) -> Schedule | None:
        if not ritual.reminder_day or not ritual.reminder_time:
            return None
        hour, minute = (int(part) for part in ritual.reminder_time.split(":"))
        return cls(ritual.reminder_day, hour, minute)


def parse_day(value: str | None) -> str | None:
    """A spoken weekday ("sunday", "fridays") or an AMAZON.DATE weekday date, as "SU".."SA"."""
    if not value:
        return None
    text = value.strip().lower().rstrip("s")
    for code, name in zip(WEEKDAYS, DAY_NAMES, strict=True):
        if text == name.lower():
            return code
    try:
        return WEEKDAYS[date.fromisoformat(value.strip()).weekday()]
    except ValueError:
        return None


def parse_time(value: str | None) -> tuple[int, int] | None:
    """An AMAZON.TIME value ("20:00", "19:30"; "EV" means evening: 8 pm) as (hour, minute)."""
    if not value:
        return None
    text = value.strip().upper()
    if text in ("EV", "NI"):
        return DEFAULT_HOUR, 0
    try:
        hour, minute = (int(part) for part in text.split(":")[:2])
    except ValueError:
        return None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return hour, minute


def reminder_body(
    schedule: Schedule, zone_name: str, now_local: datetime, text: str, locale: str
) -> dict[str, Any]:
    """The Reminders API body of a weekly reminder in the couple's zone."""
    first = schedule.next_after(now_local)
    return {
        "requestTime": now_local.replace(tzinfo=None).isoformat(timespec="seconds"),
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": first.replace(tzinfo=None).isoformat(timespec="seconds"),
            "timeZoneId": zone_name or "UTC",
            "recurrence": {"recurrenceRules": [schedule.rule]},
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale or "en-US", "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }
