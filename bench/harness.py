"""What every measurement shares: the plan, the local DynamoDB and the two skills loaded on it.

`open_bench` starts moto behind the counting proxy, creates one table, points both skills at
it through the proxy (so both pay the same hop) and loads their Lambda entry files as Lambda
does. Whatever it starts is stopped by the caller's ExitStack, on error too.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
from botocore.config import Config

from bench import baseline
from bench.driver import BenchError, LambdaHandler
from bench.dynamo_local import FAKE_AWS, CountingProxy, MotoServer
from skill.store.dynamodb import CLIENT_CONFIG, DynamoStore

REPO = Path(__file__).resolve().parents[1]
SKILLS = ("stagewise", "baseline")
LAMBDA_MODULES = {
    "stagewise": REPO / "lambda" / "lambda_function.py",
    "baseline": REPO / "bench" / "baseline_lambda.py",
}
# Loading only: a 10,000-item partition makes moto slow, so allow more than production does.
LOADING_CONFIG = Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 2})


@dataclass(frozen=True)
class Plan:
    """How much to run: the full benchmark, or the quick proof that it still works."""

    quick: bool
    turn_runs: int
    history_runs: int
    cold_runs: int
    profile_runs: int
    warmup_runs: int = 3


# Cold starts vary by ±20 % from one process to the next here: 30 each keeps the median steady
# enough to tell a few per cent apart (issue 21 asks for "at or below the floor").
FULL = Plan(quick=False, turn_runs=200, history_runs=100, cold_runs=30, profile_runs=30)
QUICK = Plan(quick=True, turn_runs=20, history_runs=10, cold_runs=3, profile_runs=5)


@dataclass
class Bench:
    """What the measurements share: the plan, the local DynamoDB and the two skills."""

    plan: Plan
    work: Path
    moto: MotoServer
    proxy: CountingProxy
    table: str
    direct: Any  # a DynamoDB client straight to moto, for loading (not measured, not counted)
    handlers: dict[str, LambdaHandler]
    child_env: dict[str, str]  # for child Python processes measured on the same table
    clean_env: dict[str, str]  # for tools (pip, gunicorn): no AWS or Stagewise settings
    results: dict[str, Any] = field(default_factory=dict)  # each measurement's JSON figures

    def forget(self, household_id: str) -> None:
        """Delete a household's items, untimed and uncounted, straight on moto."""
        # moto's Query scans the whole table and each transaction deep-copies it, so server
        # time grows with the table: keep it the same size from one run to the next.
        DynamoStore(self.direct, self.table).delete_household(household_id)


def user_id(tag: str) -> str:
    """A household nobody has used, so every run does the same work."""
    return f"amzn1.ask.account.bench-{tag}-{uuid.uuid4().hex}"


def load_lambda_module(name: str, path: Path) -> ModuleType:
    """Import a Lambda entry file as Lambda does: by path, configured by the environment."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}_lambda", path)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_same_client_config() -> None:
    """The floor must use Stagewise's timeouts and retries, or the ratio compares configs."""
    fields = ("connect_timeout", "read_timeout", "retries")
    ours = {name: getattr(baseline.CLIENT_CONFIG, name) for name in fields}
    theirs = {name: getattr(CLIENT_CONFIG, name) for name in fields}
    if ours != theirs:
        raise BenchError(
            f"bench/baseline.py CLIENT_CONFIG {ours} differs from Stagewise's {theirs}"
        )


def open_bench(plan: Plan, work: Path, running: ExitStack) -> Bench:
    """Start the local DynamoDB (stopped with `running`), create the table, load both skills."""
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "STAGEWISE_")) and k != "PYTHONPATH"
    }
    os.environ.update(FAKE_AWS)
    os.environ.pop("STAGEWISE_SKILL_ID", None)
    os.environ.pop("STAGEWISE_AUDIO_BASE_URL", None)
    moto = running.enter_context(MotoServer(work / "moto.log"))
    proxy = running.enter_context(CountingProxy(moto.port))
    direct = boto3.session.Session().client(
        "dynamodb", endpoint_url=moto.url, config=LOADING_CONFIG
    )
    table = f"stagewise-bench-{uuid.uuid4().hex[:8]}"
    DynamoStore(direct, table).create()
    # Both skills reach DynamoDB only through the proxy, so both pay the same hop.
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.url
    os.environ["STAGEWISE_STORE"] = f"dynamodb://{table}"
    check_same_client_config()
    handlers = {
        name: load_lambda_module(name, path).lambda_handler for name, path in LAMBDA_MODULES.items()
    }
    child_env = {
        **{k: v for k, v in clean_env.items() if k != "PYTHONDONTWRITEBYTECODE"},
        **FAKE_AWS,
        "AWS_ENDPOINT_URL_DYNAMODB": proxy.url,
        "STAGEWISE_STORE": f"dynamodb://{table}",
        "PYTHONPATH": str(REPO),
        # Cold starts compare imports, not compiling: every module (Stagewise's, the
        # baseline's, the libraries') gets its bytecode cached here by the discarded first
        # run, outside the checkout, whatever PYTHONDONTWRITEBYTECODE says.
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
    }
    return Bench(plan, work, moto, proxy, table, direct, handlers, child_env, clean_env)
