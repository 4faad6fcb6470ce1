"""`stagewise package`: the Lambda zip and the ASK CLI skill package, ready to deploy.

Tooling only: nothing here is imported while the skill answers a request, and none of it
goes into the zip.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from skill.config import aws_region
from stagewise_tools.packaging.bundle import (
    LAMBDA_ARCHITECTURE,
    LAMBDA_PYTHON,
    PLATFORMS,
    Target,
    build_bundle,
    find_checkout,
)
from stagewise_tools.packaging.skill_package import (
    SSL_CERTIFICATE_TYPES,
    ManifestSettings,
    ask_resources,
    write_skill_package,
)

MB = 1024 * 1024
# Lambda's limit for a zip uploaded directly (the console, update-function-code --zip-file);
# through S3, as the ASK CLI and the template deploy it, the limit is 250 MB unzipped. Issue
# 14's target was 5 MB; the safety encoder (issue 19: its weights and numpy) is most of the
# rest, and bench/bundle.py reports that target as missed.
ZIP_LIMIT = 50 * MB


def add_arguments(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `stagewise package` on the stagewise command."""
    env = ManifestSettings.from_env()
    parser = subparsers.add_parser(
        "package", help="build build/lambda.zip and build/skill-package/ for ASK CLI or SAM"
    )
    parser.add_argument("--out", type=Path, default=Path("build"), help="default: ./build")
    parser.add_argument(
        "--python-version",
        default=LAMBDA_PYTHON,
        help=f"the Lambda runtime's Python (default {LAMBDA_PYTHON}, as lambda/template.yaml)",
    )
    parser.add_argument("--architecture", choices=sorted(PLATFORMS), default=LAMBDA_ARCHITECTURE)
    parser.add_argument(
        "--compile-with",
        metavar="PYTHON",
        help="interpreter of that version for bytecode (default: this one or pythonX.Y on PATH)",
    )
    parser.add_argument(
        "--lambda-arn", default=env.lambda_arn, help="endpoint ($STAGEWISE_LAMBDA_ARN)"
    )
    parser.add_argument(
        "--https-endpoint",
        default=env.https_endpoint,
        help="endpoint when self-hosting ($STAGEWISE_HTTPS_ENDPOINT)",
    )
    parser.add_argument(
        "--ssl-certificate-type",
        choices=SSL_CERTIFICATE_TYPES,
        default=env.ssl_certificate_type,
        help="for an HTTPS endpoint ($STAGEWISE_SSL_CERTIFICATE_TYPE, default Trusted)",
    )
    parser.add_argument("--privacy-url", default=env.privacy_url, help="$STAGEWISE_PRIVACY_URL")
    parser.add_argument("--terms-url", default=env.terms_url, help="$STAGEWISE_TERMS_URL")
    parser.add_argument(
        "--icon-base-url", default=env.icon_base_url, help="$STAGEWISE_ICON_BASE_URL"
    )
    parser.add_argument(
        "--region",
        default=aws_region() or "us-east-1",
        help="AWS region for `ask deploy` (default $AWS_DEFAULT_REGION, $AWS_REGION or us-east-1)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = ManifestSettings(
        lambda_arn=args.lambda_arn,
        https_endpoint=args.https_endpoint,
        ssl_certificate_type=args.ssl_certificate_type,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
        icon_base_url=args.icon_base_url,
    )
    out: Path = args.out.resolve()
    try:
        root = find_checkout()
        settings.check()
        write_skill_package(out / "skill-package", settings)
        target = Target(python=args.python_version, architecture=args.architecture)
        bundle = build_bundle(out, target, python=args.compile_with, root=root)
    except ValueError as err:
        print(f"stagewise package: {err}", file=sys.stderr)
        return 2
    template = root / "lambda" / "template.yaml"
    resources = ask_resources(
        skill_package=os.path.relpath(out / "skill-package", out),
        code=os.path.relpath(bundle.folder, out),
        template=os.path.relpath(template, out),
        region=args.region,
    )
    (out / "ask-resources.json").write_text(json.dumps(resources, indent=2) + "\n")
    size = bundle.zip_path.stat().st_size
    verdict = "within" if size <= ZIP_LIMIT else "OVER"
    print(f"{bundle.zip_path}: {size / MB:.2f} MB ({verdict} Lambda's 50 MB direct-upload limit)")
    for name, compressed in bundle.largest():
        print(f"  {compressed / MB:6.2f} MB  {name}")
    if bundle.compiled_with:
        print(f"bytecode: compiled by {bundle.compiled_with} (Python {target.python})")
    else:
        print(
            f"bytecode: none (no Python {target.python} here; pass --compile-with): "
            "each cold start compiles in memory"
        )
    print(f"{out / 'skill-package'}: skill.json and models for {', '.join(_locales())}")
    if not (settings.lambda_arn or settings.https_endpoint):
        print(
            "endpoint: not set (ask deploy fills in the function it deploys, for requests and"
            " skill events; else --lambda-arn or --https-endpoint)"
        )
    if not settings.privacy_url:
        print("privacy policy URL: the example one; set STAGEWISE_PRIVACY_URL to publish")
    print(f"{out / 'ask-resources.json'}: run `ask deploy` in {out}")
    return 0


def _locales() -> tuple[str, ...]:
    from stagewise_tools.packaging.skill_package import locales

    return locales()
