#!/usr/bin/env bash
# Runs deploylint over the pinned public repositories of repos.txt and prints the judged totals.
#
#   bench/real-world/run.sh [summary.py options]      e.g. --unjudged, --false, --stale
#
# Environment:
#   MIRRORS     where the bare git dirs are: $MIRRORS/<owner>+<name>/repo or $MIRRORS/<owner>+<name>
#               (default /work/.mirror)
#   SCRATCH     scratch dir for the extracted trees and the JSON outputs (default /tmp/deploylint-rw)
#   DEPLOYLINT  the binary to measure (default: target/release/deploylint of this repository,
#               built when missing)
#   ONLY        run only the repos whose owner/name contains this string
#
# Each pinned tree is extracted (extract.py: like `git archive`, but a blob the snapshot lacks is
# left out instead of aborting) and made a git repository (git init; git add -A)
# so that `.gitignore` applies as it does in a clone. A repository whose mirror is missing is
# reported and skipped. This is a measuring tool, not a CI test: it needs the mirrors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
mirrors=${MIRRORS:-/work/.mirror}
scratch=${SCRATCH:-/tmp/deploylint-rw}
bin=${DEPLOYLINT:-$root/target/release/deploylint}

if [[ -z "${DEPLOYLINT:-}" && ! -x "$bin" ]]; then
  (cd "$root" && cargo build --release --quiet)
fi
[[ -x "$bin" ]] || { echo "run.sh: no deploylint binary at $bin" >&2; exit 2; }

mkdir -p "$scratch/trees" "$scratch/out"
rm -f "$scratch"/out/*.json "$scratch"/out/*.err

missing=0
ran=0
while read -r repo commit _; do
  [[ -z "$repo" || "$repo" == \#* ]] && continue
  [[ -n "${ONLY:-}" && "$repo" != *"$ONLY"* ]] && continue
  key=${repo/\//+}
  git_dir=""
  for cand in "$mirrors/$key/repo" "$mirrors/$key" "$mirrors/$key.git"; do
    if git --git-dir="$cand" rev-parse --verify --quiet "$commit^{commit}" >/dev/null 2>&1; then
      git_dir=$cand
      break
    fi
  done
  if [[ -z "$git_dir" ]]; then
    echo "skip $repo: no mirror holding $commit under $mirrors" >&2
    missing=$((missing + 1))
    continue
  fi
  tree="$scratch/trees/$key"
  stamp="$scratch/trees/$key.commit"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$commit" ]]; then
    rm -rf "$tree"
    mkdir -p "$tree"
    python3 "$here/extract.py" "$git_dir" "$commit" "$tree" 2>"$scratch/trees/$key.missing" || {
      echo "skip $repo: extraction failed (see $scratch/trees/$key.missing)" >&2
      missing=$((missing + 1))
      continue
    }
    if [[ -s "$scratch/trees/$key.missing" ]]; then
      echo "$repo: $(tail -n 1 "$scratch/trees/$key.missing")" >&2
    fi
    (
      cd "$tree"
      git init --quiet
      git add -A >/dev/null 2>&1 || true
    )
    echo "$commit" >"$stamp"
  fi
  status=0
  "$bin" --format json --fail-on never "$tree" >"$scratch/out/$key.json" 2>"$scratch/out/$key.err" ||
    status=$?
  if [[ $status -ne 0 ]]; then
    echo "deploylint exited $status on $repo (see $scratch/out/$key.err)" >&2
  fi
  ran=$((ran + 1))
done <"$here/repos.txt"

echo "ran $ran repositories, $missing skipped (no mirror)" >&2
python3 "$here/summary.py" --out "$scratch/out" --repos "$here/repos.txt" --verdicts "$here/verdicts.tsv" "$@"
