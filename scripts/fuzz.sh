#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time and prints what it did.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]      (default: 60 s, every target)
#
# Works on the stable toolchain: cargo-fuzz needs nightly-only flags, which
# RUSTC_BOOTSTRAP=1 unlocks (set here unless the active toolchain is already nightly).
# One process per target (no -jobs/-fork), one target after the other. New inputs go to fuzz/work/<target> (ignored
# by git), seeded from the committed fuzz/corpus/<target>; crashes to
# fuzz/artifacts/<target>/. With UPDATE_CORPUS=1 the committed corpus is replaced by a
# minimised merge of both (libFuzzer -merge=1 on edges, not hit counts, keeping inputs of
# at most 2 KiB so the committed corpora stay well under 1 MB), so that `cargo test`
# replays the new finds.
# Exit status 1 if any target found a crash, a timeout or an out-of-memory input.
set -euo pipefail

cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(client_frame decide_apply replay_log)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi

# Safe Rust has nothing for AddressSanitizer to find, and without it each run is about
# twice as fast; debug assertions (-a) turn on overflow checks, which the release build
# would skip.
flags=(--sanitizer none --debug-assertions)

# Inputs longer than this are never tried: a session needs 7 bytes a step (192 steps at
# most), a forged log's JSON a few KiB.
max_len() {
    case "$1" in
        decide_apply) echo 2048 ;;
        replay_log) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

(cd fuzz && cargo fuzz build "${flags[@]}")

found=0
summary=()
for t in "${targets[@]}"; do
    work="fuzz/work/$t"
    artifacts="fuzz/artifacts/$t"
    mkdir -p "$work" "$artifacts"
    log="fuzz/work/$t.log"
    echo "== $t for ${secs}s" >&2
    set +e
    (cd fuzz && cargo fuzz run "${flags[@]}" "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$(max_len "$t")" -print_final_stats=1) >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(find "$artifacts" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        found=1
        grep -E '^(thread .* panicked|==[0-9]+== ERROR|SUMMARY)' "$log" | head -5 >&2 || true
    fi
    summary+=("$(printf '%-13s %10s execs %8s exec/s  cov %6s  corpus %-12s findings %s (exit %s)' \
        "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${corp:-?}" "$crashes" "$status")")
    if [ "${UPDATE_CORPUS:-0}" = 1 ] && [ "$status" -eq 0 ]; then
        merged="fuzz/work/$t.merged"
        rm -rf "$merged" && mkdir -p "$merged"
        (cd fuzz && cargo fuzz run "${flags[@]}" "$t" "work/$t.merged" "corpus/$t" "work/$t" -- \
            -merge=1 -use_counters=0 -use_value_profile=0 -max_len="$(max_len "$t")") >>"$log" 2>&1
        find "$merged" -type f -size +2048c -delete
        rm -rf "fuzz/corpus/$t" && mv "$merged" "fuzz/corpus/$t"
        echo "   corpus/$t: $(find "fuzz/corpus/$t" -type f | wc -l) files, $(du -sh "fuzz/corpus/$t" | cut -f1)" >&2
    fi
done

printf '%s\n' "${summary[@]}"
if [ "$found" -ne 0 ]; then
    echo "findings: see fuzz/artifacts/ and fuzz/work/<target>.log" >&2
fi
exit "$found"
