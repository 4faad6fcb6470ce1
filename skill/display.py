"""What a screen shows: the Echo Show question screen (APL) and Alexa app cards.

The screen carries only what the skill has just said aloud: the stage, tonight's
question, whose turn it is and a progress line. It has no parameter for an answer,
so no answer can reach a screen through it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces
from ask_sdk_model.ui import StandardCard

if TYPE_CHECKING:  # the APL models cost a cold start ~30 ms: loaded when a screen is sent
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

FIRST_APL_VERSION = "1.0"  # what a device that names no runtime.maxVersion is assumed to render
SCREEN_TOKEN = "stagewise.question"  # stable, so a later directive replaces this screen
DATASOURCE = "tonight"  # the document reads ${payload.tonight.<field>}
MAX_CARD_CHARS = 8000  # Alexa's limit on card text

# All five locales are English, so the card titles live here rather than per locale.

# APL Text is markup: a spoken name such as "Jo <3" must show as typed, not as a tag.
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def supports_apl(handler_input: HandlerInput) -> bool:
    """True when the device can render the question screen: APL at the document's version.

    A document newer than the device's `runtime.maxVersion` is refused or misdrawn, so such
    a device (an older Echo Show or Echo Spot) gets no screen rather than a broken one.
    """
    try:
        interfaces = get_supported_interfaces(handler_input)
    except AttributeError:  # a request without context, system or device
        return False
    apl = getattr(interfaces, "alexa_presentation_apl", None)
    if apl is None:
        return False
    max_version = getattr(getattr(apl, "runtime", None), "max_version", None)
    device = apl_version(max_version) or apl_version(FIRST_APL_VERSION)
    return device >= apl_version(question_document()["version"])


def apl_version(text: str | None) -> tuple[int, ...]:
    """An APL version as numbers in order: "1.9" < "2022.1" < "2023.3"; () when unreadable."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.(\d+))?\s*", text or "")
    return tuple(int(part) for part in match.groups() if part is not None) if match else ()


@cache
def question_document() -> dict[str, Any]:
    """The APL document for the question screen, read once from the package."""
    source = Path(__file__).parent / "content" / "apl" / "question_screen.json"
    document: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return document


def question_datasource(
    *, stage_number: int, stage_name: str, question: str, turn_name: str | None, progress: str
) -> dict[str, Any]:
    """The values the question screen binds, escaped for APL's text markup."""
    return {
        DATASOURCE: {
            "stageNumber": stage_number,
            "stageName": stage_name.translate(_MARKUP),
            "question": question.translate(_MARKUP),
            "turnName": (turn_name or "").translate(_MARKUP),
            "progress": progress.translate(_MARKUP),
        }
    }


def question_screen(
    *, stage_number: int, stage_name: str, question: str, turn_name: str | None, progress: str
) -> RenderDocumentDirective:
    """Show tonight's question; `turn_name` only when that name was just spoken."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(
        token=SCREEN_TOKEN,
        document=question_document(),
        datasources=question_datasource(
            stage_number=stage_number,
            stage_name=stage_name,
            question=question,
            turn_name=turn_name,
            progress=progress,
        ),
    )


def question_card(*, title: str, heading: str, question: str) -> StandardCard:
    """A card in the Alexa app with tonight's question, on every device (words from content)."""
    return StandardCard(title=title, text=f"{heading}\n\n{question}")


def recap_card(title: str, text: str) -> StandardCard:
    """A card in the Alexa app with a recap the skill has just read aloud."""
    if len(text) > MAX_CARD_CHARS:
        text = text[: MAX_CARD_CHARS - 1].rstrip() + "…"
    return StandardCard(title=title, text=text)
