"""Which narration clips exist: read from the packaged copy of audio/manifest.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

# Beside this module in the package (the zip is unpacked to a folder on Lambda).
MANIFEST = Path(__file__).with_name("audio_manifest.json")


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Clip(NamedTuple):
    """A rendered clip of one content key: its file, the hash of its text, its length."""

    file: str
    text_sha256: str
    seconds: float


def load_clips() -> dict[str, Clip]:
    """Clips listed in the manifest; none when it is missing or unreadable (Alexa speaks)."""
    try:
        raw = json.loads(MANIFEST.read_text(encoding="utf-8"))
        return {
            key: Clip(
                file=str(c["file"]),
                text_sha256=str(c["text_sha256"]),
                seconds=float(c["duration_s"]),
            )
            for key, c in raw["clips"].items()
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}
