"""The skill plays a published narration clip where one exists for exactly the text, else speaks."""

from __future__ import annotations

import re

import pytest

from skill.app import build_skill
from skill.config import Settings
from skill.content import load_content
from skill.narration_clips import load_clips
from skill.speech import MAX_AUDIO_TAGS, Audio, Speech
from skill.store.sqlite import SqliteStore
from tests.conversation import Couple

BASE = "https://cdn.example.com/stagewise/audio"
CONTENT = load_content()
CLIPS = load_clips()


@pytest.fixture
def narrated(tmp_path):  # type: ignore[no-untyped-def]
    settings = Settings(store_url="sqlite:///:memory:", audio_base_url=BASE)
    return Couple(build_skill(settings, store=SqliteStore(tmp_path / "n.db")))


def test_the_packaged_manifest_lists_every_stage_description() -> None:
    assert {f"stage.{n}.description" for n in range(1, 7)} <= set(CLIPS)


@pytest.mark.parametrize("number", range(1, 7))
def test_tell_me_more_about_a_stage_plays_its_narration(narrated: Couple, number: int) -> None:
    first = narrated.onboard(stage=number)
    assert CONTENT.questions[number][0].text in first.text  # the question is Alexa's voice
    reply = narrated.intent("StageMoreIntent")
    urls = re.findall(r'<audio src="([^"]+)"/>', reply.ssml)
    assert f"{BASE}/{CLIPS[f'stage.{number}.description'].file}" in urls
    assert CONTENT.stage(number).description not in reply.text  # the clip says it instead


def test_the_welcome_plays_the_clip_of_the_variant_chosen(narrated: Couple) -> None:
    reply = narrated.launch()
    [url] = re.findall(r'<audio src="([^"]+)"/>', reply.ssml)
    variant = next(k for k, c in CLIPS.items() if url.endswith(c.file))
    assert variant.startswith("onboarding.welcome.")
    assert not any(v in reply.text for v in CONTENT.variants("onboarding.welcome"))


def test_names_and_answers_are_never_narrated(narrated: Couple) -> None:
    narrated.onboard()
    narrated.answer("private words")
    reply = narrated.answer("more private words")
    narrated.later(days=1)
    recap = narrated.intent("RecapIntent", new_session=True, period=None)
    for response in (reply, recap):
        assert "<audio" not in response.ssml


def test_without_a_base_url_alexa_speaks_the_description(couple: Couple) -> None:
    couple.onboard()
    reply = couple.intent("StageMoreIntent")
    assert "<audio" not in reply.ssml and CONTENT.stage(1).description in reply.text


def test_a_clip_whose_text_changed_is_not_played(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from skill.narration_clips import Clip

    settings = Settings(store_url="sqlite:///:memory:", audio_base_url=BASE)
    app = build_skill(settings, store=SqliteStore(tmp_path / "n.db"))
    app.services.clips = {"stage.1.description": Clip("old.mp3", "0" * 64, 30.0)}
    couple = Couple(app)
    couple.onboard()
    reply = couple.intent("StageMoreIntent")
    assert "old.mp3" not in reply.ssml and CONTENT.stage(1).description in reply.text


def test_the_audio_base_url_must_be_https() -> None:
    with pytest.raises(ValueError, match="https"):
        Settings.from_env({"STAGEWISE_AUDIO_BASE_URL": "http://cdn.example.com/audio"})


def test_alexas_audio_limits_per_response_are_kept() -> None:
    speech = Speech()
    for i in range(7):
        speech.play(Audio(url=f"{BASE}/{i}.mp3", text=f"clip {i}", seconds=30))
    assert speech.ssml().count("<audio") == MAX_AUDIO_TAGS
    long = (
        Speech()
        .play(Audio(f"{BASE}/a.mp3", "first", 200))
        .play(Audio(f"{BASE}/b.mp3", "second", 50))
    )
    assert long.ssml().count("<audio") == 1 and "second" in long.ssml()
