"""Child processes the benchmark starts and must always stop: run bounded, stop the group."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from bench.driver import BenchError

REPO = Path(__file__).resolve().parents[1]


def stop_group(process: subprocess.Popen[Any]) -> None:
    """Stop a child we started in its own process group, and anything it left running.

    After a normal exit the group is empty and this returns at once; after a timeout or an
    interrupt it also stops what the child started (gunicorn, pip), which would outlive it.
    """
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    time.sleep(1)  # let grandchildren finish their own SIGTERM shutdown
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=15)


def run_bounded(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str, str]:
    """Run a command in its own process group; stop the whole group afterwards, always."""
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise BenchError(f"{Path(command[1]).name} took longer than {timeout:.0f} s") from err
    finally:
        stop_group(process)
    return process.returncode, stdout, stderr
