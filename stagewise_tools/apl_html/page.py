"""A standalone HTML page of one screen, with a script that marks the text that does not fit."""

from __future__ import annotations

import html
from typing import Any

from stagewise_tools.apl_html.components import Renderer, main_template
from stagewise_tools.apl_html.viewports import Viewport

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


def render_html(document: dict[str, Any], datasources: dict[str, Any], view: Viewport) -> str:
    """A standalone HTML page approximating how an Echo with this viewport lays out the document."""
    template = main_template(document)
    renderer = Renderer(view, datasources)
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
