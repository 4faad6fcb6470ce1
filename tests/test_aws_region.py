"""The AWS region as the AWS SDKs read it: AWS_REGION works where AWS_DEFAULT_REGION is unset."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

import boto3
import pytest

from skill.config import aws_region
from skill.store.dynamodb import dynamodb_client
from stagewise_tools.narration.publish import s3_client

REGION_VARIABLES = ("AWS_DEFAULT_REGION", "AWS_REGION")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AWS_REGION": "eu-west-1"}, "eu-west-1"),  # a laptop: the README's command
        ({"AWS_DEFAULT_REGION": "ap-south-1"}, "ap-south-1"),
        ({"AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "eu-west-1"}, "ap-south-1"),  # boto3's
        ({"AWS_REGION": ""}, None),  # empty is unset; boto3's config file decides
        ({}, None),
    ],
)
def test_the_region_comes_from_either_variable(env: dict[str, str], expected: str | None) -> None:
    assert aws_region(env) == expected


@pytest.fixture
def only_aws_region(monkeypatch: pytest.MonkeyPatch) -> str:
    """A laptop's shell: AWS_REGION set, AWS_DEFAULT_REGION not, no config file to fall back on."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    assert boto3.session.Session().region_name is None  # what botocore alone would do
    return "eu-west-1"


def test_the_dynamodb_and_s3_clients_use_aws_region(only_aws_region: str) -> None:
    assert dynamodb_client().meta.region_name == only_aws_region
    assert s3_client().meta.region_name == only_aws_region


def test_db_create_as_the_readme_writes_it(
    moto_endpoint: str, aws_env: dict[str, str], tmp_path: Any
) -> None:
    """`STAGEWISE_STORE=dynamodb://... AWS_REGION=eu-west-1 stagewise db create`, nothing else."""
    table = f"stagewise-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in REGION_VARIABLES}
    env |= {
        "AWS_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_ENDPOINT_URL_DYNAMODB": moto_endpoint,
        "STAGEWISE_STORE": f"dynamodb://{table}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "stagewise_tools.cli", "db", "create"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"ready: dynamodb://{table}" in result.stdout

    def tables(region: str) -> list[str]:
        client = boto3.session.Session(region_name=region).client(
            "dynamodb", endpoint_url=moto_endpoint
        )
        return list(client.list_tables()["TableNames"])

    assert table in tables("eu-west-1")  # made where AWS_REGION said, not a default
    assert table not in tables("us-east-1")
