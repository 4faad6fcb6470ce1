"""What the renderer accepts (APL 1.0 documents, Frame, Container, Text and their properties)
and how each component is laid out in HTML, as a flexbox box.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from stagewise_tools.apl_html.errors import UnsupportedAPL
from stagewise_tools.apl_html.expressions import evaluate, truthy
from stagewise_tools.apl_html.viewports import Viewport

# Every document key, template key, component, property and value below is in APL 1.0, the
# first version (Amazon's APL reference: "APL Document (APL 1.0)"; "APL Base Component
# Properties", whose "Version added" column says 1.0 for these; "APL Container/Frame/Text
# (APL 1.3 and earlier)" for the component properties and values). A document made of them
# renders on every device with a screen. A later feature (Frame `items`, textAlign `start`,
# `theme`, ...) is refused until it is added here with the version that introduced it.
APL_VERSION = "1.0"
_DOCUMENT = {"type", "version", "description", "mainTemplate"}
_TEMPLATE = {"parameters", "item"}

# --- layout: APL components as flexbox boxes ---

_COMMON = {"type", "id", "when", "width", "height", "spacing", "grow", "shrink", "alignSelf"}
_COMMON |= {"paddingLeft", "paddingRight", "paddingTop", "paddingBottom"}
_PROPERTIES = {
    "Container": _COMMON | {"items", "direction", "justifyContent", "alignItems"},
    "Frame": _COMMON | {"item", "backgroundColor", "borderRadius", "borderWidth", "borderColor"},
    "Text": _COMMON
    | {"text", "fontSize", "fontWeight", "fontStyle", "color", "textAlign", "textAlignVertical"}
    | {"lineHeight", "letterSpacing", "maxLines"},
}
_FLEX = {
    "start": "flex-start",
    "end": "flex-end",
    "center": "center",
    "stretch": "stretch",
    "spaceBetween": "space-between",
    "spaceAround": "space-around",
}
_DIRECTION = {"column": "column", "row": "row"}
_TEXT_ALIGN = {"auto": "start", "left": "left", "right": "right", "center": "center"}
_VERTICAL = {"auto": "flex-start", "top": "flex-start", "center": "center", "bottom": "flex-end"}
_ALIGN = {"start", "end", "center", "stretch"}
_VALUES: dict[str, Any] = {
    "direction": _DIRECTION,
    "justifyContent": {"start", "end", "center", "spaceBetween", "spaceAround"},
    "alignItems": _ALIGN,
    "alignSelf": _ALIGN,
    "textAlign": _TEXT_ALIGN,
    "textAlignVertical": _VERTICAL,
}
_DIMENSION = re.compile(r"(-?\d+(?:\.\d+)?)(dp|px|vw|vh|%)?")
TEXT_FONT = "'Amazon Ember', 'DejaVu Sans', sans-serif"  # DejaVu: wider than Ember, cautious


class Renderer:
    def __init__(self, view: Viewport, payload: dict[str, Any]) -> None:
        self.view = view
        self.scope = {"viewport": view.context(), "payload": payload}

    def dimension(self, raw: Any) -> str:
        value = evaluate(raw, self.scope)
        if value == "auto":
            return "auto"
        match = _DIMENSION.fullmatch(str(value))
        if not match:
            raise UnsupportedAPL(f"dimension {value!r}")
        number, unit = float(match.group(1)), match.group(2) or "dp"
        if unit == "%":
            return f"{number}%"
        pixels = {
            "dp": number * self.view.dpi / 160,
            "px": number,
            "vw": number * self.view.pixel_width / 100,
            "vh": number * self.view.pixel_height / 100,
        }[unit]
        return f"{pixels:.2f}px"

    def chosen(self, items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            if truthy(evaluate(item.get("when", True), self.scope)):
                yield item

    def component(self, item: dict[str, Any], parent_direction: str, first: bool) -> str:
        kind = known_kind(item)
        prop = {key: evaluate(value, self.scope) for key, value in item.items() if key != "items"}
        css = ["box-sizing:border-box", "position:relative", "display:flex", "min-width:0"]
        css.append(f"flex-grow:{prop.get('grow', 0)}")
        css.append(f"flex-shrink:{prop.get('shrink', 0)}")  # APL's default is not to shrink
        for key in ("width", "height"):
            if key in prop:
                css.append(f"{key}:{self.dimension(prop[key])}")
        for side in ("Left", "Right", "Top", "Bottom"):
            if f"padding{side}" in prop:
                css.append(f"padding-{side.lower()}:{self.dimension(prop[f'padding{side}'])}")
        if "spacing" in prop and not first:
            edge = "top" if parent_direction == "column" else "left"
            css.append(f"margin-{edge}:{self.dimension(prop['spacing'])}")
        if "alignSelf" in prop:
            css.append(f"align-self:{_FLEX[prop['alignSelf']]}")
        attributes = f'data-apl="{kind}" data-id="{html.escape(str(prop.get("id", "")))}"'
        if kind == "Text":
            return self.text(prop, css, attributes)
        children = item.get("items", item.get("item", []))
        children = children if isinstance(children, list) else [children]
        chosen = list(self.chosen(children))
        if kind == "Frame":
            chosen = chosen[:1]  # a Frame shows one child: the first whose `when` holds
            direction = "column"
            if "backgroundColor" in prop:
                css.append(f"background-color:{prop['backgroundColor']}")
            if "borderRadius" in prop:
                css.append(f"border-radius:{self.dimension(prop['borderRadius'])}")
            if "borderWidth" in prop:
                border = self.dimension(prop["borderWidth"])
                css.append(f"border:{border} solid {prop.get('borderColor', 'transparent')}")
        else:
            direction = prop.get("direction", "column")
            if direction not in _DIRECTION:
                raise UnsupportedAPL(f"direction {direction!r}")
            css.append(f"justify-content:{_FLEX[prop.get('justifyContent', 'start')]}")
            css.append(f"align-items:{_FLEX[prop.get('alignItems', 'stretch')]}")
        css.append(f"flex-direction:{direction}")
        inner = "".join(
            self.component(child, direction, index == 0) for index, child in enumerate(chosen)
        )
        return f'<div {attributes} style="{";".join(css)}">{inner}</div>'

    def text(self, prop: dict[str, Any], css: list[str], attributes: str) -> str:
        css.append("flex-direction:column")
        css.append(f"justify-content:{_VERTICAL[prop.get('textAlignVertical', 'auto')]}")
        line_height = float(prop.get("lineHeight", 1.25))
        inner = [
            f"font-family:{TEXT_FONT}",
            f"font-size:{self.dimension(prop.get('fontSize', '40dp'))}",
            f"font-weight:{prop.get('fontWeight', 'normal')}",
            f"font-style:{prop.get('fontStyle', 'normal')}",
            f"color:{prop.get('color', '#FAFAFA')}",
            f"text-align:{_TEXT_ALIGN[prop.get('textAlign', 'auto')]}",
            f"line-height:{line_height}",
            f"letter-spacing:{self.dimension(prop.get('letterSpacing', 0))}",
            "overflow-wrap:break-word",
        ]
        if prop.get("maxLines"):
            inner += [
                "display:-webkit-box",
                "-webkit-box-orient:vertical",
                f"-webkit-line-clamp:{int(prop['maxLines'])}",
                "overflow:hidden",
            ]
        # APL text is markup; the datasource escapes &, < and >, so decode then re-escape.
        words = html.escape(html.unescape(str(prop.get("text", ""))))
        return (
            f'<div {attributes} style="{";".join(css)}">'
            f'<div data-apl-text style="{";".join(inner)}">{words}</div></div>'
        )


# Marks the page with what does not fit: a text line outside its layout's padding,


def main_template(document: dict[str, Any]) -> dict[str, Any]:
    """The document's mainTemplate, once the document and template keys are known ones."""
    if document.get("type") != "APL":
        raise UnsupportedAPL(f"document type {document.get('type')!r}")
    for keys, known, where in (
        (set(document), _DOCUMENT, "document"),
        (set(document["mainTemplate"]), _TEMPLATE, "mainTemplate"),
    ):
        if keys - known:
            raise UnsupportedAPL(f"{where} properties {sorted(keys - known)}")
    template: dict[str, Any] = document["mainTemplate"]
    parameters = template.get("parameters", [])
    if parameters != ["payload"]:
        raise UnsupportedAPL(f"mainTemplate parameters {parameters!r}")
    return template


def required_version(document: dict[str, Any]) -> str:
    """The lowest APL version that has every feature the document uses, on any screen.

    Every component is checked, whichever viewport would show it. Raises UnsupportedAPL for
    a feature this renderer does not know, and so cannot date.
    """
    template = main_template(document)
    children = template.get("item", [])
    pending = list(children) if isinstance(children, list) else [children]
    while pending:
        item = pending.pop()
        kind = known_kind(item)
        for key, allowed in _VALUES.items():
            value = item.get(key)
            if isinstance(value, str) and "${" not in value and value not in allowed:
                raise UnsupportedAPL(f"{kind} {key} {value!r}")
        nested = item.get("items", item.get("item", []))
        pending += nested if isinstance(nested, list) else [nested]
    return APL_VERSION


def known_kind(item: dict[str, Any]) -> str:
    """A component's type, when the preview knows it and every property it sets."""
    kind = item.get("type")
    if kind not in _PROPERTIES:
        raise UnsupportedAPL(f"component {kind!r}")
    unknown = set(item) - _PROPERTIES[kind]
    if unknown:
        raise UnsupportedAPL(f"{kind} properties {sorted(unknown)}")
    return str(kind)
