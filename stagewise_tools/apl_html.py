"""A tiny APL-to-HTML renderer for previewing the Echo Show screen (tooling only).

It renders the subset of APL the question screen uses (Frame, Container, Text; `when`;
data binding; vw/vh/dp units) and refuses anything else, so a document that outgrows it
fails loudly instead of previewing wrongly. stagewise_tools.screen_preview drives a browser with it.
Everything it accepts is APL 1.0, so `required_version` can say what a document must declare.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
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


class UnsupportedAPL(ValueError):
    """The document uses something this preview cannot render faithfully."""


# --- expressions: the small part of APL's ${...} language the document uses ---

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>==|!=|>=|<=|&&|\|\||[<>!().]))"
)
_BINDING = re.compile(r"\$\{([^}]*)\}")


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(source.rstrip()):
        match = _TOKEN.match(source, position)
        if not match or match.lastgroup is None:
            raise UnsupportedAPL(f"cannot read expression {source!r} at {position}")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over ||, &&, ==/!=, comparisons, !, literals and dotted paths."""

    def __init__(self, source: str, scope: dict[str, Any]) -> None:
        self.source, self.scope = source, scope
        self.tokens = _tokens(source)
        self.position = 0

    def parse(self) -> Any:
        value = self._or()
        if self.position != len(self.tokens):
            raise UnsupportedAPL(f"unexpected {self.tokens[self.position]} in {self.source!r}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise UnsupportedAPL(f"expression ends early: {self.source!r}")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _binary(self, operators: dict[str, Callable[[Any, Any], Any]], operand: Any) -> Any:
        value = operand()
        while self._peek() in operators:
            operator = operators[self._take()[1]]
            value = operator(value, operand())
        return value

    def _or(self) -> Any:
        return self._binary({"||": lambda a, b: a or b}, self._and)

    def _and(self) -> Any:
        return self._binary({"&&": lambda a, b: a and b}, self._equality)

    def _equality(self) -> Any:
        return self._binary(
            {"==": lambda a, b: a == b, "!=": lambda a, b: a != b}, self._comparison
        )

    def _comparison(self) -> Any:
        return self._binary(
            {
                "<": lambda a, b: a < b,
                "<=": lambda a, b: a <= b,
                ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b,
            },
            self._unary,
        )

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not self._unary()
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self._take()
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return text[1:-1]
        if text == "(":
            value = self._or()
            if self._take()[1] != ")":
                raise UnsupportedAPL(f"missing ) in {self.source!r}")
            return value
        if kind == "name":
            literals = {"true": True, "false": False, "null": None}
            if text in literals:
                return literals[text]
            value = self._lookup(self.scope, text, text)
            path = text
            while self._peek() == ".":
                self._take()
                field = self._take()[1]
                path += "." + field
                value = self._lookup(value, field, path)
            return value
        raise UnsupportedAPL(f"unexpected {text!r} in {self.source!r}")

    def _lookup(self, value: Any, field: str, path: str) -> Any:
        # APL quietly yields null for a missing field; a preview should say so instead.
        if not isinstance(value, dict) or field not in value:
            raise UnsupportedAPL(f"${{{path}}} is not bound (in {self.source!r})")
        return value[field]


def evaluate(value: Any, scope: dict[str, Any]) -> Any:
    """Resolve data binding in one property: a lone ${...} keeps its type, else a string."""
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _BINDING.fullmatch(value)
    if whole:
        return _Parser(whole.group(1), scope).parse()

    def text(match: re.Match[str]) -> str:
        result = _Parser(match.group(1), scope).parse()
        return "" if result is None else str(result)

    return _BINDING.sub(text, value)


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


# --- what the renderer accepts, all of it in APL 1.0 ---

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


class _Renderer:
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
            if _truthy(evaluate(item.get("when", True), self.scope)):
                yield item

    def component(self, item: dict[str, Any], parent_direction: str, first: bool) -> str:
        kind = item.get("type")
        if kind not in _PROPERTIES:
            raise UnsupportedAPL(f"component {kind!r}")
        unknown = set(item) - _PROPERTIES[kind]
        if unknown:
            raise UnsupportedAPL(f"{kind} properties {sorted(unknown)}")
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
# outside the screen (the circle on a round one), or cut short by maxLines.
_CHECK_FIT = """
(function () {
  const round = document.body.dataset.shape === "round";
  // The screen box, not the window: the layout must not depend on the browser's window.
  const screen = document.getElementById("screen").getBoundingClientRect();
  const width = screen.width, height = screen.height;
  const problems = [];
  const inside = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5
    && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
  const contentBox = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {left: r.left + parseFloat(s.paddingLeft), right: r.right - parseFloat(s.paddingRight),
            top: r.top + parseFloat(s.paddingTop), bottom: r.bottom - parseFloat(s.paddingBottom)};
  };
  for (const text of document.querySelectorAll("[data-apl-text]")) {
    const owner = text.parentElement, id = owner.dataset.id;
    if (text.scrollHeight > text.clientHeight + 1) problems.push(id + ": cut short by maxLines");
    const range = document.createRange();
    range.selectNodeContents(text);
    const lines = Array.from(range.getClientRects()).filter((r) => r.width > 0);
    for (const line of lines) {
      if (!inside(line, {left: 0, top: 0, right: width, bottom: height})) {
        problems.push(id + ": off the screen");
      }
      if (round) {
        const cx = width / 2, cy = height / 2, radius = Math.min(width, height) / 2;
        for (const [x, y] of [[line.left, line.top], [line.right, line.top],
                              [line.left, line.bottom], [line.right, line.bottom]]) {
          if (Math.hypot(x - cx, y - cy) > radius) { problems.push(id + ": outside the circle"); }
        }
      }
      for (let box = owner.parentElement; box && box.dataset.apl; box = box.parentElement) {
        if (!inside(line, contentBox(box))) {
          problems.push(id + ": outside " + box.dataset.apl + " " + box.dataset.id);
        }
      }
    }
    const texts = document.querySelectorAll("[data-apl-text]");
    for (const other of texts) {
      if (other === text) continue;
      const a = text.getBoundingClientRect(), b = other.getBoundingClientRect();
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      if (overlap && text.textContent && other.textContent) {
        problems.push(id + ": overlaps " + other.parentElement.dataset.id);
      }
    }
  }
  document.body.dataset.shown = Array.from(document.querySelectorAll("[data-apl-text]"))
    .map((t) => t.parentElement.dataset.id).join(" ");
  document.body.dataset.overflow = JSON.stringify(Array.from(new Set(problems)));
})();
"""


def _template(document: dict[str, Any]) -> dict[str, Any]:
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
    template = _template(document)
    children = template.get("item", [])
    pending = list(children) if isinstance(children, list) else [children]
    while pending:
        item = pending.pop()
        kind = item.get("type")
        if kind not in _PROPERTIES:
            raise UnsupportedAPL(f"component {kind!r}")
        unknown = set(item) - _PROPERTIES[kind]
        if unknown:
            raise UnsupportedAPL(f"{kind} properties {sorted(unknown)}")
        for key, allowed in _VALUES.items():
            value = item.get(key)
            if isinstance(value, str) and "${" not in value and value not in allowed:
                raise UnsupportedAPL(f"{kind} {key} {value!r}")
        nested = item.get("items", item.get("item", []))
        pending += nested if isinstance(nested, list) else [nested]
    return APL_VERSION


def render_html(document: dict[str, Any], datasources: dict[str, Any], view: Viewport) -> str:
    """A standalone HTML page approximating how an Echo with this viewport lays out the document."""
    template = _template(document)
    renderer = _Renderer(view, datasources)
    children = template.get("item", [])
    chosen = list(renderer.chosen(children if isinstance(children, list) else [children]))[:1]
    body = "".join(renderer.component(item, "column", True) for item in chosen)
    width, height = view.pixel_width, view.pixel_height
    # A round screen is a circle: everything outside it is masked, as the device would.
    mask = "border-radius:50%;" if view.shape == "round" else ""
    return (
        "<!doctype html>\n"
        f'<html><head><meta charset="utf-8"><title>{html.escape(view.name)}</title>'
        "<style>html,body{margin:0;padding:0;background:#000;overflow:hidden}"
        f"#screen{{width:{width}px;height:{height}px;overflow:hidden;{mask}"
        "display:flex;flex-direction:column;position:relative}</style></head>"
        f'<body data-shape="{view.shape}"><div id="screen">{body}</div>'
        f"<script>{_CHECK_FIT}</script></body></html>\n"
    )


# --- the browser ---
