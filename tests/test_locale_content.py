"""Locale content: one English source, and per-locale overrides only where wording differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.content import DEFAULT_LOCALE, load_content, placeholders
from skill.packaging.skill_package import locales

OVERRIDES = Path(__file__).resolve().parents[1] / "skill" / "content" / "overrides"
ENGLISH = load_content(DEFAULT_LOCALE)


def override_files() -> list[Path]:
    return sorted(OVERRIDES.glob("*.json"))


def test_there_are_overrides_and_only_for_declared_locales() -> None:
    assert override_files()
    assert {p.stem for p in override_files()} <= set(locales()) - {DEFAULT_LOCALE}


@pytest.mark.parametrize("path", override_files(), ids=lambda p: p.stem)
def test_an_override_changes_wording_not_placeholders(path: Path) -> None:
    raw = {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}
    localized = load_content(path.stem)
    for key in raw:
        assert key in ENGLISH.prompts, key
        assert localized.variants(key) != ENGLISH.variants(key), f"{key} repeats en-US"
        shared = {placeholders(v) for v in ENGLISH.variants(key) + localized.variants(key)}
        assert len(shared) == 1, key
    untouched = set(ENGLISH.prompts) - set(raw)
    assert all(localized.variants(k) == ENGLISH.variants(k) for k in untouched)


@pytest.mark.parametrize("locale", ["en-GB", "en-AU", "en-IN"])
def test_dates_read_day_first_where_people_say_them_so(locale: str) -> None:
    said = load_content(locale).say("when.day", weekday="Monday", month="November", day=9)
    assert said == "On Monday, 9 November"
    assert ENGLISH.say("when.day", weekday="Monday", month="November", day=9) == (
        "On Monday, November 9"
    )


def test_a_locale_without_overrides_speaks_en_us() -> None:
    canadian = load_content("en-CA")
    assert canadian.locale == "en-CA"
    assert canadian.prompts == ENGLISH.prompts and canadian.stages == ENGLISH.stages
