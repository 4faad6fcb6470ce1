"""The one error of the preview: a document uses what it cannot render faithfully."""

from __future__ import annotations


class UnsupportedAPL(ValueError):
    """The document uses something this preview cannot render faithfully."""
