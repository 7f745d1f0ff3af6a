#!/bin/bash
# Same-run before/after of the engine and bots, one engine per process (engine_compare.ts shares call sites
# between two engines in one process, which biases it by more than the changes it is meant to measure).
# usage: [WARMUP=games] bench/engine_ab.sh <rev-A> <rev-B|wt> [reps=7] [games=800] [deno|bun]
# Each process warms up on WARMUP games (default 12,000) before it times three passes (see engine_one.ts).
# Prints one "A {...}" / "B {...}" JSON line per process (CPU µs per game); compare medians.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$ROOT/.tmp"
prep() {
  if [ "$1" = wt ]; then echo "$ROOT"; return; fi
  local dir="$ROOT/.tmp/engine-ab-$1"
  rm -rf "$dir" && mkdir -p "$dir"
  git -C "$ROOT" archive "$1" src/game tests/game/helpers.ts | tar -x -C "$dir"
  echo "$dir"
}
A=$(prep "$1"); B=$(prep "$2"); REPS=${3:-7}; GAMES=${4:-800}; RUNTIME=${5:-deno}; WARMUP=${WARMUP:-12000}
run() {
  if [ "$RUNTIME" = bun ]; then npx -y bun@1.4.5 "$ROOT/bench/engine_one.ts" "$1" "$GAMES" "$WARMUP"
  else npx -y deno@2.9.6 run --allow-all "$ROOT/bench/engine_one.ts" "$1" "$GAMES" "$WARMUP"; fi
}
for _ in $(seq "$REPS"); do echo "A $(run "$A")"; echo "B $(run "$B")"; done
