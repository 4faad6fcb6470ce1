#!/usr/bin/env bash
# Build lambda/build/: lambda_function.py, the skill package and its runtime
# dependencies, without boto3 and what only boto3 uses (the Lambda Python runtime has
# them). Bytecode is compiled here because Lambda's file system is read-only: without
# it every cold start would compile ask_sdk_model again.
# Run on Linux x86_64 with Python 3.11, matching the template's Runtime and Architectures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/build"
rm -rf "$out"
mkdir -p "$out"
python -m pip install --quiet --no-compile --target "$out" "$root"
rm -rf "$out"/boto3* "$out"/botocore* "$out"/s3transfer* "$out"/jmespath* "$out"/bin
cp "$here/lambda_function.py" "$out/"
python -m compileall -q -j 0 --invalidation-mode unchecked-hash "$out"
du -sh "$out"
