#!/usr/bin/env bash
# The whole test suite, as CI runs it: servers, build, type-check, lint, format check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-servers.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
npm run check
npx vitest run
