"""Locale content: one English source, and per-locale folders only where wording differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.content import (
    DEFAULT_LOCALE,
    PUBLISHED_LOCALES,
    check_locales,
    content_data,
    content_for,
    fallbacks,
    load_content,
    placeholders,
)
from stagewise_tools.packaging.skill_package import locales

CONTENT = Path(__file__).resolve().parents[1] / "skill" / "content"
ENGLISH = load_content(DEFAULT_LOCALE)


def override_files() -> list[Path]:
    """Each locale folder's prompts (en-US's own are the source, not an override)."""
    return sorted(p for p in CONTENT.glob("*/prompts.json") if p.parent.name != DEFAULT_LOCALE)


def test_the_published_locales_are_the_models_locales() -> None:
    assert set(PUBLISHED_LOCALES) == set(locales())


def test_there_are_overrides_and_only_for_declared_locales() -> None:
    assert override_files()
    assert {p.parent.name for p in override_files()} <= set(locales()) - {DEFAULT_LOCALE}


@pytest.mark.parametrize("path", override_files(), ids=lambda p: p.parent.name)
def test_an_override_changes_wording_not_placeholders(path: Path) -> None:
    raw = {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}
    localized = load_content(path.parent.name)
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


def test_every_published_locale_resolves_every_content_file() -> None:
    check_locales()  # raises on a file a locale cannot resolve (issue 18: en-GB answers)
    for locale in PUBLISHED_LOCALES:
        assert fallbacks(locale)[-1] == DEFAULT_LOCALE
        assert content_data(locale, "not_answers.json") == content_data(
            DEFAULT_LOCALE, "not_answers.json"
        )


def test_the_start_check_reads_what_a_locale_overrides_and_leaves_en_us_alone_for_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locale's own file with a key en-US lacks stops the start; a file only en-US holds
    (the safety data) is not read at every cold start but by the turn that uses it."""
    import skill.content as content_module

    for folder in ("en-US", "en-GB"):
        (tmp_path / folder).mkdir()
    (tmp_path / "en-US" / "shared.json").write_text(json.dumps({"a": 1}))
    (tmp_path / "en-GB" / "shared.json").write_text(json.dumps({"a": 2}))
    (tmp_path / "en-US" / "big.json").write_text("{ not read at start")
    monkeypatch.setattr(content_module, "ROOT", tmp_path)
    monkeypatch.setattr(content_module, "load_content", lambda locale: None)
    content_module._read.cache_clear()
    try:
        check_locales()
        assert content_data("en-GB", "shared.json") == {"a": 2}
        with pytest.raises(json.JSONDecodeError):
            content_data("en-US", "big.json")  # the turn that uses it finds it broken
        (tmp_path / "en-GB" / "shared.json").write_text(json.dumps({"typo": 2}))
        content_module._read.cache_clear()
        with pytest.raises(ValueError, match="typo"):
            check_locales()
    finally:
        content_module._read.cache_clear()


def test_a_locale_folder_wins_key_by_key_then_the_language_then_en_us(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skill.content as content_module

    for folder, data in {
        "en-US": {"a": "us", "b": "us", "c": "us"},
        "en": {"b": "en", "c": "en"},
        "en-GB": {"c": "gb"},
    }.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.json").write_text(json.dumps(data))
    monkeypatch.setattr(content_module, "ROOT", tmp_path)
    content_module._read.cache_clear()
    try:
        assert fallbacks("en-GB") == ("en-GB", "en", "en-US")
        assert fallbacks("en-IN") == ("en", "en-US")
        assert content_data("en-GB", "x.json") == {"a": "us", "b": "en", "c": "gb"}
        assert content_data("en-IN", "x.json") == {"a": "us", "b": "en", "c": "en"}
        (tmp_path / "en-GB" / "y.json").write_text(json.dumps({"nope": 1}))
        (tmp_path / "en-US" / "y.json").write_text(json.dumps({"yes": 1}))
        with pytest.raises(ValueError, match="nope"):
            content_data("en-GB", "y.json")  # a key en-US does not have is a typo, not content
        with pytest.raises(FileNotFoundError):
            content_data("en-GB", "z.json")
    finally:
        content_module._read.cache_clear()


@pytest.mark.parametrize(
    ("locale", "speaks"),
    [("en-GB", "en-GB"), ("en-CA", "en-CA"), ("en-NZ", DEFAULT_LOCALE), ("de-DE", DEFAULT_LOCALE)],
)
def test_a_request_locale_finds_its_content(locale: str, speaks: str) -> None:
    assert content_for(locale).locale == speaks
