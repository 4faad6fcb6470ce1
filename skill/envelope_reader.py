"""The SDK's serializer, reading Alexa's envelopes with less work per turn.

ask-sdk-core's DefaultSerializer parses every timestamp with dateutil's general parser and
finds each model class by importing its module by name, every time; its `deserialize`
takes a JSON string, so a Lambda event (already a dict) is dumped and parsed again. On a
turn that makes no call (help, repeat) that is most of the time spent. This subclass reads
the dict as it is, takes Alexa's ISO 8601 timestamps with `datetime.fromisoformat` (the
general parser still takes anything else), and remembers the classes it has found. The
results are the SDK's own model objects, field for field.

The two hooks override methods the SDK names privately (`__deserialize_datetime`,
`__load_class_from_name`, so `_DefaultSerializer__...` from here); if a later SDK renames
them, its own methods run again and only the speed is lost (tests/test_cold_start.py
checks the hooks are in use).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from ask_sdk_core.serialize import DefaultSerializer

T = TypeVar("T")


class EnvelopeSerializer(DefaultSerializer):
    """DefaultSerializer, with ISO timestamps read directly and model classes remembered."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, Any] = {}

    def from_event(self, event: dict[str, Any], kind: type[T]) -> T:
        """A model object from a Lambda event (a dict), without a JSON round trip."""
        result: T = self._DefaultSerializer__deserialize(event, kind)  # type: ignore[attr-defined]
        return result

    def _DefaultSerializer__deserialize_datetime(self, payload: Any, kind: Any) -> Any:
        """Alexa's timestamps ("2026-11-16T20:00:15Z") by fromisoformat; others as the SDK."""
        if isinstance(payload, str):
            try:
                moment = datetime.fromisoformat(payload)
            except ValueError:
                pass
            else:
                return moment.date() if kind is date else moment
        return super()._DefaultSerializer__deserialize_datetime(payload, kind)  # type: ignore[misc]

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:
        """The model class a type name names, imported once per name."""
        found = self.classes.get(class_name)
        if found is None:
            found = super()._DefaultSerializer__load_class_from_name(class_name)  # type: ignore[misc]
            self.classes[class_name] = found
        return found
