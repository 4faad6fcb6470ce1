"""Proves a request really comes from Alexa, as Amazon requires of every self-hosted skill."""

from __future__ import annotations

import base64
import binascii
import json
import math
import posixpath
import re
import threading
import time
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainRejected

CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
CHAIN_HOST = "s3.amazonaws.com"
CHAIN_PATH_PREFIX = "/echo.api/"
SIGNING_NAME = "echo-api.amazon.com"

# Amazon's limit; Alexa gives the whole answer about 8 s, so a slow S3 must not eat it.
FETCH_TIMEOUT_S = 2.0
# Amazon's chain is about 5 KB; anything far larger is not it.
MAX_CHAIN_BYTES = 64 * 1024
# Amazon rotates signing certificates by URL; a handful of live URLs is the normal case.
CHAIN_CACHE_SIZE = 16

TOLERANCE = timedelta(seconds=150)
# Skill events can be delivered late, so Amazon allows them an hour.
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)
SKILL_EVENT_TYPES = frozenset(
    {
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillAccountLinked",
    }
)

# Limits on what a body may hold; Alexa's envelopes stay far inside them.
MAX_DEPTH = 64
MAX_INT_DIGITS = 20
MAX_NUMBER_CHARS = 40
# "2026-03-14T20:00:00Z" as Alexa sends it; fractions and numeric offsets allowed, ASCII only.
_ALEXA_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"  # date and time
    r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?"  # fraction, zone
)
_BAD_TIMESTAMP = "request.timestamp is not an ISO 8601 time as Alexa sends"

ChainFetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]


class VerificationError(Exception):
    """The request is not provably from Alexa; str(err) is a one-line reason for the 400 body."""


def utc_now() -> datetime:
    """The current time, timezone-aware (the default clock)."""
    return datetime.now(UTC)


