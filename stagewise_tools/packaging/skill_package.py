"""The ASK CLI skill package: one interaction model and one manifest, spread over five locales.

`interaction_model/en-US.json` is the only hand-edited model; every other locale is a copy
with the extra phrasings in `interaction_model/locales.json`. `interaction_model/skill.json`
is the manifest template: its en-US publishing and privacy blocks serve every locale, and
the endpoint, URLs, permissions, events and APL interface are filled in here.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from skill.content import content_for
from stagewise_tools.packaging.bundle import HANDLER, LAMBDA_RUNTIME

SOURCE_LOCALE = "en-US"

# Permissions the skill asks for; the manifest and README follow. Couples tell Stagewise
# their first names, so no profile permission is needed.
PERMISSIONS: tuple[str, ...] = (
    "alexa::alerts:reminders:skill:readwrite",  # the weekly reconnect reminder, asked by voice
    "alexa::person_id:read",  # context.System.person: whose voice it is (skill.handlers.voices)
)
EVENTS = (
    "SKILL_ENABLED",
    "SKILL_DISABLED",  # the household's data is deleted
    "SKILL_PERMISSION_ACCEPTED",
    "SKILL_PERMISSION_CHANGED",
    "REMINDER_DELETED",  # deleted in the Alexa app: the profile forgets its alert token
)
SSL_CERTIFICATE_TYPES = ("Trusted", "Wildcard", "SelfSigned")
# The viewport profiles of every Echo with a screen, in display-independent pixels as the
# developer console writes them: hubRoundSmall (Echo Spot), hubLandscapeSmall (Echo Show 5,
# 960x480), hubLandscapeMedium (Echo Show 8), hubLandscapeLarge (Echo Show 10 and 15),
# tvLandscapeXLarge (Fire TV). tests/test_display.py previews the question screen at a size
# inside each range, in Chromium.
APL_VIEWPORTS: tuple[dict[str, Any], ...] = (
    {
        "mode": "HUB",
        "shape": "ROUND",
        "minWidth": 480,
        "maxWidth": 599,
        "minHeight": 480,
        "maxHeight": 599,
    },
    {
        "mode": "HUB",
        "shape": "RECTANGLE",
        "minWidth": 960,
        "maxWidth": 1279,
        "minHeight": 480,
        "maxHeight": 599,
    },
    {
        "mode": "HUB",
        "shape": "RECTANGLE",
        "minWidth": 960,
        "maxWidth": 1279,
        "minHeight": 600,
        "maxHeight": 959,
    },
    {
        "mode": "HUB",
        "shape": "RECTANGLE",
        "minWidth": 1280,
        "maxWidth": 1920,
        "minHeight": 800,
        "maxHeight": 1279,
    },
    {
        "mode": "TV",
        "shape": "RECTANGLE",
        "minWidth": 960,
        "maxWidth": 960,
        "minHeight": 540,
        "maxHeight": 540,
    },
)


def _read(name: str) -> Any:
    """A file of interaction_model/ (shipped in the package as skill/interaction_model/)."""
    return json.loads(
        files("stagewise_tools.interaction_model").joinpath(name).read_text(encoding="utf-8")
    )


@cache
def locale_settings() -> dict[str, dict[str, Any]]:
    """interaction_model/locales.json without its comment: locale -> country, samples."""
    raw = _read("locales.json")
    return {key: value for key, value in raw.items() if not key.startswith("_")}


def locales() -> tuple[str, ...]:
    return tuple(locale_settings())


def locale_model(locale: str) -> dict[str, Any]:
    """The en-US model plus the locale's extra samples (new intents in en-US come along)."""
    model = copy.deepcopy(_read(f"{SOURCE_LOCALE}.json"))
    extra: Mapping[str, list[str]] = locale_settings()[locale]["samples"]
    intents = {i["name"]: i for i in model["interactionModel"]["languageModel"]["intents"]}
    for name, samples in extra.items():
        if name not in intents:
            raise ValueError(f"{locale}: extra samples for {name}, which en-US.json lacks")
        have = intents[name].setdefault("samples", [])
        repeated = sorted(set(samples) & set(have))
        if repeated:
            raise ValueError(f"{locale}: {name} already has {repeated}")
        have.extend(samples)
    return model


