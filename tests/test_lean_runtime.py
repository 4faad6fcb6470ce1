"""Issue 21: a turn imports and does less than the SDK would, with the same results.

The cold start leaves out boto3 and the SDK's Alexa service clients, the envelope is read
without dateutil or a JSON round trip, and the session's profile is unpacked only when a
step asks for it. Each of these is checked to give what the ordinary way gives; the
benchmark (bench/cold_start.py, bench/import_costs.py, bench/latency.py) says what it saves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from skill.envelope_reader import EnvelopeSerializer
from skill.records import Profile
from skill.session import Answering, SessionState
from skill.store.dynamodb import DynamoStore, _from_wire, _to_wire
from stagewise_tools.alexa_requests import Device, intent, launch

ROOT = Path(__file__).resolve().parents[1]
EVENTS = sorted((ROOT / "tests" / "events").glob("*.json"))
HOUSEHOLD = "amzn1.ask.account.ours"

# -- DynamoDB without boto3 -----------------------------------------------------------------

ITEMS = [
    {"pk": "p", "sk": "s", "text": "Sam said: “é” & <b>", "stage": 3, "big": 10**20},
    {"none": None, "yes": True, "no": False, "empty": "", "nothing": [], "map": {}},
    {"nested": {"asked": {"1": ["attraction-01", "attraction-02"]}, "n": [1, 2, {"x": -7}]}},
    {"decimal": Decimal("1.5"), "tuple": ("a", "b"), "bytes": b"\x00\xff"},
]


@pytest.mark.parametrize("item", ITEMS)
def test_items_go_to_dynamodb_as_boto3_would_write_them(item: dict[str, Any]) -> None:
    serialize = TypeSerializer().serialize
    assert _to_wire(item) == {k: serialize(v) for k, v in item.items()}


def as_boto3_reads_it_with_whole_numbers_as_int(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, Binary):
        return value.value
    if isinstance(value, dict):
        return {k: as_boto3_reads_it_with_whole_numbers_as_int(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_boto3_reads_it_with_whole_numbers_as_int(v) for v in value]
    return value


@pytest.mark.parametrize("item", ITEMS)
def test_items_come_back_as_boto3_reads_them_with_whole_numbers_as_int(
    item: dict[str, Any],
) -> None:
    wire = {k: TypeSerializer().serialize(v) for k, v in item.items()}
    boto3s = {k: TypeDeserializer().deserialize(v) for k, v in wire.items()}
    # repr: Decimal("3") == 3, but a record must get the int 3 back, as it stored it.
    assert repr(_from_wire(wire)) == repr(as_boto3_reads_it_with_whole_numbers_as_int(boto3s))


def test_a_float_is_refused_rather_than_stored_inexactly() -> None:
    with pytest.raises(TypeError, match="float"):
        _to_wire({"x": 0.1})


def test_the_store_reads_what_it_wrote_on_dynamodb(dynamo_store: DynamoStore) -> None:
    profile = Profile(household_id=HOUSEHOLD, partner_a="Sam", partner_b="Alex", stage=2)
    stored = dynamo_store.put_profile(profile)
    assert dynamo_store.get_profile(HOUSEHOLD) == stored


# -- what a cold start imports ----------------------------------------------------------------

ONE_LAUNCH_ON_DYNAMODB = """
import json, sys
from lambda_function import lambda_handler
response = lambda_handler(json.loads(sys.stdin.read()), None)
print(json.dumps({"response": response, "modules": sorted(sys.modules)}))
"""


def test_a_launch_on_dynamodb_imports_neither_boto3_nor_the_alexa_service_clients(
    moto_endpoint: str, dynamodb_client: Any
) -> None:
    table = f"stagewise-{uuid.uuid4().hex[:8]}"
    DynamoStore(dynamodb_client, table).create()
    device = Device()
    device.new_session()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "lambda"), str(ROOT)]),
        "STAGEWISE_STORE": f"dynamodb://{table}",
        "AWS_ENDPOINT_URL_DYNAMODB": moto_endpoint,  # botocore alone honours it too
        "AWS_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", ONE_LAUNCH_ON_DYNAMODB],
        input=json.dumps(device.envelope(launch(), datetime.now(UTC))),
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=True,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "welcome" in loaded["response"]["response"]["outputSpeech"]["ssml"].lower()
    modules = loaded["modules"]
    assert "botocore.client" in modules  # it did reach DynamoDB
    assert [m for m in modules if m.split(".")[0] in ("boto3", "s3transfer")] == []
    services = [m for m in modules if m.startswith("ask_sdk_model.services.")]
    assert sorted(services) == [
        "ask_sdk_model.services.api_configuration",
        "ask_sdk_model.services.serializer",
    ]


def test_a_skill_with_an_api_client_still_gets_the_sdks_service_clients() -> None:
    from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory
    from ask_sdk_model.services.reminder_management import ReminderManagementServiceClient

    factory = ServiceClientFactory(
        ApiConfiguration(
            serializer=DefaultSerializer(),
            api_client=None,
            authorization_value="token",
            api_endpoint="https://api.amazonalexa.com",
        )
    )
    client = factory.get_reminder_management_service()
    assert isinstance(client, ReminderManagementServiceClient)


# -- the envelope, read faster -----------------------------------------------------------------


def every_event() -> list[dict[str, Any]]:
    events = [json.loads(path.read_text()) for path in EVENTS]
    device = Device()
    device.new_session()
    at = datetime(2026, 11, 16, 20, 0, 15, tzinfo=UTC)
    events += [
        device.envelope(launch(), at),
        device.envelope(intent("AnswerIntent", {"answer": "your patience"}), at),
    ]
    return events


@pytest.mark.parametrize("event", every_event(), ids=lambda e: e["request"]["type"])
def test_the_envelope_reads_as_the_sdk_reads_it(event: dict[str, Any]) -> None:
    sdk = DefaultSerializer()
    theirs = sdk.deserialize(json.dumps(event), RequestEnvelope)
    ours = EnvelopeSerializer().from_event(event, RequestEnvelope)
    assert sdk.serialize(ours) == sdk.serialize(theirs)
    assert ours.request.timestamp == theirs.request.timestamp


def test_alexa_timestamps_are_read_without_dateutil(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hooks are in use: with dateutil's parser broken, the envelope still reads."""
    import dateutil.parser

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("dateutil was asked")

    monkeypatch.setattr(dateutil.parser, "parse", broken)
    serializer = EnvelopeSerializer()
    envelope = serializer.from_event(json.loads(EVENTS[0].read_text()), RequestEnvelope)
    assert envelope.request.timestamp.tzinfo is not None
    assert "ask_sdk_model.context.Context" in serializer.classes  # found once, then remembered
    with pytest.raises(Exception, match="parse"):  # anything else still goes to dateutil
        serializer.from_event(
            {
                **json.loads(EVENTS[0].read_text()),
                "request": {"type": "LaunchRequest", "timestamp": "16 Nov 2026"},
            },
            RequestEnvelope,
        )


