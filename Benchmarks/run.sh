#!/usr/bin/env bash
# Builds the framing benchmarks in release mode and prints the ratio table: frames/s of
# the C memchr scan, of FrameDecoder on one buffer and in 4 KiB chunks, the Swift/C
# ratios (goal: >= 0.25), and ns/frame at 10^4, 10^5 and 10^6 frames.
#
#   ./run.sh                 the table (9 interleaved rounds, medians; ~15 s)
#   ./run.sh --rounds 21     more rounds, for a busy machine
#   ./run.sh --check         exit 1 if FrameDecoder is below 0.25 x the C scan
#   ./run.sh --instructions  then instructions per frame under callgrind: exact and
#                            repeatable whatever the load (needs valgrind; ~1 min)
#   ./run.sh --harness       then the ordo-one/benchmark suite (time and mallocs)
#
# Other arguments go to RatioReport (`./run.sh --help`). Not part of gating CI.
set -euo pipefail
cd "$(dirname "$0")"

harness=false
instructions=false
report_args=()
for argument in "$@"; do
    case "$argument" in
        --harness) harness=true ;;
        --instructions) instructions=true ;;
        *) report_args+=("$argument") ;;
    esac
done

swift build -c release --product RatioReport >&2
report=.build/release/RatioReport
"$report" "${report_args[@]+"${report_args[@]}"}"

if $instructions; then
    command -v valgrind >/dev/null || { echo "--instructions needs valgrind (apt-get install valgrind)" >&2; exit 2; }
    workloads=(cScan swiftWhole swiftChunked)
    echo
    echo "Instructions per frame (callgrind, decode only)"
    echo
    printf '%-18s %10s %10s %10s  %s\n' workload 10,000 100,000 1,000,000 "x C at 100,000"
    declare -A at100k
    for workload in "${workloads[@]}"; do
        row=()
        for spec in "10000 50" "100000 5" "1000000 1"; do
            read -r frames passes <<<"$spec"
            collected=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                --toggle-collect='$s16FramingWorkloads8WorkloadO3run*' \
                "$report" --profile "$workload" --frames "$frames" --passes "$passes" 2>&1 |
                awk '/Collected :/ { print $4 }')
            perFrame=$(awk -v c="$collected" -v n=$((frames * passes)) 'BEGIN { printf "%.1f", c / n }')
            row+=("$perFrame")
            [[ $frames == 100000 ]] && at100k[$workload]=$perFrame
        done
        ratio=$(awk -v c="${at100k[cScan]}" -v s="${at100k[$workload]}" 'BEGIN { printf "%.3f", c / s }')
        printf '%-18s %10s %10s %10s  %s\n' "$workload" "${row[@]}" "$ratio"
    done
fi

if $harness; then
    echo
    swift package benchmark --no-progress
fi
