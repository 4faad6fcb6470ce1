"""lambda/template.yaml: lint-clean, consistent with the code, deployable anywhere (moto)."""

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
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode import decode

from skill.store.dynamodb import DynamoStore
from stagewise_tools.packaging.bundle import HANDLER, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "lambda" / "template.yaml"
STORE_SOURCE = ROOT / "skill" / "store" / "dynamodb"  # a package: every module of it
SKILL_ID = "amzn1.ask.skill.0a1b2c3d-4e5f"


def template() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE_PATH))
    assert not errors and decoded is not None
    return dict(decoded)


RESOURCES = template()["Resources"]


def of_type(kind: str) -> dict[str, Any]:
    [found] = [r["Properties"] for r in RESOURCES.values() if r["Type"] == kind]
    return dict(found)


def test_cfn_lint_finds_nothing_informational_checks_included() -> None:
    matches = lint_file(TEMPLATE_PATH, ManualArgs(include_checks=["I"]))
    assert [str(match) for match in matches] == []


def test_cfn_lint_would_flag_a_stateful_resource_without_deletion_policies(
    tmp_path: Path,
) -> None:
    """The informational checks run: the log group without its policies is reported."""
    text = TEMPLATE_PATH.read_text()
    without = text.replace("    DeletionPolicy: Delete  #", "    #", 1)
    assert without != text
    (tmp_path / "template.yaml").write_text(without)
    matches = lint_file(tmp_path / "template.yaml", ManualArgs(include_checks=["I"]))
    assert any("I3011" in str(match) for match in matches)


# --- the template with its parameters applied, as CloudFormation would ---------------------


def _condition(expression: Any, parameters: dict[str, str], conditions: dict[str, Any]) -> Any:
    """The value of a condition expression or a parameter reference."""
    if isinstance(expression, dict):
        [(function, argument)] = expression.items()
        if function == "Ref":
            return parameters[argument]
        if function == "Condition":
            return _condition(conditions[argument], parameters, conditions)
        values = [_condition(a, parameters, conditions) for a in argument]
        return {
            "Fn::Equals": lambda: values[0] == values[1],
            "Fn::Not": lambda: not values[0],
            "Fn::And": lambda: all(values),
            "Fn::Or": lambda: any(values),
        }[function]()
    return expression


_GONE = object()  # AWS::NoValue


def _resolve(node: Any, holds: dict[str, bool]) -> Any:
    if isinstance(node, dict):
        if list(node) == ["Fn::If"]:
            name, then, otherwise = node["Fn::If"]
            return _resolve(then if holds[name] else otherwise, holds)
        if node == {"Ref": "AWS::NoValue"}:
            return _GONE
        resolved = {k: _resolve(v, holds) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not _GONE}
    if isinstance(node, list):
        return [v for v in (_resolve(v, holds) for v in node) if v is not _GONE]
    return node


def applied(**given: str) -> dict[str, Any]:
    """Resources and outputs that exist with these parameters, every Fn::If decided."""
    document = template()
    parameters = {name: p.get("Default", "") for name, p in document["Parameters"].items()}
    parameters |= given
    conditions = document["Conditions"]
    holds = {name: bool(_condition(c, parameters, conditions)) for name, c in conditions.items()}
    kept = {
        section: {
            name: _resolve(body, holds)
            for name, body in document[section].items()
            if holds.get(body.get("Condition", ""), True)
        }
        for section in ("Resources", "Outputs")
    }
    return kept


def test_by_default_nothing_is_public_and_no_name_is_fixed() -> None:
    resources = applied(SkillId=SKILL_ID)["Resources"]
    kinds = {r["Type"] for r in resources.values()}
    assert not kinds & {"AWS::S3::Bucket", "AWS::S3::BucketPolicy"}
    named = {
        name: r["Properties"][key]
        for name, r in resources.items()
        for key in ("TableName", "FunctionName", "LogGroupName", "BucketName", "RoleName")
        if key in r.get("Properties", {}) and r["Type"] != "AWS::Lambda::Permission"
    }
    assert named == {}  # CloudFormation generates every physical name


def test_stateful_resources_say_what_happens_to_them_on_delete() -> None:
    for name in ("Table", "AudioBucket", "FunctionLogs"):
        assert RESOURCES[name]["DeletionPolicy"] == RESOURCES[name]["UpdateReplacePolicy"]
    assert RESOURCES["Table"]["DeletionPolicy"] == "Retain"  # answers outlive a stack


