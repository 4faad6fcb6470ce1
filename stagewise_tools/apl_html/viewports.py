"""The Echo screens a document is previewed on: Amazon's standard viewport profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Viewport:
    """One Echo screen as APL describes it to a document."""

    name: str
    shape: str  # "round" or "rectangle"
    pixel_width: int
    pixel_height: int
    dpi: int = 160

    def context(self) -> dict[str, Any]:
        """The `viewport` object a document's expressions see."""
        scale = self.dpi / 160
        return {
            "shape": self.shape,
            "pixelWidth": self.pixel_width,
            "pixelHeight": self.pixel_height,
            "width": self.pixel_width / scale,
            "height": self.pixel_height / scale,
            "dpi": self.dpi,
        }


# Amazon's standard viewport profiles for hubs and TVs (alexa-viewport-profiles).
VIEWPORTS = (
    Viewport("hub-round-small", "round", 480, 480),
    Viewport("hub-landscape-small", "rectangle", 960, 480),
    Viewport("hub-landscape-medium", "rectangle", 1024, 600),
    Viewport("hub-landscape-large", "rectangle", 1280, 800),
    Viewport("hub-landscape-xlarge", "rectangle", 1920, 1080),
    Viewport("tv-landscape-xlarge", "rectangle", 1920, 1080, dpi=320),
)


def viewport(name: str) -> Viewport:
    return next(v for v in VIEWPORTS if v.name == name)
