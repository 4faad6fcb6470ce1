"""A Lambda turn loads the runtime only: the tooling stays out of cold starts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from stagewise_tools.alexa_requests import Device, launch

ROOT = Path(__file__).resolve().parents[1]

# Tooling a turn must never import: the stagewise_tools package (console, narration,
# packaging, previews), gTTS, and S3-only modules.
TOOLING = ("stagewise_tools", "gtts", "boto3.s3", "s3transfer", "mypy_boto3_s3")

ONE_LAUNCH = textwrap.dedent(
    """
    import json, sys

    from skill.app import build_skill, handle_event
    from skill.config import Settings

    skill = build_skill(Settings(store_url="sqlite:///:memory:"))
    response = handle_event(skill, json.loads(sys.stdin.read()))
    print(json.dumps({"response": response, "modules": sorted(sys.modules)}))
    """
)


def test_a_launch_turn_loads_no_tooling() -> None:
    device = Device()  # the envelope is built here, so the turn's process never loads tooling
    device.new_session()
    result = subprocess.run(
        [sys.executable, "-c", ONE_LAUNCH],
        input=json.dumps(device.envelope(launch(), datetime.now(UTC))),
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
