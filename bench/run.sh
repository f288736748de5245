#!/usr/bin/env bash
# Benchmark: deploylint on a generated monorepo (~20,000 source files) and on the largest
# fixture, side by side with ripgrep reading the same files, in one hyperfine run.
# Needs hyperfine and ripgrep (Debian: apt-get install hyperfine ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
repo=target/bench-repo
if [[ ! -d $repo ]]; then
  python3 bench/gen.py "$repo" "${SERVICES:-200}"
fi
bin=target/release/deploylint
hyperfine -N --warmup 3 --min-runs 10 --export-markdown target/bench.md \
  -n 'rg Getenv (monorepo)' "rg -c --no-ignore -uu Getenv $repo" \
  -n 'deploylint (monorepo)' "$bin $repo --format concise --fail-on never" \
  -n 'deploylint (vrc-shift)' "$bin fixtures/vrc-shift --format concise --fail-on never"
cat target/bench.md
