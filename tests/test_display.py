"""The Echo Show screen and the Alexa app cards: what a couple sees, and nothing more."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective
from ask_sdk_model.ui import StandardCard

from skill import display
from skill.content import load_content
from skill.names import clean_name
from skill.speech import escape
from stagewise_tools import alexa_requests as alexa
from stagewise_tools import screen_preview as preview

MAX_RESPONSE_BYTES = 24 * 1024
SCREEN_FIELDS = {"stageNumber", "stageName", "question", "turnName", "progress"}
CORE_COMPONENTS = {"Container", "Frame", "Text"}
NOW = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)
serializer = DefaultSerializer()

CONTENT = load_content()
LONGEST_QUESTION = max(
    (q for b in CONTENT.questions.values() for q in b), key=lambda q: len(q.text)
)
LONGEST_STAGE = max(CONTENT.stages, key=lambda s: len(s.name))


def screen(turn_name: str | None = "Sam", **overrides: Any) -> RenderDocumentDirective:
    values: dict[str, Any] = {
        "stage_number": LONGEST_STAGE.number,
        "stage_name": LONGEST_STAGE.name,
        "question": LONGEST_QUESTION.text,
        "turn_name": turn_name,
        "progress": "Evening 5 in this stage",
    }
    return display.question_screen(**{**values, **overrides})


def handler_input(device: dict[str, Any] | None) -> HandlerInput:
    raw = alexa.Device().envelope(alexa.launch(), NOW)
    if device is None:
        del raw["context"]["System"]["device"]
    else:
        raw["context"]["System"]["device"] = device
    envelope = serializer.deserialize(json.dumps(raw), RequestEnvelope)
    return HandlerInput(request_envelope=envelope)


# --- when to show it ---


def test_a_device_with_apl_gets_the_screen() -> None:
    show = {"deviceId": "d", "supportedInterfaces": {"Alexa.Presentation.APL": {"runtime": {}}}}
    assert display.supports_apl(handler_input(show))


def apl_device(max_version: str | None) -> dict[str, Any]:
    runtime = {} if max_version is None else {"maxVersion": max_version}
    apl = {"Alexa.Presentation.APL": {"runtime": runtime}}
    return {"deviceId": "d", "supportedInterfaces": apl}


@pytest.mark.parametrize("max_version", [None, "1.0", "1.4", "2022.2", "2024.3"])
def test_every_apl_runtime_can_render_the_document_and_gets_it(max_version: str | None) -> None:
    assert display.supports_apl(handler_input(apl_device(max_version)))


@pytest.mark.parametrize(
    ("document_version", "max_version", "shown"),
    [
        ("2023.3", "2022.2", False),  # a newer document than the device renders: no screen
        ("2023.3", "1.9", False),
        ("2023.3", None, False),  # a runtime that names no version is taken as APL 1.0
        ("2023.3", "not a version", False),
        ("2023.3", "2023.3", True),
        ("2023.3", "2024.1", True),
        ("1.1", "1.10", True),  # numbers, not text: 1.10 is after 1.9
    ],
)
def test_a_device_older_than_the_document_gets_no_screen(
    monkeypatch: pytest.MonkeyPatch, document_version: str, max_version: str | None, shown: bool
) -> None:
    newer = {**display.question_document(), "version": document_version}
    monkeypatch.setattr(display, "question_document", lambda: newer)
    assert display.supports_apl(handler_input(apl_device(max_version))) is shown


def test_apl_versions_order_as_numbers() -> None:
    versions = ["1.0", "1.9", "1.10", "2022.1", "2023.3", "2024.1"]
    assert sorted(versions, key=display.apl_version) == versions
    assert display.apl_version("2024") == display.apl_version(None) == ()


def test_a_real_echo_show_launch_gets_the_screen() -> None:
    raw = (Path(__file__).parent / "events" / "launch.json").read_text()  # an Echo Show 10
    envelope = serializer.deserialize(raw, RequestEnvelope)
    assert display.supports_apl(HandlerInput(request_envelope=envelope))


@pytest.mark.parametrize(
    "device",
    [
        {"deviceId": "d", "supportedInterfaces": {}},
        {"deviceId": "d", "supportedInterfaces": {"AudioPlayer": {}}},
        {"deviceId": "d"},
        None,
    ],
    ids=["voice-only", "audio-only", "no-interfaces", "no-device"],
)
def test_a_device_without_apl_gets_no_screen(device: dict[str, Any] | None) -> None:
    assert not display.supports_apl(handler_input(device))


def test_a_request_without_context_gets_no_screen() -> None:
    raw = alexa.Device().envelope(alexa.launch(), NOW)
    del raw["context"]
    envelope = serializer.deserialize(json.dumps(raw), RequestEnvelope)
    assert not display.supports_apl(HandlerInput(request_envelope=envelope))


# --- the directive Alexa receives ---


def test_the_directive_survives_alexas_model_round_trip() -> None:
    directive = screen()
    wire = json.dumps(serializer.serialize(directive))
    back = serializer.deserialize(wire, "ask_sdk_model.directive.Directive")
    assert isinstance(back, RenderDocumentDirective)
    assert back.object_type == "Alexa.Presentation.APL.RenderDocument"
    assert back.token == display.SCREEN_TOKEN
    assert back.document == display.question_document()
    assert back.datasources == {
        "tonight": {
            "stageNumber": LONGEST_STAGE.number,
            "stageName": LONGEST_STAGE.name,
            "question": LONGEST_QUESTION.text,
            "turnName": "Sam",
            "progress": "Evening 5 in this stage",
        }
    }


def test_the_token_is_stable_so_a_new_screen_replaces_the_old() -> None:
    assert screen("Sam").token == screen("Alex", question="Another?").token


def test_a_response_with_the_screen_and_a_card_stays_within_alexas_size_limit() -> None:
    question = escape(LONGEST_QUESTION.text)
    response = (
        ResponseFactory()
        .speak(f"<speak>Here is tonight's question. {question} Sam, you go first.</speak>")
        .ask(f"<speak>{question}</speak>")
        .add_directive(screen())
        .set_card(
            display.question_card(
                title="Tonight's question",
                heading=f"Stage {LONGEST_STAGE.number}: {LONGEST_STAGE.name}",
                question=LONGEST_QUESTION.text,
            )
        )
        .response
    )
    attributes = {"moment": "answer", "question": LONGEST_QUESTION.id, "turn": 1}
    raw = serializer.serialize(ResponseEnvelope(response=response, session_attributes=attributes))
    wire = json.dumps(raw)
    serializer.deserialize(wire, ResponseEnvelope)
    assert len(wire.encode()) < MAX_RESPONSE_BYTES
    # The screen's share leaves most of the limit for speech and session state.
    assert len(json.dumps(serializer.serialize(screen())).encode()) < MAX_RESPONSE_BYTES // 2


def _bindings(document: dict[str, Any]) -> list[str]:
    return re.findall(r"\$\{([^}]*)\}", json.dumps(document))


def test_every_payload_reference_is_bound_and_every_field_is_shown() -> None:
    datasources = screen().datasources
    referenced = set()
    for expression in _bindings(display.question_document()):
        for path in re.findall(r"payload((?:\.\w+)+)", expression):
            value: Any = datasources
            for field in path.strip(".").split("."):
                assert isinstance(value, dict) and field in value, path
                value = value[field]
            referenced.add(path)
    assert referenced == {f".tonight.{field}" for field in SCREEN_FIELDS}


def test_the_screen_binds_only_the_fields_it_shows() -> None:
    """No answer can reach a screen: the datasource holds exactly the shown fields (and the
    conversation test below checks no answer is ever in a directive)."""
    assert set(screen().datasources) == {"tonight"}
    assert set(screen().datasources["tonight"]) == SCREEN_FIELDS


def test_a_spoken_name_with_markup_characters_shows_as_typed() -> None:
    fields = screen("Jo <3 & Al").datasources["tonight"]
    assert fields["turnName"] == "Jo &lt;3 &amp; Al"
    page = preview.render_html(
        display.question_document(), screen("Jo <3 & Al").datasources, preview.VIEWPORTS[0]
    )
    # The browser shows "Jo <3 & Al's turn": HTML-escaped once, never a tag.
    assert "Jo &lt;3 &amp; Al&#x27;s turn" in page


# --- the document itself ---


def _components(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if "type" in node and node["type"] != "APL":
            found.append(node)
        for value in node.values():
            found += _components(value)
    elif isinstance(node, list):
        for value in node:
            found += _components(value)
    return found


def test_the_document_uses_core_components_only_and_loads_nothing() -> None:
    document = display.question_document()
    assert document["type"] == "APL"
    assert "import" not in document  # no alexa-layouts: nothing fetched, preview stays faithful
    assert {c["type"] for c in _components(document)} <= CORE_COMPONENTS
    assert "http" not in json.dumps(document)


def test_the_document_declares_the_lowest_apl_version_its_features_need() -> None:
    """Declared higher, an Echo Show whose runtime is older would get no screen for nothing."""
    document = display.question_document()
    assert document["version"] == preview.required_version(document)


@pytest.mark.parametrize(
    "newer",
    [
        {"theme": "dark"},  # a document property the APL 1.0 reference does not list
        {"path": ["item", 0, "item"], "value": [{"type": "Image", "source": "x"}]},
        {"path": ["item", 0, "items"], "value": []},  # Frame `items`: later than 1.0
        {"path": ["item", 0, "item", 1, "items", 0, "textAlign"], "value": "start"},
    ],
    ids=["theme", "image", "frame-items", "text-align-start"],
)
def test_a_feature_the_version_check_cannot_date_is_refused(newer: dict[str, Any]) -> None:
    document = json.loads(json.dumps(display.question_document()))
    if "path" in newer:
        *route, last = ["mainTemplate", *newer["path"]]
        node: Any = document
        for step in route:
            node = node[step]
        node[last] = newer["value"]
    else:
        document.update(newer)
    with pytest.raises(preview.UnsupportedAPL):
        preview.required_version(document)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_is_readable_against_the_background() -> None:
    document = display.question_document()
    [frame] = document["mainTemplate"]["item"]
    background = _luminance(frame["backgroundColor"])
    texts = [c for c in _components(document) if c["type"] == "Text"]
    assert texts
    for text in texts:
        foreground = _luminance(text["color"])
        ratio = (max(foreground, background) + 0.05) / (min(foreground, background) + 0.05)
        assert ratio >= 7, (text["id"], round(ratio, 1))  # WCAG AAA, from across a room


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("hub-round-small", "roundLayout"),
        ("hub-landscape-small", "landscapeLayout"),
        ("hub-landscape-medium", "landscapeLayout"),
        ("hub-landscape-large", "landscapeLayout"),
        ("hub-landscape-xlarge", "largeLayout"),
        ("tv-landscape-xlarge", "largeLayout"),
    ],
)
def test_each_screen_size_gets_its_layout(name: str, layout: str) -> None:
    page = preview.render_html(
        display.question_document(), screen().datasources, preview.viewport(name)
    )
    assert re.findall(r'data-id="(\w+Layout)"', page) == [layout]


def test_whose_turn_is_shown_only_when_a_name_was_given() -> None:
    document, view = display.question_document(), preview.viewport("hub-landscape-medium")
    with_name = preview.render_html(document, screen("Sam").datasources, view)
    without = preview.render_html(document, screen(None).datasources, view)
    assert "Sam&#x27;s turn" in with_name
    assert 'data-id="turn"' in with_name
    assert 'data-id="turn"' not in without
    assert "turn<" not in without


def test_the_preview_refuses_apl_it_cannot_render() -> None:
    document = json.loads(json.dumps(display.question_document()))
    document["mainTemplate"]["item"][0]["item"].insert(0, {"type": "Image", "source": "x"})
    with pytest.raises(preview.UnsupportedAPL, match="Image"):
        preview.render_html(document, screen().datasources, preview.viewport("hub-round-small"))


# --- cards in the Alexa app ---


def test_the_question_card_names_the_stage_and_the_question() -> None:
    title = CONTENT.say("card.question_title")
    heading = CONTENT.say("card.stage_heading", number=2, stage_name="Connection and Trust")
    card = display.question_card(title=title, heading=heading, question="Q?")
    assert isinstance(card, StandardCard)
    assert card.title == title
    assert card.text is not None
    assert "Connection and Trust" in card.text and card.text.endswith("Q?")
    wire = json.dumps(serializer.serialize(card))
    assert isinstance(serializer.deserialize(wire, "ask_sdk_model.ui.Card"), StandardCard)


def test_a_long_recap_card_is_cut_to_alexas_limit() -> None:
    title = CONTENT.say("card.recap_title")
    assert display.recap_card(title, "Last week you talked about trust.").text == (
        "Last week you talked about trust."
    )
    long = display.recap_card(title, "word " * 3000)
    assert long.title == title
    assert long.text is not None
    assert len(long.text) <= display.MAX_CARD_CHARS and long.text.endswith("…")


def test_a_turn_loads_the_screen_without_the_preview_tooling() -> None:
    code = "import sys, skill.display; print('stagewise_tools.screen_preview' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


# --- the preview in a real browser ---


@pytest.fixture(scope="module")
def chromium() -> str:
    found = preview.find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must render the Echo Show preview: apt-get install -y chromium")
        pytest.skip(
            "CHROMIUM MISSING: the Echo Show preview was NOT rendered or checked "
            "(apt-get install -y chromium; CI installs it)"
        )
    return found


def read_png(path: Path) -> tuple[int, int, bytes]:
    """Width, height and raw RGB(A) rows of an 8-bit non-interlaced PNG, as Chromium writes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = bytearray(), bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                row[i] = (row[i] + row[i - channels]) & 255
        elif kind == 2:
            row = bytearray((a + b) & 255 for a, b in zip(row, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = row[i - channels] if i >= channels else 0
                row[i] = (row[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = row[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                nearest = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[i] = (row[i] + nearest) & 255
        rows += row
        previous = row
    return width, height, bytes(rows)


def colours(pixels: bytes, channels: int = 3) -> set[bytes]:
    return {pixels[i : i + 3] for i in range(0, len(pixels), channels)}


SCREENS = [view.name for view in preview.VIEWPORTS]  # every Echo Show, Echo Spot and Fire TV


def test_every_screen_the_manifest_declares_is_previewed() -> None:
    """The previews below cover each viewport range the skill tells Alexa it supports."""
    from stagewise_tools.packaging.skill_package import APL_VIEWPORTS

    for declared in APL_VIEWPORTS:
        assert any(
            declared["minWidth"] <= view.context()["width"] <= declared["maxWidth"]
            and declared["minHeight"] <= view.context()["height"] <= declared["maxHeight"]
            and declared["shape"].lower() == view.shape
            and declared["mode"] == ("TV" if view.name.startswith("tv") else "HUB")
            for view in preview.VIEWPORTS
        ), declared


def check_in_chromium(page_html: str, name: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    view = preview.viewport(name)
    page = tmp_path / f"{name}.html"
    page.write_text(page_html)
    return preview.layout_problems(page, view)


@pytest.mark.parametrize("name", SCREENS)
def test_the_preview_renders_the_hardest_content_and_it_fits(
    chromium: str, name: str, tmp_path: Path
) -> None:
    """The longest question, stage name and accepted name, on every screen size."""
    view = preview.viewport(name)
    page = tmp_path / f"{name}.html"
    datasources = preview.longest_question_sample()
    name = datasources["tonight"]["turnName"]
    assert set(name) == {"W"} and clean_name(name + "W") == name  # the widest name kept, unbroken
    page.write_text(preview.render_html(display.question_document(), datasources, view))

    png = preview.screenshot(page, view, tmp_path / f"{name}.png")
    width, height, pixels = read_png(png)
    assert (width, height) == (view.pixel_width, view.pixel_height)
    channels = len(pixels) // (width * height)
    # Background, the text colours and their anti-aliased edges: far from blank.
    assert len(colours(pixels, channels)) >= 6

    problems, shown = preview.layout_problems(page, view)
    assert problems == []
    assert {"question", "turn"} <= set(shown)
    if view.shape == "rectangle":  # the small round screen leaves the progress line out
        assert "progress" in shown


@pytest.mark.parametrize("name", SCREENS)
def test_a_forty_character_name_of_several_words_fits(
    chromium: str, name: str, tmp_path: Path
) -> None:
    datasources = preview.longest_question_sample()
    spoken = "mary-jo wilhelmina maximiliana wolfsberg"
    datasources["tonight"]["turnName"] = clean_name(spoken)  # as the skill keeps a heard name
    assert len(datasources["tonight"]["turnName"]) == 40
    page = preview.render_html(display.question_document(), datasources, preview.viewport(name))
    problems, shown = check_in_chromium(page, name, tmp_path)
    assert problems == [] and "turn" in shown


def test_the_fit_check_catches_a_footer_that_cannot_wrap_a_long_name(
    chromium: str, tmp_path: Path
) -> None:
    """The 2023.3 footer: the turn line did not shrink, so a long name pushed it off screen."""
    document = json.loads(json.dumps(display.question_document()))
    for turn in [c for c in _components(document) if c.get("id") == "turn" and "shrink" in c]:
        turn["shrink"] = 0  # as in the document before: only the progress line could shrink
    page = preview.render_html(
        document, preview.longest_question_sample(), preview.viewport("hub-landscape-small")
    )
    problems, _ = check_in_chromium(page, "hub-landscape-small", tmp_path)
    assert any(p.startswith("turn: off the screen") for p in problems), problems


def test_the_fit_check_catches_a_question_too_long_for_a_round_screen(
    chromium: str, tmp_path: Path
) -> None:
    view = preview.viewport("hub-round-small")
    datasources = preview.longest_question_sample()
    datasources["tonight"]["question"] = " ".join([LONGEST_QUESTION.text] * 4)
    page = tmp_path / "too-long.html"
    page.write_text(preview.render_html(display.question_document(), datasources, view))
    problems, _ = preview.layout_problems(page, view)
    assert any(p.startswith("question: outside the circle") for p in problems), problems


# -- wired into the skill: an en-GB Echo Show launch -------------------------------------------


def _with_screen(event: dict[str, Any]) -> dict[str, Any]:
    device = event["context"]["System"]["device"]
    device["supportedInterfaces"] = {
        "Alexa.Presentation.APL": {"runtime": {"maxVersion": "2024.1"}}
    }
    return event


def test_an_en_gb_echo_show_launch_gets_the_question_screen_and_a_card(tmp_path: Path) -> None:
    from skill.app import build_skill, handle_event
    from skill.config import Settings
    from skill.store.sqlite import SqliteStore
    from tests.conversation import Couple

    app = build_skill(
        Settings(store_url="sqlite:///:memory:"), store=SqliteStore(tmp_path / "s.db")
    )
    show = Couple(app, handler=lambda event: handle_event(app, _with_screen(event)))
    show.device.locale = "en-GB"
    reply = show.onboard()
    [screen] = [
        d
        for d in reply.response.get("directives", [])
        if d["type"] == "Alexa.Presentation.APL.RenderDocument"
    ]
    tonight = screen["datasources"]["tonight"]
    question = CONTENT.questions[1][0].text
    assert tonight["question"] == question and tonight["turnName"] == "Sam"
    assert tonight["stageNumber"] == 1 and reply.response["card"]["type"] == "Standard"
    assert question in reply.response["card"]["text"]
    answered = show.answer("a secret only we know")
    screens = [d for d in answered.response.get("directives", []) if "APL" in d["type"]]
    assert all("a secret only we know" not in json.dumps(d) for d in screens)  # never shown


def test_a_device_without_a_screen_gets_no_apl(tmp_path: Path) -> None:
    from skill.app import build_skill
    from skill.config import Settings
    from skill.store.sqlite import SqliteStore
    from tests.conversation import Couple

    app = build_skill(
        Settings(store_url="sqlite:///:memory:"), store=SqliteStore(tmp_path / "s.db")
    )
    reply = Couple(app).onboard()
    assert all("APL" not in d["type"] for d in reply.response.get("directives", []))
    assert reply.response["card"]["type"] == "Standard"  # the Alexa app still gets the card
