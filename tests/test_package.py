"""`stagewise package`: a zip that answers from an empty directory, and a skill package for
five locales that the ASK tooling accepts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_model_runtime import DefaultSerializer

from skill.app import handle_event
from skill.store.dynamodb import DynamoStore
from stagewise_tools.nlu import Model, Resolver, normalize
from stagewise_tools.packaging.bundle import (
    LAMBDA_PYTHON,
    PROVIDED_BY_LAMBDA,
    RUNTIME_MODULES,
    find_interpreter,
)
from stagewise_tools.packaging.skill_package import (
    EVENTS,
    ManifestSettings,
    ask_resources,
    locale_model,
    locales,
    manifest,
)
from tests.conversation import Couple

ROOT = Path(__file__).resolve().parents[1]
EVENTS_DIR = Path(__file__).parent / "events"
ENGLISH = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:stagewise"
MB = 1024 * 1024

# Runs a list of events through lambda_function.lambda_handler and reports what was said and
# which `skill` modules were loaded. sys.path is exactly what argv names: no site, no repo.
RUNNER = """
import json, sys
events_path, *paths = sys.argv[1:]
sys.path[:0] = paths
import lambda_function
said = []
for event in json.load(open(events_path)):
    reply = lambda_function.lambda_handler(event, None)
    said.append(reply.get("response", {}).get("outputSpeech", {}).get("ssml", ""))
files = sorted({sys.modules[n].__file__ for n in list(sys.modules)
                if n == "skill" or n.startswith("skill.")})
