"""Which static content becomes a clip: the stage descriptions and the welcome, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from skill.content import Content


@dataclass(frozen=True)
class ClipText:
    """One piece of static content to narrate: a content key, a file stem and the text.

    Not to be confused with `skill.narration_clips.Clip`, the runtime's record of a clip
    already rendered.
    """

    key: str
    stem: str
    text: str


def static_clips(content: Content) -> list[ClipText]:
    """The fixed narration: each stage description and each welcome variant, nothing else.

    Only content is read here: answers and names never reach the narration tooling, because
    Amazon forbids customer data in audio files and gTTS sends its text to Google.
    """
    clips = [
        ClipText(
            f"stage.{stage.number}.description",
            f"stage-{stage.number}-description",
            stage.description,
        )
        for stage in content.stages
    ]
    clips += [
        ClipText(f"onboarding.welcome.{index}", f"onboarding-welcome-{index}", text)
        for index, text in enumerate(content.prompts["onboarding.welcome"])
    ]
    return clips
