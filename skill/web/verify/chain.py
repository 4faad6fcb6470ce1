"""The certificate chain Alexa signs with: where it may be fetched from, fetching it, and
validating it against the trusted roots; validated signing keys are cached until they expire.
"""

from __future__ import annotations

import posixpath
import threading
import time
import urllib.request
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainRejected

from skill.web.verify.errors import VerificationError

CHAIN_HOST = "s3.amazonaws.com"
CHAIN_PATH_PREFIX = "/echo.api/"
SIGNING_NAME = "echo-api.amazon.com"

# Amazon's limit; Alexa gives the whole answer about 8 s, so a slow S3 must not eat it.
FETCH_TIMEOUT_S = 2.0
# Amazon's chain is about 5 KB; anything far larger is not it.
MAX_CHAIN_BYTES = 64 * 1024
# Amazon rotates signing certificates by URL; a handful of live URLs is the normal case.
CHAIN_CACHE_SIZE = 16


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
class TrustedKey:
    """A signing key whose chain validated, usable until the first certificate in it expires."""

    public_key: rsa.RSAPublicKey
    expires: datetime


class ChainCache:
    """Validated signing keys by chain URL: bounded (least recently used goes) and expiring."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[str, TrustedKey] = OrderedDict()
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

    def put(self, url: str, entry: TrustedKey) -> None:
        with self._lock:
            self._entries[url] = entry
            self._entries.move_to_end(url)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


def validate_chain(pem: bytes, store: Store, now: datetime) -> TrustedKey:
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
    return TrustedKey(public_key=public_key, expires=expires)


def _one_line(err: Exception, limit: int = 200) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
