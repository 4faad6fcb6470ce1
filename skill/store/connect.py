"""The store a STAGEWISE_STORE url names, each implementation imported only when named.

Apart from the interface (skill.store), because the implementations import it: kept
there, opening a store would tie the interface to DynamoDB and SQLite.
"""

from __future__ import annotations

from skill.store import Store


def open_store(url: str) -> Store:
    """Open the store a STAGEWISE_STORE url names (dynamodb://TABLE or sqlite:///PATH)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise ValueError(
            f"STAGEWISE_STORE must look like dynamodb://TABLE or sqlite:///PATH, got {url!r}"
        )
    if scheme == "sqlite":
        from skill.store.sqlite import SqliteStore

        # As in SQLAlchemy: sqlite:///relative.db, sqlite:////absolute/path.db
        return SqliteStore(rest[1:] if rest.startswith("/") else rest)
    if scheme == "dynamodb":
        from skill.store.dynamodb import DynamoStore, dynamodb_client

        return DynamoStore(dynamodb_client(), table=rest.strip("/"))
    raise ValueError(f"unknown store scheme {scheme!r}: use dynamodb:// or sqlite://")
