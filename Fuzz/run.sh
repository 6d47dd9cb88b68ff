#!/usr/bin/env bash
# Builds RefWire's fuzzers and runs them (Fuzz/README.md).
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer flag...]   build, then fuzz one target
#   Fuzz/run.sh all SECONDS [libFuzzer flag...]      build, then fuzz every target in turn
#   Fuzz/run.sh list                                 print the targets
#
# For each target it first replays the saved findings in Fuzz/Regressions/<Target>/,
# then fuzzes for SECONDS from Fuzz/Corpus/<Target>/ (seeded from Spec/vectors by
# seeds.pl, and grown by libFuzzer), with the target's dictionary. An input that fails
# is written to Fuzz/Artifacts/<Target>/; the run goes on to the next target and the
# script exits 1 at the end. Exit status: 0 nothing found, 1 a finding (or a build
# failure), 64 usage.
#
# A run of 600 seconds or more is a campaign: its line is added to Fuzz/campaigns.tsv
# (committed), the ledger from which Fuzz/README.md's per-target totals are summed.
#
# Environment: FUZZ_BUILD_PATH, the scratch path (default Fuzz/.build);
# FUZZ_MAX_LEN, the largest input libFuzzer makes (default 16384).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
    sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
}

# The targets are the executables' folders: every Sources/<Name>Fuzz.
targets=()
for folder in Sources/*Fuzz; do targets+=("${folder#Sources/}"); done

(($# >= 1)) || usage
if [[ $1 == list ]]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
(($# >= 2)) && [[ $2 =~ ^[0-9]+$ ]] || usage
selection=$1
seconds=$2
shift 2
if [[ $selection == all ]]; then
    selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $selection "* ]]; then
    selected=("$selection")
else
    echo "unknown target '$selection'; targets: ${targets[*]}" >&2
    exit 64
fi

# The dictionaries each target's input is made of.
dictionaries_for() {
    case $1 in
        FrameDecoderFuzz) echo framing zlib storable ;;
        ZlibFuzz) echo zlib ;;
        StorableFuzz) echo storable ;;
        JSONFuzz) echo json ;;
        YAMLFuzz) echo yaml ;;
        SniffFuzz | RoundTripFuzz) echo storable json yaml ;;
        CodableFuzz) echo storable json yaml codable ;;
        SealingFuzz) echo framing ;;
        SessionServerFuzz) echo storable ;;
        *) echo "no dictionaries listed for $1 in run.sh" >&2; exit 1 ;;
    esac
}

# libFuzzer flags particular to a target.
flags_for() {
    case $1 in
        # zlib is a system library without coverage instrumentation: the fuzzer sees
        # only RefWire's side, and would drop the Perl-written streams from its corpus
        # as adding nothing. Keep them as material to mutate and cross over.
        ZlibFuzz) echo -keep_seed=1 -cross_over_uniform_dist=1 ;;
    esac
}

build_path=${FUZZ_BUILD_PATH:-.build}
echo "==> building the fuzzers (release, libFuzzer + AddressSanitizer)"
# `--sanitize=fuzzer` makes SwiftPM link libFuzzer's main; AddressSanitizer goes through
# -Xswiftc, because of two `--sanitize` flags SwiftPM was seen to keep only one.
swift build -c release --scratch-path "$build_path" \
    --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
binaries=$(swift build -c release --scratch-path "$build_path" \
    --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address --show-bin-path)

echo "==> seeding Fuzz/Corpus from Spec/vectors"
perl seeds.pl Corpus >/dev/null

# ASan reports crashes, not Swift's backtracer; leak checking is off because a
# libFuzzer process exits without freeing its last input's values.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

# libFuzzer's last figures in a log, tab-separated ("-" for one it did not print): runs,
# exec/s, cov, ft, corpus. They come from the final stats, or in fork mode from the last
# status line ("#runs: cov: … exec/s: …").
final_stats() {
    awk '
        /^stat::number_of_executed_units:/ { runs = $2 }
        /^stat::average_exec_per_sec:/ { speed = $2 }
        /^#[0-9]+: cov:/ { runs = substr($1, 2, length($1) - 2) }
        /(INITED|NEW|REDUCE|pulse|DONE) +cov:|^#[0-9]+: cov:/ {
            for (i = 1; i < NF; i++) {
                if ($i == "cov:") cov = $(i + 1)
                if ($i == "ft:") ft = $(i + 1)
                if ($i == "corp:") corp = $(i + 1)
                if ($i == "exec/s:" && $1 ~ /:$/) speed = $(i + 1)
            }
        }
        function shown(x) { return x == "" ? "-" : x }
        END { printf "%s\t%s\t%s\t%s\t%s\n", shown(runs), shown(speed), shown(cov), shown(ft), shown(corp) }' "$1"
}

# The campaign ledger: a line per campaign, with when it ended, at which commit, the
# target, how long it ran (seconds, stopping early at a finding), libFuzzer's last figures
# and the number of findings. Tab-separated, with a header.
ledger=campaigns.tsv
record_campaign() {
    local target=$1 seconds=$2 findings=$3 runs speed cov ft corpus
    IFS=$'\t' read -r runs speed cov ft corpus <<<"$4"
    [[ -s $ledger ]] ||
        printf 'date\tcommit\ttarget\tseconds\truns\texec_per_s\tcov\tft\tfindings\n' >"$ledger"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
        "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$target" "$seconds" "$runs" "$speed" "$cov" "$ft" "$findings" >>"$ledger"
}

failed=()
summary=()
for target in "${selected[@]}"; do
    binary=$binaries/$target
    artifacts=Artifacts/$target
    mkdir -p "$artifacts" "Corpus/$target"
    dictionary=$artifacts/dictionary.dict
    dictionaries=$(dictionaries_for "$target")
    for name in $dictionaries; do cat "Dictionaries/$name.dict"; done >"$dictionary"

    # The fixed findings; those in open/ wait for a fix elsewhere (README.md).
    regressions=()
    while IFS= read -r -d '' file; do regressions+=("$file"); done \
        < <(find "Regressions/$target" -maxdepth 1 -type f ! -name '.*' -print0 2>/dev/null | sort -z)
    if ((${#regressions[@]})); then
        echo "==> $target: replaying ${#regressions[@]} saved findings"
        if ! "$binary" -runs=1 "${regressions[@]}" >"$artifacts/regressions.log" 2>&1; then
            grep -aE '^Running:|==== .* finding:|ERROR: AddressSanitizer|SUMMARY' "$artifacts/regressions.log" | tail -n 5 >&2
            echo "!!! $target fails a saved finding (log: Fuzz/$artifacts/regressions.log)" >&2
            failed+=("$target")
            continue
        fi
    fi

    echo "==> $target: fuzzing for ${seconds}s"
    log=$artifacts/fuzz.log
    # A finding is a failing status or a new failing input: with -fork=N and
    # -ignore_crashes=1 libFuzzer goes on after one and still exits 0.
    findings_before=$(find "$artifacts" -maxdepth 1 -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
    status=0
    started=$SECONDS
    "$binary" "Corpus/$target" \
        -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-16384}" -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=256 -dict="$dictionary" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 $(flags_for "$target") "$@" \
        >"$log" 2>&1 || status=$?
    elapsed=$((SECONDS - started))
    # The final stats, or in fork mode the last status line ("#runs: cov: … exec/s: …").
    stats=$(final_stats "$log")
    IFS=$'\t' read -r runs speed cov ft corpus <<<"$stats"
    summary+=("$(printf '%-18s %12s runs %8s exec/s  cov %6s  ft %7s  corpus %s' \
        "$target" "$runs" "$speed" "$cov" "$ft" "$corpus")")
    findings_after=$(find "$artifacts" -maxdepth 1 -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
    if ((status == 0 && findings_after > findings_before)); then status=1; fi
    if ((seconds >= 600)); then
        findings=$((findings_after - findings_before))
        ((status == 0 || findings > 0)) || findings=1
        record_campaign "$target" "$elapsed" "$findings" "$stats"
    fi
    if ((status != 0)); then
        grep -aE '==== .* finding:|ERROR: (AddressSanitizer|libFuzzer)|Fatal error|SUMMARY|Test unit written' "$log" >&2 || tail -n 40 "$log" >&2
        echo "!!! $target found a failing input (status $status; log: Fuzz/$log)" >&2
        failed+=("$target")
    fi
done

echo "==> summary"
((${#summary[@]} == 0)) || printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
    echo "findings in: ${failed[*]} — minimize with the binary's -minimize_crash=1, fix, and keep" \
        "the input in Fuzz/Regressions/<Target>/ (Fuzz/README.md)" >&2
    exit 1
fi
echo "no findings"