def certifi_roots() -> list[x509.Certificate]:
    """The Mozilla root store that certifi ships, as parsed certificates."""
    roots = []
    blocks = Path(certifi.where()).read_bytes().split(b"-----BEGIN CERTIFICATE-----")[1:]
    for block in blocks:
        # certifi carries a few roots that newer cryptography warns about or will refuse
        # (e.g. a non-positive serial); none of them is Amazon's, so skip rather than fail.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(b"-----BEGIN CERTIFICATE-----" + block))
            except ValueError:
                continue
    return roots


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Fetch exactly the URL that passed the checks, not wherever a redirect points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch_chain(url: str, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """Download a PEM certificate chain, giving up after `timeout` seconds or on a large body."""
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_RefuseRedirects)
    chunks: list[bytes] = []
    size = 0
    with opener.open(url, timeout=timeout) as response:
        # The socket timeout bounds each read, not the sum; the deadline bounds the sum.
        while chunk := response.read(16 * 1024):
            size += len(chunk)
            if size > MAX_CHAIN_BYTES:
                raise ValueError(f"certificate chain larger than {MAX_CHAIN_BYTES} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"certificate chain took more than {timeout} s")
            chunks.append(chunk)
    return b"".join(chunks)


def chain_fetch_url(header_value: str) -> str:
    """The normalised URL to fetch the chain from, if Amazon's rules for the header accept it."""
    try:
        parts = urlsplit(header_value.strip())
        port = parts.port
    except ValueError as err:  # e.g. a port that is not a number
        raise VerificationError("SignatureCertChainUrl is not a valid URL") from err
    if parts.scheme != "https":  # urlsplit lower-cases the scheme: "HTTPS" passes, as Amazon says
        raise VerificationError("SignatureCertChainUrl must use https")
    if parts.hostname != CHAIN_HOST:  # hostname is lower-cased: any case passes
        raise VerificationError(f"SignatureCertChainUrl host must be {CHAIN_HOST}")
    if port not in (None, 443):
        raise VerificationError("SignatureCertChainUrl port must be 443")
    # Decode before normalising so "%2e%2e" cannot smuggle a ".." past normpath.
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if not path.startswith(CHAIN_PATH_PREFIX):
        raise VerificationError(f"SignatureCertChainUrl path must start with {CHAIN_PATH_PREFIX}")
    # Rebuilt from the checked parts: what was checked is exactly what gets fetched and cached.
    return f"https://{CHAIN_HOST}{quote(path)}"


@dataclass(frozen=True)
class _TrustedKey:
    """A signing key whose chain validated, usable until the first certificate in it expires."""

    public_key: rsa.RSAPublicKey
    expires: datetime


class _ChainCache:
    """Validated signing keys by chain URL: bounded (least recently used goes) and expiring."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[str, _TrustedKey] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()  # gunicorn's threaded workers share one verifier

    def get(self, url: str, now: datetime) -> rsa.RSAPublicKey | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            if now > entry.expires:
                del self._entries[url]
                return None
            self._entries.move_to_end(url)
            return entry.public_key

    def put(self, url: str, entry: _TrustedKey) -> None:
        with self._lock:
            self._entries[url] = entry
            self._entries.move_to_end(url)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


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
        self._store = Store(list(roots) if roots is not None else certifi_roots())
        self._fetch = fetch or fetch_chain
        self._clock = clock
        self._skill_id = skill_id
        self._cache = _ChainCache(cache_size)

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
        _check_timestamp(event, now)
        if self._skill_id:
            named = _application_id(event)
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
        entry = _validate_chain(pem, self._store, now)
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


def load_event(raw_body: bytes) -> dict[str, Any]:
    """The body's JSON object, read strictly, or VerificationError with a one-line reason.

    Stricter than `json.loads`: UTF-8 only (json.loads would guess UTF-16 or 32), no NaN or
    Infinity (not JSON, and they make the answer non-JSON), no numbers too large to be a
    real field, no text that is not valid Unicode, and a bounded depth, so nothing after
    this can fail on the shape of a value.
    """
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise VerificationError("the body is not UTF-8") from err
    try:
        event = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except _NumberRefused as err:
        raise VerificationError(str(err)) from err
    except RecursionError as err:
        raise VerificationError(f"the body nests deeper than {MAX_DEPTH} levels") from err
    except ValueError as err:
        raise VerificationError("the body is not JSON") from err
    if not isinstance(event, dict):
        raise VerificationError("the body is not a JSON object")
    _check_values(event)
    return event


class _NumberRefused(ValueError):
    """A JSON number the endpoint will not read; its message is the 400 reason."""


def _refuse_constant(name: str) -> Any:
    raise _NumberRefused(f"the body holds {name}, which JSON does not allow")


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberRefused(f"the body holds a number longer than {MAX_INT_DIGITS} digits")
    return int(literal)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or len(literal) > MAX_NUMBER_CHARS:
        raise _NumberRefused("the body holds a number too large to read")
    return value


def _check_values(event: dict[str, Any]) -> None:
    """Refuse deep nesting and text with lone surrogates (no UTF-8 form: unstorable)."""
    pending: list[tuple[Any, int]] = [(event, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise VerificationError(f"the body nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, value in node.items():
                _check_text(key)
                pending.append((value, depth + 1))
        elif isinstance(node, list):
            pending.extend((value, depth + 1) for value in node)
        elif isinstance(node, str):
            _check_text(node)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise VerificationError("the body holds a lone surrogate, which is not text") from err


def _check_timestamp(event: dict[str, Any], now: datetime) -> None:
    request = event.get("request")
    if not isinstance(request, dict):
        raise VerificationError("no request object: not an Alexa request envelope")
    request_type = request.get("type")
    if not isinstance(request_type, str):
        raise VerificationError("no request.type string: not an Alexa request envelope")
    stamp = request.get("timestamp")
    if not isinstance(stamp, str):
        raise VerificationError("no request.timestamp string")
    if not _ALEXA_TIMESTAMP.fullmatch(stamp):
        raise VerificationError(_BAD_TIMESTAMP)
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError as err:  # shaped right, but e.g. month 13
        raise VerificationError(_BAD_TIMESTAMP) from err
    if moment.tzinfo is None:  # Alexa sends "Z"; a zoneless time can only mean UTC
        moment = moment.replace(tzinfo=UTC)
    limit = SKILL_EVENT_TOLERANCE if request_type in SKILL_EVENT_TYPES else TOLERANCE
    skew = abs(now - moment)
    if skew > limit:
        raise VerificationError(
            f"request.timestamp is {int(skew.total_seconds())} s from now "
            f"(allowed {int(limit.total_seconds())} s)"
        )


def _application_id(event: dict[str, Any]) -> str | None:
    """The skill id a raw event names, from context (always sent) or else the session."""
    for path in (("context", "System", "application"), ("session", "application")):
        node: Any = event
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("applicationId"), str):
            return str(node["applicationId"])
    return None


def _validate_chain(pem: bytes, store: Store, now: datetime) -> _TrustedKey:
    """Check the chain Alexa points to, and return its leaf's key with the chain's expiry."""
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError as err:
        raise VerificationError("the certificate chain is not PEM") from err
    leaf, intermediates = certificates[0], certificates[1:]
    try:
        # Checked one by one, before path validation, so each failure names its cause.
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise VerificationError("the signing certificate is expired or not yet valid")
        try:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        except x509.ExtensionNotFound:
            names = None
        if names is None or SIGNING_NAME not in names.value.get_values_for_type(x509.DNSName):
            raise VerificationError(f"the signing certificate is not for {SIGNING_NAME}")
        try:
            usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            usage = None
        if usage is None or not usage.digital_signature:
            raise VerificationError("the signing certificate is not for digital signatures")
        verifier = (
            PolicyBuilder().store(store).time(now).build_server_verifier(x509.DNSName(SIGNING_NAME))
        )
        chain = verifier.verify(leaf, intermediates)
        public_key = leaf.public_key()
    except ChainRejected as err:
        raise VerificationError(f"the certificate chain is not trusted: {_one_line(err)}") from err
    except ValueError as err:  # a malformed extension surfaces only when it is read
        raise VerificationError("the signing certificate is malformed") from err
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise VerificationError("the signing certificate does not hold an RSA key")
    # The chain is only as good as its shortest-lived certificate.
    expires = min(certificate.not_valid_after_utc for certificate in chain)
    return _TrustedKey(public_key=public_key, expires=expires)


def _one_line(err: Exception, limit: int = 200) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
