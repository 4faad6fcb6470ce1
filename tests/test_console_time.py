"""`stagewise chat --timezone`: the Echo's zone, reminders kept by the console's fake Alexa."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from skill.local_time import zone_named
from stagewise_tools.cli import machine_zone

SCRIPT = """\
open stagewise
maya
jordan
yes
the walk by the river
cooking together
remind us on fridays at seven thirty pm
yes
no
/reminders
"""


def chat(tmp_path: Path, *args: str, script: str = SCRIPT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "stagewise_tools.cli",
            "chat",
            "--store",
            f"sqlite:///{tmp_path}/c.db",
            *args,
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_declined_permission_makes_no_reminder_and_says_so(tmp_path: Path) -> None:
    result = chat(
        tmp_path, "--timezone", "America/Los_Angeles", "--now", "2026-11-21T04:00:00"
    )  # Friday 20:00 in Los Angeles
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "every Friday at 7:30 pm, once a week" in out
    assert "Do you allow Stagewise to set reminders?" in out
    assert "nothing was set" in out and "(card in the Alexa app" in out
    assert "(no reminders)" in out


def test_an_unknown_zone_is_refused_clearly(tmp_path: Path) -> None:
    result = chat(tmp_path, "--timezone", "Mars/Olympus_Mons", script="")
    assert result.returncode == 2
    assert "unknown time zone 'Mars/Olympus_Mons'" in result.stderr


def test_the_machine_zone_is_a_real_zone_name() -> None:
    name = machine_zone()
    assert name == "UTC" or zone_named(name).key == name  # type: ignore[attr-defined]
