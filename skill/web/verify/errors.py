"""The one error of request verification: the request is not provably from Alexa."""

from __future__ import annotations


class VerificationError(Exception):
    """The request is not provably from Alexa; str(err) is a one-line reason for the 400 body."""
