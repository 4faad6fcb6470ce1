"""Lambda entry point of the bare baseline: built once per container, as Stagewise's is."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3

# Loaded by file path (as lambda_function.py is); make `bench` importable from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.baseline import CLIENT_CONFIG, build_lambda_handler  # noqa: E402

# The same table Stagewise uses: STAGEWISE_STORE=dynamodb://TABLE (AWS_ENDPOINT_URL_DYNAMODB
# and the credentials come from the usual AWS chain, as for Stagewise).
TABLE = os.environ["STAGEWISE_STORE"].removeprefix("dynamodb://")
lambda_handler = build_lambda_handler(
    boto3.session.Session().client("dynamodb", config=CLIENT_CONFIG), TABLE
)
