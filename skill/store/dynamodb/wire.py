"""DynamoDB's typed JSON, and its errors as the store's own.

botocore alone, not boto3: boto3 adds only resources, S3 transfers and type converters this
store does not use, and importing it costs a cold start about 12 ms (bench/import_costs.py).
Items go to and from DynamoDB's typed JSON here (`to_wire`, `from_wire`), as boto3's
TypeSerializer and TypeDeserializer would write and read them; `aws_errors` turns
botocore's failures into StorageError (or a subclass) carrying the AWS error code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from skill.store import StorageError


def to_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as DynamoDB's typed JSON: {"name": {"S": "Sam"}, "stage": {"N": "1"}, ...}."""
    return {k: _wire_value(v) for k, v in item.items()}


def from_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB's typed JSON back to plain values; whole numbers as int, others as Decimal."""
    return {k: _plain_value(v) for k, v in item.items()}


def _wire_value(value: object) -> dict[str, Any]:
    # bool before int: True is an int to Python, a BOOL to DynamoDB.
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): _wire_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_wire_value(v) for v in value]}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    # Floats too: DynamoDB numbers are decimal, and a float would be stored inexactly.
    raise TypeError(f"no DynamoDB type for {type(value).__name__}")


def _plain_value(wire: Mapping[str, Any]) -> Any:
    (kind, value), *_ = wire.items()
    if kind == "S":
        return value
    if kind == "N":
        return _number(value)
    if kind == "M":
        return {k: _plain_value(v) for k, v in value.items()}
    if kind == "L":
        return [_plain_value(v) for v in value]
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(value)
    if kind in ("SS", "BS"):
        return set(value)
    if kind == "NS":
        return {_number(v) for v in value}
    raise TypeError(f"unknown DynamoDB type {kind!r}")


def _number(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number


@contextmanager
def aws_errors(action: str, error: type[StorageError] = StorageError) -> Iterator[None]:
    """A botocore failure inside the block, raised as `error` with the AWS code kept."""
    try:
        yield
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        raise error(f"DynamoDB {action} failed ({code})", code) from err
    except BotoCoreError as err:
        # The message only names the endpoint or the failure, never a request body.
        raise error(f"DynamoDB {action} failed: {err}", type(err).__name__) from err
