#!/usr/bin/env bash
# The whole test suite: set up, lint, typecheck, build, then every test (real VMs included).
# Ends with vitest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" TURBO_TELEMETRY_DISABLED=1

biome check .
pnpm run typecheck
pnpm run build
vitest run
