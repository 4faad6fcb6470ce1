#!/usr/bin/env bash
# A thin wrapper: the packager is `stagewise package` (stagewise_tools/packaging/). It writes
# build/lambda.zip, build/lambda/ (the same files unzipped), build/skill-package/ and
# build/ask-resources.json; lambda/build/ gets a copy of the unzipped bundle (the
# benchmark measures it there). Options pass through: lambda/build.sh --help.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
"${PYTHON:-python}" -m stagewise_tools.cli package --out "$root/build" "$@"
rm -rf "$here/build"
cp -R "$root/build/lambda" "$here/build"
