"""Preview the Echo Show screen in a browser: stagewise_tools.apl_html renders, Chromium shoots.

Tooling only, never imported by the skill at runtime. It renders the subset of APL
the question screen uses (Frame, Container, Text; `when`; data binding; vw/vh/dp
units) and refuses anything else, so a document that outgrows it fails loudly
instead of previewing wrongly. Text uses DejaVu Sans, which is wider than the
Echo's Amazon Ember, so text that fits here fits on the device.

    python -m stagewise_tools.screen_preview --out build/apl-preview/
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.display import question_datasource, question_document
from stagewise_tools.apl_html import (
    VIEWPORTS,
    UnsupportedAPL,
    Viewport,
    render_html,
    required_version,
    viewport,
)

__all__ = [
    "VIEWPORTS",
    "UnsupportedAPL",
    "Viewport",
    "find_chromium",
    "layout_problems",
    "longest_question_sample",
    "longest_name",
    "render_html",
    "required_version",
    "screenshot",
    "viewport",
]

CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_SECONDS = 60


def find_chromium() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


def _chromium(page: Path, view: Viewport, *arguments: str) -> subprocess.CompletedProcess[str]:
    browser = find_chromium()
    if browser is None:
        raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="stagewise-chromium-") as profile:
        return subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--user-data-dir={profile}",
                f"--window-size={view.pixel_width},{view.pixel_height}",
                *arguments,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT_SECONDS,
            check=True,
        )


def screenshot(page: Path, view: Viewport, png: Path) -> Path:
    """Render a preview page to a PNG the size of the screen."""
    _chromium(page, view, f"--screenshot={png.resolve()}")
    return png


def layout_problems(page: Path, view: Viewport) -> tuple[list[str], list[str]]:
    """Lay the page out in Chromium: (what does not fit, ids of the texts shown)."""
    dom = _chromium(page, view, "--dump-dom").stdout
    overflow = re.search(r'data-overflow="([^"]*)"', dom)
    shown = re.search(r'data-shown="([^"]*)"', dom)
    if overflow is None or shown is None:
        raise RuntimeError("the preview page's layout check did not run")
    return json.loads(html.unescape(overflow.group(1))), html.unescape(shown.group(1)).split()


@dataclass(frozen=True)
class Preview:
    view: Viewport
    page: Path
    png: Path | None
    problems: list[str]


def write_previews(
    out: Path, datasources: dict[str, Any], views: tuple[Viewport, ...] = VIEWPORTS
) -> list[Preview]:
    """Write an HTML page per viewport and, when Chromium is present, a PNG and a fit check."""
    out.mkdir(parents=True, exist_ok=True)
    previews = []
    for view in views:
        page = out / f"{view.name}.html"
        page.write_text(render_html(question_document(), datasources, view), encoding="utf-8")
        if find_chromium() is None:
            previews.append(Preview(view, page, None, []))
            continue
        png = screenshot(page, view, out / f"{view.name}.png")
        problems, _ = layout_problems(page, view)
        previews.append(Preview(view, page, png, problems))
    return previews


def longest_name() -> str:
    """The widest name the skill accepts: as many capital Ws as it keeps, with no space to wrap."""
    from skill.names import clean_name

    return clean_name("W" * 1000) or ""


def longest_question_sample(locale: str = "en-US") -> dict[str, Any]:
    """The hardest real content to fit: the longest question, stage name and accepted name."""
    from skill.content import load_content

    content = load_content(locale)
    stage = max(content.stages, key=lambda s: len(s.name))
    question = max(
        (q for bank in content.questions.values() for q in bank), key=lambda q: len(q.text)
    )
    return question_datasource(
        stage_number=stage.number,
        stage_name=stage.name,
        question=question.text,
        turn_name=longest_name(),
        progress=content.say("display.progress", count=999),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("build/apl-preview"))
    parser.add_argument("--question", help="question text (default: the longest real one)")
    parser.add_argument("--turn", help="whose turn it is (default: a long name)")
    args = parser.parse_args(argv)
    datasources = longest_question_sample()
    if args.question:
        datasources["tonight"]["question"] = args.question
    if args.turn is not None:
        datasources["tonight"]["turnName"] = args.turn
    if find_chromium() is None:
        print("chromium not found: writing HTML only (apt-get install chromium)", file=sys.stderr)
    failed = False
    for preview in write_previews(args.out, datasources):
        shown = preview.png or preview.page
        verdict = "fits" if not preview.problems else "; ".join(preview.problems)
        failed |= bool(preview.problems)
        print(f"{preview.view.name:22} {shown}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
