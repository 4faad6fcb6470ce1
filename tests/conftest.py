"""Shared fixtures: stores (SQLite, DynamoDB over HTTP), the skill, a couple to talk to it."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

# Before numpy is first imported (as skill.safety.encoder does in a turn): see there.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import boto3
import pytest
import requests
from botocore.config import Config

from skill.app import Stagewise, build_skill
from skill.config import Settings
from skill.store import Store
from skill.store.dynamodb import DynamoStore
from skill.store.sqlite import SqliteStore
from tests.closing import ClosingKeys
from tests.conversation import Couple

ROOT = Path(__file__).resolve().parents[1]

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# A local server can be slow on its first calls; production keeps its short timeouts
# (skill.store.dynamodb.CLIENT_CONFIG, checked in test_store.py).
TEST_CLIENT_CONFIG = Config(
    connect_timeout=2, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 2}
)


@pytest.fixture(autouse=True)
def alexa_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the real Alexa API: the envelopes in tests/events carry Amazon's
    apiEndpoint, and the production client would otherwise try it (its lookup fails here
    as an unreachable name does)."""
    from skill import alexa_api

    real = alexa_api._resolve

    def loopback_only(host: str, port: int, deadline: float) -> list[Any]:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"tests call no Alexa API but the fake on loopback, not {host}")
        return real(host, port, deadline)

    monkeypatch.setattr(alexa_api, "_resolve", loopback_only)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def aws_env() -> Iterator[dict[str, str]]:
    """Fake credentials so nothing here can reach a real AWS account."""
    saved = {k: os.environ.get(k) for k in FAKE_AWS}
    os.environ.update(FAKE_AWS)
    yield FAKE_AWS
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def moto_endpoint(
    aws_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A moto server in its own process on loopback: boto3 makes real HTTP calls to it."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"moto server did not start; see {log.name}") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def dynamodb_client(moto_endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.session.Session(region_name="us-east-1").client(
        "dynamodb", endpoint_url=moto_endpoint, config=TEST_CLIENT_CONFIG
    )


@pytest.fixture
def dynamo_store(dynamodb_client) -> DynamoStore:  # type: ignore[no-untyped-def]
    store = DynamoStore(dynamodb_client, table=f"stagewise-{uuid.uuid4().hex[:8]}")
    store.create()
    return store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "stagewise.db")


@pytest.fixture(params=["sqlite", "dynamo"])
def store(request: pytest.FixtureRequest) -> Store:
    """Every store test runs against both implementations."""
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


@pytest.fixture
def settings() -> Settings:
    return Settings(store_url="sqlite:///:memory:")


@pytest.fixture
def app(sqlite_store: SqliteStore, settings: Settings) -> Stagewise:
    return build_skill(settings, store=sqlite_store)


@pytest.fixture
def couple(app: Stagewise) -> Couple:
    return Couple(app)


@pytest.fixture
def lambda_module(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, dynamodb_client: Any
) -> ModuleType:
    """Import lambda_function.py as Lambda would, configured only through the environment."""
    table = f"stagewise-{uuid.uuid4().hex[:8]}"
    DynamoStore(dynamodb_client, table).create()
    monkeypatch.setenv("STAGEWISE_STORE", f"dynamodb://{table}")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_endpoint)
    monkeypatch.delenv("STAGEWISE_SKILL_ID", raising=False)
    spec = importlib.util.spec_from_file_location(
        f"lambda_function_{table}", ROOT / "lambda" / "lambda_function.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def closing_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClosingKeys]:
    """Every test: no response that ends the session may say a line that asks something
    (any of the line's variants, in the request's locale). See tests/closing.py."""
    recorder = ClosingKeys()
    recorder.install(monkeypatch)
    yield recorder
    asking = list(recorder.asking())
    assert not asking, "a response that ends the session asks something:\n" + "\n".join(asking)
