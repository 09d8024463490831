#!/usr/bin/env bash
# The long variant of test/run/crash-resume.test.ts: many more kill -9 trials of relctl at seeded
# moments, each resumed until done. Usage: scripts/crash-trials.sh [trials] [seed]
#   scripts/crash-trials.sh 300          # 300 trials, a random seed (printed)
#   scripts/crash-trials.sh 50 1234      # repeat the trials of seed 1234
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
export RELCTL_CRASH_TRIALS="${1:-200}"
if [ -n "${2:-}" ]; then export RELCTL_CRASH_SEED="$2"; fi
exec npx vitest run test/run/crash-resume.test.ts
