"""Proves a request really comes from Alexa, as Amazon requires of every self-hosted skill.

`RequestVerifier.verify` checks, in this order: the headers, the certificate chain they point
to (chain.py), the signature over the raw body, then the body itself, its timestamp and the
skill id it names (body.py). VerificationError (errors.py) carries a one-line reason.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import Store

from skill.web.verify.body import application_id, check_timestamp, load_event
from skill.web.verify.chain import (
    CHAIN_CACHE_SIZE,
    SIGNING_NAME,
    ChainCache,
    certifi_roots,
    chain_fetch_url,
    fetch_chain,
    validate_chain,
)
from skill.web.verify.errors import VerificationError

CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"

ChainFetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware (the default clock)."""
    return datetime.now(UTC)


class RequestVerifier:
    """Checks Alexa's signature, certificate chain, timestamp and skill id on raw requests."""

    def __init__(
        self,
        *,
        roots: Sequence[x509.Certificate] | None = None,
        fetch: ChainFetcher | None = None,
        clock: Clock = utc_now,
        skill_id: str | None = None,
        cache_size: int = CHAIN_CACHE_SIZE,
    ) -> None:
        # The defaults are looked up in this module when a verifier is built, so a test (or
        # a deployment) may swap skill.web.verify.certifi_roots and .fetch_chain.
        self._store = Store(list(roots) if roots is not None else certifi_roots())
        self._fetch = fetch or fetch_chain
        self._clock = clock
        self._skill_id = skill_id
        self._cache = ChainCache(cache_size)

    def verify(self, headers: Mapping[str, Any], raw_body: bytes) -> dict[str, Any]:
        """Return the request's JSON if Alexa provably sent it, else raise VerificationError.

        The order is the point: nothing in the body is read until its signature holds, so a
        forged body can only ever earn a 400, never reach code that might fail on it.
        """
        url_header = _header(headers, CHAIN_URL_HEADER)
        signature_header = _header(headers, SIGNATURE_HEADER)
        # Checks that need no network first: a malformed header must not cost a download.
        url = chain_fetch_url(url_header)
        signature = _decode_signature(signature_header)
        now = self._clock()
        public_key = self._signing_key(url, now)
        try:
            public_key.verify(signature, raw_body, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError) as err:
            raise VerificationError(f"{SIGNATURE_HEADER} does not match the body") from err
        event = load_event(raw_body)
        check_timestamp(event, now)
        if self._skill_id:
            named = application_id(event)
            if named is None:
                raise VerificationError("no applicationId: not an Alexa request envelope")
            if named != self._skill_id:
                raise VerificationError("request is for another skill")
        return event

    def _signing_key(self, url: str, now: datetime) -> rsa.RSAPublicKey:
        cached = self._cache.get(url, now)
        if cached is not None:
            return cached
        try:
            pem = self._fetch(url)
        except Exception as err:  # whatever the fetcher raises, the request cannot be proven
            raise VerificationError(
                f"cannot fetch the certificate chain: {type(err).__name__}"
            ) from err
        # Failures are not cached: a transient S3 error must not lock Alexa out for long.
        entry = validate_chain(pem, self._store, now)
        self._cache.put(url, entry)
        return entry.public_key


def _header(headers: Mapping[str, Any], name: str) -> str:
    """A header by name in any case (Werkzeug's headers do this; plain dicts do not)."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next(
            (v for k, v in headers.items() if isinstance(k, str) and k.lower() == wanted), None
        )
    if value is None or value == "":
        raise VerificationError(f"missing {name} header")
    if not isinstance(value, str):
        raise VerificationError(f"the {name} header is not text")
    return value


def _decode_signature(value: str) -> bytes:
    try:
        signature = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as err:
        raise VerificationError(f"{SIGNATURE_HEADER} is not base64") from err
    if not signature:
        raise VerificationError(f"{SIGNATURE_HEADER} is empty")
    return signature


__all__ = [
    "CHAIN_URL_HEADER",
    "SIGNATURE_HEADER",
    "SIGNING_NAME",
    "ChainFetcher",
    "Clock",
    "RequestVerifier",
    "VerificationError",
    "certifi_roots",
    "chain_fetch_url",
    "fetch_chain",
    "load_event",
    "utc_now",
]
