#!/usr/bin/env bash
# Kept for old habits: the packager lives in `stagewise package` (skill/packaging/).
# Writes build/lambda.zip, build/lambda/, build/skill-package/ and build/ask-resources.json.
set -euo pipefail
cd "$(dirname "$0")/.."
exec stagewise package "$@"