print(json.dumps({"said": said, "modules": files, "path": sys.path}))
"""


def settings(**values: Any) -> ManifestSettings:
    return ManifestSettings(**{"lambda_arn": ARN, **values})


def round_trip(data: dict[str, Any], kind: type) -> None:
    serializer = DefaultSerializer()
    parsed = serializer.deserialize(json.dumps(data), kind)
    assert serializer.serialize(parsed) == data


# --- the skill package -----------------------------------------------------------------


def test_five_english_locales() -> None:
    assert sorted(locales()) == sorted(ENGLISH)


@pytest.mark.parametrize(
    "config",
    [
        settings(privacy_url="https://stagewise.example/privacy"),
        ManifestSettings(https_endpoint="https://alexa.example.com/alexa"),
        ManifestSettings(),
    ],
    ids=["lambda", "https", "endpoint-left-to-ask-deploy"],
)
def test_the_manifest_deserializes_and_round_trips(config: ManifestSettings) -> None:
    from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

    round_trip(manifest(config), SkillManifestEnvelope)


@pytest.mark.parametrize("locale", ENGLISH)
def test_each_locales_model_round_trips(locale: str) -> None:
    from ask_smapi_model.v1.skill.interaction_model.interaction_model_data import (
        InteractionModelData,
    )

    round_trip(locale_model(locale), InteractionModelData)


def test_a_new_intent_in_en_us_reaches_every_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    import stagewise_tools.packaging.skill_package as package

    original = package._read

    def with_new_intent(name: str) -> Any:
        data = original(name)
        if name == "en-US.json":
            intents = data["interactionModel"]["languageModel"]["intents"]
            intents.append({"name": "PlanDateIntent", "slots": [], "samples": ["plan a date"]})
        return data

    monkeypatch.setattr(package, "_read", with_new_intent)
    for locale in ENGLISH:
        names = [
            i["name"] for i in locale_model(locale)["interactionModel"]["languageModel"]["intents"]
        ]
        assert "PlanDateIntent" in names


def test_publishing_privacy_and_endpoint_per_locale() -> None:
    body = manifest(
        settings(privacy_url="https://s.example/privacy", terms_url="https://s.example/terms")
    )["manifest"]
    publishing = body["publishingInformation"]
    assert set(publishing["locales"]) == set(ENGLISH)
    assert sorted(publishing["distributionCountries"]) == ["AU", "CA", "GB", "IN", "US"]
    for locale in ENGLISH:
        info = publishing["locales"][locale]
        assert info["name"] == "Stagewise" and info["summary"] and info["keywords"]
        policy = body["privacyAndCompliance"]["locales"][locale]
        assert policy == {
            "privacyPolicyUrl": "https://s.example/privacy",
            "termsOfUseUrl": "https://s.example/terms",
        }
    assert body["privacyAndCompliance"]["usesPersonalInfo"] is True  # names and answers
    assert body["privacyAndCompliance"]["isExportCompliant"] is True
    assert body["apis"]["custom"]["endpoint"] == {"uri": ARN}
    assert body["events"]["endpoint"] == {"uri": ARN}
    assert [s["eventName"] for s in body["events"]["subscriptions"]] == list(EVENTS)
    assert {"SKILL_ENABLED", "SKILL_DISABLED"} <= set(EVENTS)
    assert body["permissions"] == [
        {"name": "alexa::alerts:reminders:skill:readwrite"},
        {"name": "alexa::person_id:read"},
    ]


def test_an_https_endpoint_carries_its_certificate_type() -> None:
    body = manifest(
        ManifestSettings(https_endpoint="https://a.example/alexa", ssl_certificate_type="Wildcard")
    )["manifest"]
    expected = {"uri": "https://a.example/alexa", "sslCertificateType": "Wildcard"}
    assert body["apis"]["custom"]["endpoint"] == expected


def test_the_apl_interface_covers_round_landscape_and_tv() -> None:
    [apl] = manifest(settings())["manifest"]["apis"]["custom"]["interfaces"]
    assert apl["type"] == "ALEXA_PRESENTATION_APL"
    shapes = {(v["mode"], v["shape"], v["minWidth"]) for v in apl["supportedViewports"]}
    assert shapes == {
        ("HUB", "ROUND", 480),
        ("HUB", "RECTANGLE", 960),
        ("HUB", "RECTANGLE", 1280),
        ("TV", "RECTANGLE", 960),
    }
    for viewport in apl["supportedViewports"]:
        assert viewport["minWidth"] <= viewport["maxWidth"]
        assert viewport["minHeight"] <= viewport["maxHeight"]


@pytest.mark.parametrize(
    "bad",
    [
        {"privacy_url": "http://s.example/privacy"},
        {"https_endpoint": "https://a.example/alexa"},  # as well as the ARN
        {"lambda_arn": "stagewise"},
        {"ssl_certificate_type": "Whatever"},
    ],
)
def test_bad_configuration_is_refused_with_a_reason(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        manifest(settings(**bad))


def test_configuration_comes_from_the_environment() -> None:
    env = {
        "STAGEWISE_LAMBDA_ARN": ARN,
        "STAGEWISE_PRIVACY_URL": "https://s.example/p",
        "STAGEWISE_TERMS_URL": "https://s.example/t",
    }
    config = ManifestSettings.from_env(env)
    assert config == ManifestSettings(
        lambda_arn=ARN, privacy_url="https://s.example/p", terms_url="https://s.example/t"
    )


@pytest.mark.parametrize("locale", ENGLISH)
def test_every_example_phrase_is_a_sample_of_that_locales_model(locale: str) -> None:
    model = Model.from_json(locale_model(locale))
    phrases = manifest(settings())["manifest"]["publishingInformation"]["locales"][locale]
    assert 1 <= len(phrases["examplePhrases"]) <= 3
    assert phrases["examplePhrases"][0].startswith("Alexa, open")
    for phrase in phrases["examplePhrases"]:
        resolution = Resolver(model, date(2026, 11, 20)).resolve(
            normalize(phrase), in_session=False
        )
        assert resolution.kind in ("launch", "intent") and resolution.matched, phrase
        assert resolution.intent != "AMAZON.FallbackIntent", phrase


def test_ask_resources_uses_the_cloudformation_deployer_with_our_template() -> None:
    resources = ask_resources("skill-package", "lambda", "../lambda/template.yaml", "eu-west-1")
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    profile = resources["profiles"]["default"]
    assert profile["skillMetadata"] == {"src": "skill-package"}
    assert profile["code"]["default"] == {"src": "lambda"}
    infrastructure = profile["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/cfn-deployer"
    assert infrastructure["userConfig"]["runtime"] == f"python{LAMBDA_PYTHON}"
    assert infrastructure["userConfig"]["handler"] == "lambda_function.lambda_handler"


# --- the zip -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    out: Path
    stdout: str


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`stagewise package` once per session, as an operator runs it (about 20 s)."""
    out = tmp_path_factory.mktemp("package")
    reply = subprocess.run(
        [sys.executable, "-m", "stagewise_tools.cli", "package", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env={**os.environ, "STAGEWISE_LAMBDA_ARN": ARN},
    )
    assert reply.returncode == 0, reply.stderr[-3000:]
    return Built(out=out, stdout=reply.stdout)


@pytest.fixture(scope="session")
def lambda_runtime_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Lambda Python runtime itself provides (boto3 and its dependencies)."""
    out = tmp_path_factory.mktemp("lambda-runtime")
    for name in PROVIDED_BY_LAMBDA:
        dist = distribution(name)
        for file in dist.files or ():
            source = Path(str(dist.locate_file(file)))
            if source.is_file() and ".." not in file.parts and "__pycache__" not in file.parts:
                target = out / file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    return out


@dataclass(frozen=True)
class Evening:
    events: list[dict[str, Any]]
    said: list[str]  # what the skill said in this process, from the source tree


def recorded_events(app: Any) -> Evening:
    """A couple's evening and the next day, as the envelopes Alexa would send."""
    events: list[dict[str, Any]] = []
    said: list[str] = []

    def record(event: dict[str, Any]) -> dict[str, Any]:
        events.append(json.loads(json.dumps(event)))
        reply = handle_event(app, event)
        said.append(reply.get("response", {}).get("outputSpeech", {}).get("ssml", ""))
        return reply

    couple = Couple(app, handler=record)
    couple.onboard()
    couple.answer("the way you hum when you cook")
    couple.answer("your patience")
    couple.later(days=1)
    couple.intent("RecapIntent", new_session=True, period=None)
    couple.intent("StageInfoIntent", new_session=True)
    couple.intent("AMAZON.HelpIntent")
    couple.intent("AMAZON.StopIntent")
    for path in sorted(EVENTS_DIR.glob("*.json")):
        record(json.loads(path.read_text()))
    return Evening(events, said)


def run_events(
    python: str, events: list[dict[str, Any]], paths: list[Path], env: dict[str, str], tmp: Path
) -> dict[str, Any]:
    events_file = tmp / f"events-{uuid.uuid4().hex[:6]}.json"
    events_file.write_text(json.dumps(events))
    reply = subprocess.run(
        [python, "-I", "-S", "-c", RUNNER, str(events_file), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp,
        env={"PATH": os.environ.get("PATH", ""), **env},
    )
    assert reply.returncode == 0, reply.stderr[-3000:]
    return dict(json.loads(reply.stdout))


@pytest.fixture
def evening(app: Any) -> Evening:
    return recorded_events(app)


def test_the_zip_is_small_and_the_size_is_printed(built: Built) -> None:
    size = (built.out / "lambda.zip").stat().st_size
    assert size <= 5 * MB
    assert f"lambda.zip: {size / MB:.2f} MB" in built.stdout


def test_the_zip_holds_the_runtime_skill_modules_and_no_tooling(built: Built) -> None:
    with zipfile.ZipFile(built.out / "lambda.zip") as archive:
        names = archive.namelist()
    skill_modules = {n for n in names if n.startswith("skill/") and n.endswith(".py")}
    assert skill_modules == set(RUNTIME_MODULES)
    assert "lambda_function.py" in names
    assert "skill/audio_manifest.json" in names and "skill/content/en-US/prompts.json" in names
    tops = {n.split("/")[0] for n in names}
    assert {"ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime"} <= tops
    assert not tops & {"boto3", "botocore", "s3transfer", "dateutil", "six.py", "urllib3", "bin"}
    assert not any(n.startswith(("skill/web/", "skill/interaction_model/")) for n in names)


def test_the_zip_is_compiled_for_the_lambda_python_when_one_is_here(built: Built) -> None:
    with zipfile.ZipFile(built.out / "lambda.zip") as archive:
        names = archive.namelist()
    tag = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"
    compiled = [n for n in names if n.endswith(f".{tag}.pyc")]
    if find_interpreter(LAMBDA_PYTHON) is None:
        assert compiled == [] and "bytecode: none" in built.stdout
        pytest.skip(f"no Python {LAMBDA_PYTHON} on this machine: the zip ships sources only")
    assert f"skill/__pycache__/app.{tag}.pyc" in names
    assert f"ask_sdk_model/__pycache__/__init__.{tag}.pyc" in names
    assert not [n for n in names if n.endswith(".pyc") and tag not in n]


def test_the_skill_package_is_in_the_ask_cli_layout(built: Built) -> None:
    from ask_smapi_model.v1.skill.interaction_model.interaction_model_data import (
        InteractionModelData,
    )
    from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

    package = built.out / "skill-package"
    round_trip(json.loads((package / "skill.json").read_text()), SkillManifestEnvelope)
    models = sorted(p.stem for p in (package / "interactionModels" / "custom").glob("*.json"))
    assert models == sorted(ENGLISH)
    for locale in ENGLISH:
        path = package / "interactionModels" / "custom" / f"{locale}.json"
        round_trip(json.loads(path.read_text()), InteractionModelData)
    resources = json.loads((built.out / "ask-resources.json").read_text())
    profile = resources["profiles"]["default"]
    assert (built.out / profile["skillMetadata"]["src"] / "skill.json").is_file()
    code = built.out / profile["code"]["default"]["src"]
    assert (code / "lambda_function.py").is_file()
    # Without requirements.txt the ASK CLI zips the folder as it is (its zip-only build flow)
    # instead of pip-installing for the machine it runs on.
    assert not (code / "requirements.txt").exists()
    template = built.out / profile["skillInfrastructure"]["userConfig"]["templatePath"]
    assert template.resolve() == (ROOT / "lambda" / "template.yaml").resolve()
    endpoint = json.loads((package / "skill.json").read_text())["manifest"]["apis"]["custom"]
    assert endpoint["endpoint"] == {"uri": ARN}


def test_the_zip_answers_from_an_empty_directory(
    built: Built, lambda_runtime_packages: Path, tmp_path: Path, evening: Evening
) -> None:
    """Unzipped alone, beside only what Lambda provides, on SQLite: a real evening."""
    unzipped = tmp_path / "task"
    unzipped.mkdir()
    with zipfile.ZipFile(built.out / "lambda.zip") as archive:
        archive.extractall(unzipped)
    python = find_interpreter(LAMBDA_PYTHON) or sys.executable
    env = {"STAGEWISE_STORE": f"sqlite:///{tmp_path / 'skill.db'}"}
    paths = [unzipped, lambda_runtime_packages]
    result = run_events(python, evening.events, paths, env, tmp_path)
    assert not [p for p in result["path"] if str(ROOT) in p or "site-packages" in p]
    assert all(m.startswith(str(unzipped)) for m in result["modules"])
    said = result["said"]
    assert "welcome to stagewise" in said[0].lower()
    assert "Sam said: the way you hum when you cook." in " ".join(said)
    assert "Alex said: your patience." in " ".join(said)
    assert said == evening.said  # word for word what the source tree says


def measured_modules(result: dict[str, Any]) -> set[str]:
    return {Path(m).relative_to(ROOT).as_posix() for m in result["modules"]}


def test_the_allowlist_is_exactly_what_turns_import(
    tmp_path: Path,
    evening: Evening,
    moto_endpoint: str,
    dynamodb_client: Any,
) -> None:
    """Measured in fresh processes from the source tree, on each store a turn can use."""
    site = [Path(p) for p in sys.path if p.endswith("site-packages")]
    sqlite_run = run_events(
        sys.executable,
        evening.events,
        [ROOT / "lambda", ROOT, *site],
        {"STAGEWISE_STORE": f"sqlite:///{tmp_path / 'measure.db'}"},
        tmp_path,
    )
    table = f"stagewise-{uuid.uuid4().hex[:8]}"
    DynamoStore(dynamodb_client, table).create()
    dynamo_run = run_events(
        sys.executable,
        evening.events,
        [ROOT / "lambda", ROOT, *site],
        {
            "STAGEWISE_STORE": f"dynamodb://{table}",
            "AWS_ENDPOINT_URL_DYNAMODB": moto_endpoint,
            **{k: os.environ[k] for k in os.environ if k.startswith("AWS_")},
        },
        tmp_path,
    )
    assert dynamo_run["said"] == sqlite_run["said"] == evening.said
    assert measured_modules(sqlite_run) | measured_modules(dynamo_run) == set(RUNTIME_MODULES)
