"""A tiny APL-to-HTML renderer for previewing the Echo Show screen (tooling only).

It renders the subset of APL the question screen uses (Frame, Container, Text; `when`;
data binding; vw/vh/dp units) and refuses anything else, so a document that outgrows it
fails loudly instead of previewing wrongly. stagewise_tools.screen_preview drives a browser with it.
Everything it accepts is APL 1.0, so `required_version` can say what a document must declare.

viewports.py holds the screens; expressions.py the ${...} language; components.py what is
accepted and how each component is laid out; page.py the page and its fit check.
"""

from stagewise_tools.apl_html.components import APL_VERSION, TEXT_FONT, required_version
from stagewise_tools.apl_html.errors import UnsupportedAPL
from stagewise_tools.apl_html.expressions import evaluate
from stagewise_tools.apl_html.page import render_html
from stagewise_tools.apl_html.viewports import VIEWPORTS, Viewport, viewport

__all__ = [
    "APL_VERSION",
    "TEXT_FONT",
    "VIEWPORTS",
    "UnsupportedAPL",
    "Viewport",
    "evaluate",
    "render_html",
    "required_version",
    "viewport",
]
