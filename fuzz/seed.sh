#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (run by run.sh; safe to re-run:
# files are named by their fixture path, so nothing is duplicated and what the fuzzer added
# stays). The `pipeline` seeds are whole fixture repositories in the input format of
# fuzz_targets/pipeline.rs: one file per slot, in slot order, separated by NUL bytes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../fixtures"
corpus="$here/corpus"

# Files under DIR matching the find expression, sorted.
files() {
    local dir=$1
    shift
    find "$dir" -type f \( "$@" \) -not -path '*/node_modules/*' | LC_ALL=C sort
}

# Copies every fixture file matching the find expression into corpus/TARGET.
seed() {
    local target=$1
    shift
    mkdir -p "$corpus/$target"
    files "$fixtures" "$@" | while IFS= read -r f; do
        local name="${f#"$fixtures"/}"
        cp "$f" "$corpus/$target/${name//\//_}"
    done
}

seed dockerfile -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.Dockerfile' -o -name Containerfile
seed compose -name 'docker-compose*.y*ml' -o -name 'compose*.y*ml' -o -path '*/.github/workflows/*.y*ml' \
    -o -name .gitlab-ci.yml
seed envfile -name .env -o -name '.env.*' -o -name '*.env'
seed crontab -name crontab -o -name '*.crontab' -o -name '*.cron' -o -path '*/cron/*' -o -path '*/cron.d/*'
seed shell -name '*.sh' -o -name '*.bash'
seed makefile -name Makefile -o -name makefile -o -name GNUmakefile -o -name '*.mk'
seed markdown -name '*.md'
seed golang -name '*.go'

# The slots of fuzz_targets/pipeline.rs, each with the fixture files that may fill it (the
# first match in the fixture repository, in path order; `N:` takes the Nth instead).
slot_files() {
    local repo=$1 slot=$2
    case $slot in
    Dockerfile) files "$repo" -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.Dockerfile' | head -n 1 ;;
    docker-compose.prod.yml) files "$repo" -name 'docker-compose*.y*ml' -o -name 'compose*.y*ml' | head -n 1 ;;
    .env.prod.example) files "$repo" -name '.env.*.example' -o -name '.env.example' | head -n 1 ;;
    deploy/crontab) files "$repo" -name crontab -o -name '*.cron' -o -name '*.crontab' | head -n 1 ;;
    deploy/deploy.sh) files "$repo" -name '*.sh' | head -n 1 ;;
    cmd/a/main.go) files "$repo" -name '*.go' -path '*/cmd/*' | sed -n 1p ;;
    cmd/b/main.go) files "$repo" -name '*.go' -path '*/cmd/*' | sed -n 2p ;;
    Makefile) files "$repo" -name Makefile -o -name '*.mk' | head -n 1 ;;
    go.mod) files "$repo" -name go.mod | head -n 1 ;;
    docs/RUNBOOK.md) files "$repo" -name '*.md' -not -path "$repo/README.md" | head -n 1 ;;
    .env.prod) files "$repo" -name .env -o -name '.env.prod' | head -n 1 ;;
    deploylint.toml) files "$repo" -name deploylint.toml -o -name .deploylint.toml | head -n 1 ;;
    .github/workflows/deploy.yml) files "$repo" -path '*/.github/workflows/*.y*ml' -o -name .gitlab-ci.yml | head -n 1 ;;
    .dockerignore) files "$repo" -name .dockerignore | head -n 1 ;;
    Cargo.toml) files "$repo" -name Cargo.toml | head -n 1 ;;
    src/main.rs) files "$repo" -path '*/src/main.rs' -o -path '*/src/bin/*.rs' | head -n 1 ;;
    esac
}
slots=(Dockerfile docker-compose.prod.yml .env.prod.example deploy/crontab deploy/deploy.sh cmd/a/main.go
    Makefile go.mod cmd/b/main.go docs/RUNBOOK.md .env.prod deploylint.toml .github/workflows/deploy.yml
    .dockerignore Cargo.toml src/main.rs)
mkdir -p "$corpus/pipeline"
find "$fixtures" -name README.md | LC_ALL=C sort | while IFS= read -r readme; do
    repo="$(dirname "$readme")"
    name="${repo#"$fixtures"/}"
    out="$corpus/pipeline/${name//\//_}"
    : >"$out"
    for i in "${!slots[@]}"; do
        if [ "$i" -gt 0 ]; then printf '\0' >>"$out"; fi
        f="$(slot_files "$repo" "${slots[$i]}")"
        if [ -n "$f" ]; then cat "$f" >>"$out"; fi
    done
done

for d in "$corpus"/*/; do
    printf '%-11s %4d seed files\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"
done
