"""The narration tooling's errors: each one line a person can act on."""

from __future__ import annotations


class NarrationError(Exception):
    """Why a build or publish stopped, in one line a person can act on."""


class EngineUnavailable(NarrationError):
    """The speech engine cannot be reached or run (no network, binary missing)."""


class UntrustedConnection(NarrationError):
    """The speech service's TLS certificate did not verify: its audio could have been altered."""


class ClipSpecError(NarrationError):
    """A rendered file does not meet Alexa's audio spec; it is never written."""