# -- the session's profile, unpacked when asked for -----------------------------------------


def carried(profile: Profile) -> dict[str, Any]:
    return SessionState(profile=profile, profile_loaded=True, awaiting=Answering()).to_attributes()


def test_a_profile_nobody_asks_for_is_handed_on_as_it_came() -> None:
    attributes = carried(Profile(household_id=HOUSEHOLD, partner_a="Sam", partner_b="Alex"))
    state = SessionState.from_attributes(attributes, HOUSEHOLD)
    again = state.to_attributes()
    assert again["profile"] is attributes["profile"]  # the same string: not unpacked, not packed
    assert again == attributes


def test_a_profile_read_but_not_changed_is_not_packed_again() -> None:
    attributes = carried(Profile(household_id=HOUSEHOLD, partner_a="Sam", partner_b="Alex"))
    state = SessionState.from_attributes(attributes, HOUSEHOLD)
    assert state.profile is not None and state.profile.partner_b == "Alex"
    assert state.to_attributes()["profile"] is attributes["profile"]


def test_a_changed_profile_is_packed_anew() -> None:
    attributes = carried(Profile(household_id=HOUSEHOLD, partner_a="Sam", partner_b="Alex"))
    state = SessionState.from_attributes(attributes, HOUSEHOLD)
    assert state.profile is not None
    state.profile = state.profile.with_changes(stage=3)
    packed = state.to_attributes()["profile"]
    assert json.loads(packed)["stage"] == 3
    assert SessionState.from_attributes(state.to_attributes(), HOUSEHOLD).profile == state.profile


def test_a_carried_profile_that_is_not_this_households_is_never_used() -> None:
    """Packed as ours begins, but a second household_id (JSON keeps the last) names another."""
    ours = json.loads(
        carried(Profile(household_id=HOUSEHOLD, partner_a="A", partner_b="B"))["profile"]
    )
    forged = json.dumps(ours, separators=(",", ":"))[:-1] + ',"household_id":"theirs"}'
    state = SessionState.from_attributes(
        {"profile": forged, "profile_loaded": True, "awaiting": {"moment": "answer"}}, HOUSEHOLD
    )
    assert state.profile is None and state.profile_loaded is False  # read from the store
    assert "profile" not in state.to_attributes()


def test_an_unreadable_carried_profile_is_read_from_the_store_instead() -> None:
    prefix = '{"household_id":' + json.dumps(HOUSEHOLD) + ","
    state = SessionState.from_attributes(
        {"profile": prefix + "not json", "profile_loaded": True}, HOUSEHOLD
    )
    assert state.profile is None and state.profile_loaded is False
