#!/usr/bin/env bash
# Build lambda/build/: lambda_function.py, the skill package and its runtime
# dependencies, without boto3/botocore/s3transfer (the Lambda Python runtime has them).
# Run on Linux x86_64 with Python 3.11, matching the template's Runtime and Architectures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/build"
rm -rf "$out"
mkdir -p "$out"
python -m pip install --quiet --no-compile --target "$out" "$root"
rm -rf "$out"/boto3* "$out"/botocore* "$out"/s3transfer* "$out"/bin
cp "$here/lambda_function.py" "$out/"
du -sh "$out"
