"""A Lambda turn loads the runtime only: the narration tooling stays out of cold starts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Build tooling a turn must never import: the narration package, gTTS, and S3-only modules.
TOOLING = ("skill.narration", "gtts", "boto3.s3", "s3transfer", "mypy_boto3_s3")

ONE_LAUNCH = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime

    from skill.app import build_skill, handle_event
    from skill.config import Settings
    from skill.envelope import Device, launch

    skill = build_skill(Settings(store_url="sqlite:///:memory:"))
    device = Device()
    device.new_session()
    response = handle_event(skill, device.envelope(launch(), datetime.now(UTC)))
    print(json.dumps({"response": response, "modules": sorted(sys.modules)}))
    """
)


def test_a_launch_turn_loads_no_narration_tooling() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ONE_LAUNCH],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(result.stdout)
    # The turn really ran: the couple was greeted.
    assert "<speak>" in loaded["response"]["response"]["outputSpeech"]["ssml"]
    modules = loaded["modules"]
    assert "skill.narration_clips" in modules  # the one narration module a turn needs
    tooling = [m for m in modules if any(m == t or m.startswith(f"{t}.") for t in TOOLING)]
    assert tooling == []
