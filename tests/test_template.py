"""lambda/template.yaml: lint-clean, consistent with the code, deployable (moto CloudFormation)."""

from __future__ import annotations

import ast
import io
import re
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.api import lint_file
from cfnlint.decode import decode

from skill.store.dynamodb import DynamoStore
from stagewise_tools.packaging.bundle import HANDLER, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "lambda" / "template.yaml"
STORE_SOURCE = ROOT / "skill" / "store" / "dynamodb.py"
SKILL_ID = "amzn1.ask.skill.0a1b2c3d-4e5f"


def template() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE_PATH))
    assert not errors and decoded is not None
    return dict(decoded)


RESOURCES = template()["Resources"]


def of_type(kind: str) -> dict[str, Any]:
    [found] = [r["Properties"] for r in RESOURCES.values() if r["Type"] == kind]
    return dict(found)


def test_cfn_lint_finds_nothing() -> None:
    assert [str(match) for match in lint_file(TEMPLATE_PATH)] == []


class RecordingClient:
    """Stands in for boto3's client: keeps what `stagewise db create` asks DynamoDB for."""

    def __init__(self) -> None:
        self.created: dict[str, Any] = {}

    def create_table(self, **kwargs: Any) -> None:
        self.created = kwargs

    def get_waiter(self, _name: str) -> Any:
        return type("Waiter", (), {"wait": lambda *_a, **_k: None})()


def test_the_table_has_the_key_schema_db_create_uses() -> None:
    client = RecordingClient()
    DynamoStore(client, "stagewise").create()
    table = of_type("AWS::DynamoDB::Table")
    assert table["KeySchema"] == client.created["KeySchema"]
    assert table["AttributeDefinitions"] == client.created["AttributeDefinitions"]
    assert table["BillingMode"] == client.created["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_the_function_matches_what_stagewise_package_builds() -> None:
    function = of_type("AWS::Lambda::Function")
    parameters = template()["Parameters"]
    assert function["Runtime"] == {"Ref": "LambdaRuntime"}
    assert parameters["LambdaRuntime"]["AllowedValues"] == [LAMBDA_RUNTIME]
    assert parameters["LambdaHandler"]["AllowedValues"] == [HANDLER]
    assert function["Architectures"] == [LAMBDA_ARCHITECTURE]
    assert function["Timeout"] < 8  # Alexa waits about 8 s for a whole turn


def test_only_this_skill_may_invoke_the_function() -> None:
    permission = of_type("AWS::Lambda::Permission")
    assert permission["Principal"] == "alexa-appkit.amazon.com"
    assert permission["EventSourceToken"] == {"Ref": "SkillId"}


IAM_NAMES = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
IAM_NAMES["ConditionCheck"] = "ConditionCheckItem"


def dynamodb_actions_in_code() -> set[str]:
    """IAM actions for the DynamoDB calls skill/store/dynamodb.py makes on a turn.

    `create` is left out: `stagewise db create` runs with the operator's credentials.
    A transaction needs the IAM action of each kind of item it writes.
    """
    tree = ast.parse(STORE_SOURCE.read_text())
    actions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "create":
            continue
        if not isinstance(node, ast.FunctionDef):
            continue
        for call in ast.walk(node):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            target = call.func.value
            if not (isinstance(target, ast.Attribute) and target.attr == "client"):
                continue
            operation = call.func.attr
            if operation in ("get_paginator", "get_waiter"):
                operation = ast.literal_eval(call.args[0])
            if operation == "transact_write_items":
                keys = {
                    k.value
                    for d in ast.walk(node)
                    if isinstance(d, ast.Dict)
                    for k in d.keys
                    if isinstance(k, ast.Constant) and k.value in IAM_NAMES
                }
                actions |= {f"dynamodb:{IAM_NAMES[k]}" for k in keys}
                continue
            actions.add("dynamodb:" + "".join(p.title() for p in operation.split("_")))
    return actions


def test_the_policy_grants_exactly_the_table_actions_the_code_performs() -> None:
    role = of_type("AWS::IAM::Role")
    statements = [
        s
        for policy in role["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
        if any(a.startswith("dynamodb:") for a in s["Action"])
    ]
    [statement] = statements
    assert statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    in_code = dynamodb_actions_in_code()
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"} <= in_code
    assert set(statement["Action"]) == in_code


def test_the_narration_bucket_is_public_only_under_audio() -> None:
    [policy] = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == "*" and statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == {"Fn::Sub": "${AudioBucket.Arn}/audio/*"}
    block = RESOURCES["AudioBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] and block["IgnorePublicAcls"]  # no object ACLs, ever
    assert not block["BlockPublicPolicy"] and not block["RestrictPublicBuckets"]


def test_the_template_deploys_into_cloudformation(moto_endpoint: str) -> None:
    """moto's CloudFormation creates the stack: the table with its keys, the function."""
    region = "us-east-1"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=region)
    bucket = f"code-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("lambda_function.py", "def lambda_handler(event, context): ...\n")
    s3.put_object(Bucket=bucket, Key="lambda.zip", Body=code.getvalue())
    table = f"stagewise-{uuid.uuid4().hex[:8]}"
    stack = f"stagewise-{uuid.uuid4().hex[:8]}"
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name=region)
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=TEMPLATE_PATH.read_text(),
        Parameters=[
            {"ParameterKey": "SkillId", "ParameterValue": SKILL_ID},
            {"ParameterKey": "CodeBucket", "ParameterValue": bucket},
            {"ParameterKey": "CodeKey", "ParameterValue": "lambda.zip"},
            {"ParameterKey": "TableName", "ParameterValue": table},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    deadline = time.monotonic() + 60
    while True:
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        if not status["StackStatus"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["StackStatus"] == "CREATE_COMPLETE", status.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in status["Outputs"]}

    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name=region)
    described = dynamodb.describe_table(TableName=outputs["TableName"])["Table"]
    assert described["TableName"] == table
    assert described["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    lambda_client = boto3.client("lambda", endpoint_url=moto_endpoint, region_name=region)
    function = lambda_client.get_function(FunctionName=outputs["SkillEndpoint"])["Configuration"]
    assert function["Runtime"] == LAMBDA_RUNTIME and function["Handler"] == HANDLER
    assert function["Timeout"] == 7
    assert function["Environment"]["Variables"] == {
        "STAGEWISE_STORE": f"dynamodb://{table}",
        "STAGEWISE_SKILL_ID": SKILL_ID,
    }
    assert re.fullmatch(r"https://\S+/audio", outputs["AudioBaseUrl"])


@pytest.mark.parametrize("operation", sorted(dynamodb_actions_in_code()))
def test_every_action_is_a_real_dynamodb_operation(operation: str) -> None:
    """Guards the snake_case to IAM name mapping above against typos."""
    names = boto3.client("dynamodb", region_name="us-east-1").meta.service_model.operation_names
    assert operation.removeprefix("dynamodb:") in names