def test_the_function_writes_only_to_its_own_log_group() -> None:
    function = of_type("AWS::Lambda::Function")
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "FunctionLogs"}}
    [statement] = [
        s
        for policy in of_type("AWS::IAM::Role")["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
        if any(a.startswith("logs:") for a in s["Action"])
    ]
    resource = statement["Resource"]["Fn::Sub"]
    assert resource.endswith(":log-group:${FunctionLogs}:*")
    assert "*" not in resource.removesuffix(":*")  # no wildcard in the group's name


@pytest.mark.parametrize("snapstart", ["false", "true"])
def test_alexa_calls_what_the_skill_endpoint_names(snapstart: str) -> None:
    """With SnapStart, Alexa's permission and the endpoint are the alias of a published
    version of the function (SnapStart applies to published versions only)."""
    kept = applied(SkillId=SKILL_ID, SnapStart=snapstart)
    resources, outputs = kept["Resources"], kept["Outputs"]
    trigger = resources["AlexaTrigger"]["Properties"]
    assert trigger["FunctionName"] == outputs["SkillEndpoint"]["Value"]
    function = resources["Function"]["Properties"]
    if snapstart == "false":
        assert trigger["FunctionName"] == {"Fn::GetAtt": ["Function", "Arn"]}
        assert "SnapStart" not in function
        assert not {"FunctionVersion", "LiveAlias"} & set(resources)
        return
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert trigger["FunctionName"] == {"Ref": "LiveAlias"}  # Ref of an alias: its ARN
    alias = resources["LiveAlias"]["Properties"]
    assert alias["FunctionVersion"] == {"Fn::GetAtt": ["FunctionVersion", "Version"]}
    version = resources["FunctionVersion"]["Properties"]
    assert version["FunctionName"] == alias["FunctionName"] == {"Ref": "Function"}
    # New code must publish a new version: Description is create-only, so naming the code
    # in it replaces the version whenever the ASK CLI uploads a new object.
    named = set(re.findall(r"\$\{(\w+)\}", version["Description"]["Fn::Sub"]))
    assert {"CodeKey", "CodeVersion"} <= named


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
    """IAM actions for the DynamoDB calls skill/store/dynamodb/ makes on a turn.

    `create` is left out: `stagewise db create` runs with the operator's credentials.
    A transaction needs the IAM action of each kind of item it writes.
    """
    trees = [ast.parse(path.read_text()) for path in sorted(STORE_SOURCE.glob("*.py"))]
    actions: set[str] = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
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


def test_the_narration_bucket_is_public_only_under_audio_and_only_when_asked() -> None:
    assert RESOURCES["AudioBucket"]["Condition"] == RESOURCES["AudioBucketPolicy"]["Condition"]
    with_narration = applied(SkillId=SKILL_ID, Narration="true")["Resources"]
    assert {"AudioBucket", "AudioBucketPolicy"} <= set(with_narration)
    [policy] = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == "*" and statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == {"Fn::Sub": "${AudioBucket.Arn}/audio/*"}
    block = RESOURCES["AudioBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] and block["IgnorePublicAcls"]  # no object ACLs, ever
    assert not block["BlockPublicPolicy"] and not block["RestrictPublicBuckets"]


def deploy(cloudformation: Any, stack: str, bucket: str, **parameters: str) -> dict[str, str]:
    """Create a stack from the template (as the ASK CLI would) and return its outputs."""
    given = {"SkillId": SKILL_ID, "CodeBucket": bucket, "CodeKey": "lambda.zip", **parameters}
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=TEMPLATE_PATH.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    deadline = time.monotonic() + 60
    while True:
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        if not status["StackStatus"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["StackStatus"] == "CREATE_COMPLETE", status.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in status["Outputs"]}


def test_two_stacks_deploy_side_by_side_with_the_defaults(moto_endpoint: str) -> None:
    """A second stack, or a new one after build/.ask/ is lost: nothing collides.

    moto's CloudFormation creates each stack: the table with its keys, the function, its
    own log group and the role allowed only that group; no bucket, since narration is off.
    """
    region = "us-east-1"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=region)
    bucket = f"code-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("lambda_function.py", "def lambda_handler(event, context): ...\n")
    s3.put_object(Bucket=bucket, Key="lambda.zip", Body=code.getvalue())
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name=region)
    buckets_before = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    stacks = [f"stagewise-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    outputs = [deploy(cloudformation, stack, bucket) for stack in stacks]

    for key in ("TableName", "SkillEndpoint", "LogGroup"):
        assert outputs[0][key] != outputs[1][key], key
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == buckets_before
    assert not any("AudioBaseUrl" in o for o in outputs)

    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name=region)
    lambda_client = boto3.client("lambda", endpoint_url=moto_endpoint, region_name=region)
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name=region)
    for stack, out in zip(stacks, outputs, strict=True):
        described = dynamodb.describe_table(TableName=out["TableName"])["Table"]
        assert described["TableName"].startswith(stack)  # generated, unique to the stack
        assert described["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        function = lambda_client.get_function(FunctionName=out["SkillEndpoint"])["Configuration"]
        assert function["Runtime"] == LAMBDA_RUNTIME and function["Handler"] == HANDLER
        assert function["Timeout"] == 7
        assert function["Environment"]["Variables"] == {
            "STAGEWISE_STORE": f"dynamodb://{out['TableName']}",
            "STAGEWISE_SKILL_ID": SKILL_ID,
        }
        role = function["Role"].rsplit("/", 1)[-1]
        logs = iam.get_role_policy(RoleName=role, PolicyName="logs")["PolicyDocument"]
        if isinstance(logs, str):  # moto's CloudFormation stores the policy as a Python repr
            logs = ast.literal_eval(logs)
        [statement] = logs["Statement"]
        assert statement["Resource"].endswith(f":log-group:{out['LogGroup']}:*")


def test_narration_adds_the_bucket_when_asked(moto_endpoint: str) -> None:
    region = "us-east-1"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=region)
    bucket = f"code-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="lambda.zip", Body=b"PK\x05\x06" + b"\0" * 18)
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name=region)
    stack = f"stagewise-{uuid.uuid4().hex[:8]}"
    outputs = deploy(cloudformation, stack, bucket, Narration="true")
    assert outputs["AudioBucket"] in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert re.fullmatch(rf"https://{outputs['AudioBucket']}\.\S+/audio", outputs["AudioBaseUrl"])


@pytest.mark.parametrize("operation", sorted(dynamodb_actions_in_code()))
def test_every_action_is_a_real_dynamodb_operation(operation: str) -> None:
    """Guards the snake_case to IAM name mapping above against typos."""
    names = boto3.client("dynamodb", region_name="us-east-1").meta.service_model.operation_names
    assert operation.removeprefix("dynamodb:") in names
