#!/usr/bin/env bash
# Runs the fuzz targets one after the other, each for MINUTES minutes, on one core.
#
#   fuzz/run.sh MINUTES [TARGET...]     # no TARGET: all of them
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each input has a time
# bound (FUZZ_TIMEOUT seconds, default 5: a slow input is a bug too) and the process an RSS bound
# (FUZZ_RSS_MB, default 2048). Crashes, time-outs and out-of-memory inputs are saved under
# fuzz/artifacts/<target>/; logs go to fuzz/logs/<target>.log; the corpus in fuzz/corpus/<target>/
# (seeded from the fixtures by seed.sh) grows from run to run. Builds without a sanitizer by
# default (deploylint has no unsafe code; FUZZ_SANITIZER=address for one) and with debug
# assertions and overflow checks. Prints a summary table; exits 1 when a target failed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
all=(dockerfile compose envfile crontab shell makefile markdown golang pipeline)

minutes=${1:-}
if ! [[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "usage: fuzz/run.sh MINUTES [TARGET...]   (targets: ${all[*]})" >&2
    exit 2
fi
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all[@]}"); fi
for t in "${targets[@]}"; do
    if ! printf '%s\n' "${all[@]}" | grep -qx -- "$t"; then
        echo "unknown target \`$t\` (targets: ${all[*]})" >&2
        exit 2
    fi
done
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
timeout=${FUZZ_TIMEOUT:-5}
rss=${FUZZ_RSS_MB:-2048}
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "needs a nightly toolchain and cargo-fuzz: \`cargo install cargo-fuzz\`" >&2
    exit 2
fi
cd "$here"
./seed.sh >/dev/null
cargo +nightly fuzz build --debug-assertions --sanitizer "$sanitizer"
mkdir -p logs

declare -A status execs rate units rssmb artifact
failed=0
for t in "${targets[@]}"; do
    # Inputs up to 4 KiB per file (the fixtures' largest artifact is 1.6 KiB); a smaller bound
    # keeps the corpus small and the runs fast.
    max_len=4096
    if [ "$t" = pipeline ]; then max_len=16384; fi
    mkdir -p "artifacts/$t" "corpus/$t"
    echo "== $t: ${minutes} min, -timeout=${timeout}s, -rss_limit_mb=${rss}, -max_len=${max_len}"
    set +e
    cargo +nightly fuzz run --debug-assertions --sanitizer "$sanitizer" "$t" -- \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss" -max_len="$max_len" \
        -dict="dict/$t.dict" -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
        >"logs/$t.log" 2>&1
    rc=$?
    set -e
    log="logs/$t.log"
    stat() { grep -o "^stat::$1: *[0-9]*" "$log" | tail -n 1 | grep -o '[0-9]*$' || true; }
    execs[$t]=$(stat number_of_executed_units)
    if [ -z "${execs[$t]}" ]; then
        # No final stats (the process died hard): the last progress line has the count.
        execs[$t]="~$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#' || true)"
    fi
    rate[$t]=$(stat average_exec_per_sec)
    units[$t]=$(stat new_units_added)
    rssmb[$t]=$(stat peak_rss_mb)
    artifact[$t]=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/Test unit written to //' || true)
    if [ $rc -eq 0 ]; then
        status[$t]=ok
    else
        failed=1
        if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
            status[$t]=timeout
        elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then
            status[$t]=oom
        elif grep -q 'ERROR: libFuzzer: deadly signal\|panicked at' "$log"; then
            status[$t]=crash
        else
            status[$t]="error($rc)"
        fi
        grep -m 1 -A 2 'panicked at' "$log" || true
    fi
    echo "   ${status[$t]}: ${execs[$t]} executions"
done

echo
printf '%-11s %-9s %12s %8s %9s %8s  %s\n' target status executions exec/s new-units rss-MB artifact
for t in "${targets[@]}"; do
    printf '%-11s %-9s %12s %8s %9s %8s  %s\n' "$t" "${status[$t]}" "${execs[$t]}" "${rate[$t]:--}" \
        "${units[$t]:--}" "${rssmb[$t]:--}" "${artifact[$t]:--}"
done
exit $failed