@dataclass(frozen=True)
class ManifestSettings:
    """What an operator configures: where Alexa sends requests, and the published URLs."""

    lambda_arn: str | None = None
    https_endpoint: str | None = None
    ssl_certificate_type: str = "Trusted"
    privacy_url: str | None = None
    terms_url: str | None = None
    icon_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ManifestSettings:
        return cls(
            lambda_arn=env.get("STAGEWISE_LAMBDA_ARN") or None,
            https_endpoint=env.get("STAGEWISE_HTTPS_ENDPOINT") or None,
            ssl_certificate_type=env.get("STAGEWISE_SSL_CERTIFICATE_TYPE") or "Trusted",
            privacy_url=env.get("STAGEWISE_PRIVACY_URL") or None,
            terms_url=env.get("STAGEWISE_TERMS_URL") or None,
            icon_base_url=env.get("STAGEWISE_ICON_BASE_URL") or None,
        )

    def check(self) -> None:
        if self.lambda_arn and self.https_endpoint:
            raise ValueError("give a Lambda ARN or an HTTPS endpoint, not both")
        if self.lambda_arn and not self.lambda_arn.startswith("arn:aws:lambda:"):
            raise ValueError(f"not a Lambda ARN: {self.lambda_arn!r}")
        for name in ("https_endpoint", "privacy_url", "terms_url", "icon_base_url"):
            value = getattr(self, name)
            if value and not value.startswith("https://"):
                raise ValueError(f"{name.replace('_', ' ')} must be an https:// URL: {value!r}")
        if self.ssl_certificate_type not in SSL_CERTIFICATE_TYPES:
            raise ValueError(f"SSL certificate type must be one of {SSL_CERTIFICATE_TYPES}")

    def endpoint(self) -> dict[str, str] | None:
        if self.lambda_arn:
            return {"uri": self.lambda_arn}
        if self.https_endpoint:
            return {"uri": self.https_endpoint, "sslCertificateType": self.ssl_certificate_type}
        return None  # the ASK CLI deployer fills it in with the Lambda it deploys


def manifest(settings: ManifestSettings) -> dict[str, Any]:
    """skill.json for every locale, from the template and the operator's settings."""
    settings.check()
    envelope = copy.deepcopy(_read("skill.json"))
    body = envelope["manifest"]
    publishing = body["publishingInformation"]
    privacy = body["privacyAndCompliance"]
    english = publishing["locales"][SOURCE_LOCALE]
    policy = privacy["locales"][SOURCE_LOCALE]
    if settings.privacy_url:
        policy["privacyPolicyUrl"] = settings.privacy_url
    if settings.terms_url:
        policy["termsOfUseUrl"] = settings.terms_url
    if settings.icon_base_url:
        base = settings.icon_base_url.rstrip("/")
        english["smallIconUri"] = f"{base}/icon-108.png"
        english["largeIconUri"] = f"{base}/icon-512.png"
    publishing["locales"] = {locale: copy.deepcopy(english) for locale in locales()}
    for locale, listing in publishing["locales"].items():
        # Not therapy, and where to turn if someone feels unsafe: the locale's own crisis line.
        listing["description"] += " " + content_for(locale).say("crisis.where_to_turn")
    privacy["locales"] = {locale: copy.deepcopy(policy) for locale in locales()}
    publishing["distributionCountries"] = [s["country"] for s in locale_settings().values()]
    custom = body["apis"]["custom"]
    custom["interfaces"] = [
        {"type": "ALEXA_PRESENTATION_APL", "supportedViewports": list(APL_VIEWPORTS)}
    ]
    endpoint = settings.endpoint()
    body.pop("events", None)  # EVENTS is the one list of subscriptions
    if endpoint:
        custom["endpoint"] = endpoint
        body["events"] = {
            "endpoint": dict(endpoint),
            "subscriptions": [{"eventName": name} for name in EVENTS],
        }
    # Without an endpoint, no `events` at all: SMAPI requires events.endpoint, and `ask deploy`
    # uploads this manifest before it deploys the function. It then adds the events itself,
    # with the function's ARN, from ask-resources.json's skillEvents (see ask_resources).
    if PERMISSIONS:
        body["permissions"] = [{"name": name} for name in PERMISSIONS]
    return envelope


def write_skill_package(out: Path, settings: ManifestSettings) -> list[Path]:
    """build/skill-package/: skill.json and interactionModels/custom/<locale>.json."""
    written = [out / "skill.json"]
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "skill.json", manifest(settings))
    models = out / "interactionModels" / "custom"
    models.mkdir(parents=True, exist_ok=True)
    for stale in models.glob("*.json"):
        stale.unlink()
    for locale in locales():
        path = models / f"{locale}.json"
        _write_json(path, locale_model(locale))
        written.append(path)
    return written


def ask_resources(skill_package: str, code: str, template: str, region: str) -> dict[str, Any]:
    """ask-resources.json for `ask deploy` with the CloudFormation deployer and our template.

    `skillEvents` is what makes the ASK CLI write `events` into skill.json after the deploy:
    the endpoint (the stack's SkillEndpoint output) and these subscriptions. Without it the
    CLI sets only apis.custom.endpoint, and no skill event (SkillDisabled: our deletion
    path) would ever reach the function (ask-cli, lib/controllers/
    skill-infrastructure-controller/index.js, updateSkillManifestWithDeployResult).
    """
    return {
        "askcliResourcesVersion": "2020-03-31",
        "profiles": {
            "default": {
                "skillMetadata": {"src": skill_package},
                "code": {"default": {"src": code}},
                "skillInfrastructure": {
                    "type": "@ask-cli/cfn-deployer",
                    "userConfig": {
                        "runtime": LAMBDA_RUNTIME,
                        "handler": HANDLER,
                        "templatePath": template,
                        "awsRegion": region,
                        "skillEvents": {"subscriptions": list(EVENTS)},
                    },
                },
            }
        },
    }


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
