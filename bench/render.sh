#!/usr/bin/env bash
# Rendering cost: many findings in one file. Two generated inputs, timed with hyperfine:
#   env-16k    an env file of 16,000 malformed lines (16,000 DPL001, human format)
#   line-3.8MB a script whose one 3.8 MB line holds 146,000 `docker compose` calls
#              (`--compose-flavor v1`: one DPL201 each; human, concise and json formats)
# Rendering is linear in the findings of a file: each file's masked text and line index are
# built once, a snippet reads only its own lines, and a long line is shown as a window.
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=target/bench-render
mkdir -p "$dir/env-16k" "$dir/line-3.8MB"
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
with open(f"{d}/env-16k/.env", "w") as f:
    f.writelines(f"BROKEN LINE{i} value{i}\n" for i in range(16000))
with open(f"{d}/line-3.8MB/deploy.sh", "w") as f:
    f.write("#!/bin/sh\nset -e\n" + "docker compose up -d app; " * (3_800_000 // 26) + "\n")
PY
bin=target/release/deploylint
hyperfine -N --warmup 1 --runs "${RUNS:-3}" -i --export-markdown target/bench-render.md \
  -n 'env-16k human' "$bin $dir/env-16k" \
  -n 'line-3.8MB human' "$bin $dir/line-3.8MB --compose-flavor v1" \
  -n 'line-3.8MB concise' "$bin $dir/line-3.8MB --compose-flavor v1 --format concise" \
  -n 'line-3.8MB json' "$bin $dir/line-3.8MB --compose-flavor v1 --format json" \
  -n 'line-3.8MB model only' "$bin model $dir/line-3.8MB"
cat target/bench-render.md
