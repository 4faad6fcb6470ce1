"""DynamoDB's write units for the writes a turn sent, from the items as DynamoDB sizes them.

Item size (DynamoDB developer guide, "DynamoDB item sizes and formats"): each attribute's
name in UTF-8 bytes plus its value: a string's UTF-8 bytes, a number's one byte per two
significant digits plus one, a binary's raw bytes, one byte for a boolean or null, and a
list or map 3 bytes plus each element's size and one byte per element (a map element's name
counted as an attribute name). Write units ("Read/write capacity mode"): one per 1 KB of the
item written, rounded up; twice that for each item of a transaction. A delete is counted as
one unit (the deleted item's size is not in the request; every item deleted here is an
answer, well under 1 KB). A put that replaces an item is sized by the new item, which is the
larger one for a profile that only grows.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

KB = 1024


def number_size(text: str) -> int:
    """One byte per two significant digits, plus one (leading and trailing zeros trimmed)."""
    digits = str(Decimal(text).normalize()).lstrip("-").replace(".", "").lstrip("0")
    return (len(digits.split("E")[0].rstrip("0")) + 1) // 2 + 1


def value_size(value: dict[str, Any]) -> int:
    """The size of one typed value, as DynamoDB's JSON writes it: {"S": ...}, {"M": ...}."""
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return number_size(inner)
    if kind == "B":
        return len(inner) * 3 // 4  # base64 on the wire; the raw bytes count
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in inner.items())
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in inner)
    if kind == "NS":
        return sum(number_size(v) for v in inner)
    if kind == "BS":
        return sum(len(v) * 3 // 4 for v in inner)
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: dict[str, Any]) -> int:
    """An item's size in bytes: its attribute names and values."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def units(size: int) -> int:
    """Write units for one item of `size` bytes outside a transaction."""
    return max(1, math.ceil(size / KB))


def write_units(operation: str, body: bytes) -> int:
    """The write units one accepted write request consumed."""
    request = json.loads(body)
    if operation == "PutItem":
        return units(item_size(request["Item"]))
    if operation in ("DeleteItem", "UpdateItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(
            units(item_size(r["PutRequest"]["Item"])) if "PutRequest" in r else 1
            for requests in request["RequestItems"].values()
            for r in requests
        )
    if operation == "TransactWriteItems":
        return sum(
            2 * (units(item_size(action["Put"]["Item"])) if "Put" in action else 1)
            for action in request["TransactItems"]
        )
    raise ValueError(f"not a write: {operation}")


def evening_units(writes: list[tuple[str, bytes]]) -> int:
    """The write units of a list of accepted writes (bench.proxy.take_writes())."""
    return sum(write_units(operation, body) for operation, body in writes)
