"""Operator settings, read from the environment once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple


def aws_region(env: Mapping[str, str] = os.environ) -> str | None:
    """The AWS region as the AWS SDKs read it, for boto3, which reads only one of the two.

    botocore takes AWS_DEFAULT_REGION (then the config file) and ignores AWS_REGION, the
    variable the other AWS SDKs and the AWS CLI v2 read. The Lambda runtime sets both; a
    laptop often only AWS_REGION. None leaves the choice to boto3's config file.
    """
    return env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or None


def default_store_url() -> str:
    """A SQLite file in the user's data directory: runs with no AWS account."""
    from platformdirs import user_data_dir  # only needed when no store is configured

    return f"sqlite:///{Path(user_data_dir('stagewise')) / 'stagewise.db'}"


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Settings(NamedTuple):
    store_url: str
    skill_id: str | None = None
    audio_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        audio = env.get("STAGEWISE_AUDIO_BASE_URL") or None
        if audio and not audio.startswith("https://"):
            raise ValueError(
                "STAGEWISE_AUDIO_BASE_URL must be an https:// URL (Alexa plays only HTTPS audio)"
            )
        return cls(
            store_url=env.get("STAGEWISE_STORE") or default_store_url(),
            skill_id=env.get("STAGEWISE_SKILL_ID") or None,
            audio_base_url=audio.rstrip("/") if audio else None,
        )
