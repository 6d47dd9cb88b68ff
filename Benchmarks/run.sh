#!/usr/bin/env bash
# Builds the benchmarks in release mode and prints their ratio tables.
#
# Framing (the default): frames/s of the C memchr scan, of FrameDecoder on one buffer
# and in 4 KiB chunks, the Swift/C ratios (goal: >= 0.25), and ns/frame at 10^4, 10^5
# and 10^6 frames.
#
#   ./run.sh                 the table (9 interleaved rounds, medians; ~15 s)
#   ./run.sh --rounds 21     more rounds, for a busy machine
#   ./run.sh --check         exit 1 if FrameDecoder is below 0.25 x the C scan
#   ./run.sh --instructions  then instructions per frame under callgrind: exact and
#                            repeatable whatever the load (needs valgrind; ~1 min)
#   ./run.sh --harness       then the ordo-one/benchmark suite (time and mallocs)
#
# Storable: RefWire's StorableDecoder and StorableEncoder against Perl's own thaw and
# nfreeze of the nativejson-benchmark files (canada, citm_catalog, twitter), converted
# to nfreeze by Perl, timed in the same run (goal: >= 2 x Perl), with mallocs per pass.
#
#   ./run.sh storable                 the tables (9 interleaved rounds, medians; ~10 s)
#   ./run.sh storable --rounds 21     more rounds
#   ./run.sh storable --check         exit 1 if RefWire is below 2 x Perl on any file,
#                                     decoding or encoding
#   ./run.sh storable --instructions  then instructions per pass under callgrind, Perl's
#                                     and RefWire's, and Perl's mallocs (needs valgrind;
#                                     ~2.5 min)
#   ./run.sh storable --harness       then its ordo-one/benchmark suite
#
# JSON: RefWire's PerlJSONDecoder and PerlJSONEncoder against Perl's JSON::XS, Python's
# orjson (installed from PyPI into .build/python-bench) and Foundation (JSONSerialization;
# JSONDecoder/JSONEncoder into typed models) on the same nativejson-benchmark files, timed
# in the same run (goals: decoding faster than JSON::XS and orjson, encoding at least 2 x
# JSON::XS and 0.5 x orjson, faster than Foundation everywhere, and decoding into structs
# at least 3 x its JSONDecoder).
#
#   ./run.sh json                     the table (9 interleaved rounds, medians; ~1 min)
#   ./run.sh json --rounds 21         more rounds
#   ./run.sh json --check             exit 1 if RefWire misses any of those goals
#   ./run.sh json --instructions      then instructions per pass under callgrind, RefWire's
#                                     and JSON::XS's (needs valgrind; ~2 min)
#
# YAML: RefWire's PerlYAMLDecoder and PerlYAMLEncoder (both dialects) against Perl's
# YAML::XS and Yams on the same nativejson-benchmark files, converted to YAML by YAML::XS,
# timed in the same run (goal: >= 2 x YAML::XS and >= 20 x Yams).
#
#   ./run.sh yaml                     the table (9 interleaved rounds, medians; ~1.5 min)
#   ./run.sh yaml --rounds 21         more rounds
#   ./run.sh yaml --check             exit 1 if RefWire is below a goal anywhere
#   ./run.sh yaml --instructions      then instructions per pass under callgrind, RefWire's
#                                     and YAML::XS's (needs valgrind; ~3 min)
#
# Sealing: sealed-frame throughput of RefWireSodium's SealedChannel at 64 B, 1 KiB and
# 64 KiB against raw libsodium secretstream push/pull in the same run (goal: >= 0.9 x raw
# at 1 KiB and 64 KiB).
#
#   ./run.sh sealing                  the table (`./run.sh sealing --help` for its options)
#
# Load: RefWireNIO's echo server against a real Perl POE server (poe_server.pl, POE's
# Server::TCP with Filter::Reference) in the same run: 1,000 connections x 1,000
# request/response each, one in flight per connection, from one load generator; msgs/s,
# latency percentiles, lost/duplicated/altered replies (goal: >= 10 x POE's msgs/s).
#
#   ./run.sh load                     the table (~1.5 min)
#   ./run.sh load --connections 100 --requests 100   a quick run
#   ./run.sh load --check             exit 1 below the goal or on any bad reply
#
# Other arguments go to LoadReport, RatioReport, StorableReport, JSONReport, YAMLReport or SealingReport (`./run.sh [suite]
# --help`). SCRATCH names the build folder (default .build), so that builds running at
# the same time need not share one. Not part of gating CI.
set -euo pipefail
cd "$(dirname "$0")"

suite=framing
if [[ ${1-} == storable || ${1-} == json || ${1-} == yaml || ${1-} == sealing || ${1-} == load ]]; then
    suite=$1
    shift
fi
scratch=${SCRATCH:-.build}

harness=false
instructions=false
files=(canada citm_catalog twitter)
report_args=()
previous=
for argument in "$@"; do
    case "$argument" in
        --harness) harness=true ;;
        --instructions) instructions=true ;;
        *) report_args+=("$argument") ;;
    esac
    [[ $previous == --files ]] && IFS=, read -r -a files <<<"$argument"
    previous=$argument
done

if $instructions; then
    command -v valgrind >/dev/null || { echo "--instructions needs valgrind (apt-get install valgrind)" >&2; exit 2; }
fi

# Instructions that callgrind counts for a whole command.
collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected :/ { print $4 }'
}

if [[ $suite == json ]]; then
    # orjson (PyPI), the suite's fastest anchor, in a virtual environment of its own.
    ORJSON_VERSION=3.13.0
    venv=.build/python-bench
    if ! "$venv/bin/python3" -c "import orjson, sys; sys.exit(orjson.__version__ != '$ORJSON_VERSION')" 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "orjson==$ORJSON_VERSION" >&2
    fi
    export REFWIRE_BENCH_PYTHON=$PWD/$venv/bin/python3
    swift build -c release --scratch-path "$scratch" --product JSONReport >&2
    report=$scratch/release/JSONReport
    "$report" "${report_args[@]+"${report_args[@]}"}"

    if $instructions; then
        # RefWire: only its passes are collected (--toggle-collect). Perl: its whole run
        # with 6 passes minus its whole run with 1, which leaves 5 passes exactly.
        # JSONReport --profile runs one pass more than asked (the first learns the
        # fingerprint), hence passes - 1 there.
        passes=5
        json_directory=${REFWIRE_JSON_CORPORA:-../../shared/corpora/json}
        perl_passes() { # operation file count
            PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 "${@:4}" perl Perl/json_bench.pl \
                passes "$json_directory/$2.json" "$1" "$3"
        }
        echo
        echo "Instructions per pass (callgrind, exact; Perl: 6 passes minus 1)"
        echo
        printf '%-13s %-16s %13s %13s %16s\n' file direction JSON::XS RefWire "RefWire x XS"
        for file in "${files[@]}"; do
            for spec in "decode decode" "encode encode" "encodeCanonical encode_canonical"; do
                read -r direction operation <<<"$spec"
                swift=$(collected --toggle-collect='$s13JSONWorkloads9SwiftJSONV3run*' \
                    "$report" --profile "$direction" "$file" --passes $((passes - 1)))
                perl1=$(perl_passes "$operation" "$file" 1 collected)
                perl6=$(perl_passes "$operation" "$file" $((passes + 1)) collected)
                awk -v f="$file" -v d="$direction" -v s="$swift" -v p1="$perl1" -v p6="$perl6" -v n="$passes" 'BEGIN {
                    perl = (p6 - p1) / n; swift = s / n
                    printf "%-13s %-16s %13.0f %13.0f %16.2f\n", f, d, perl, swift, perl / swift
                }'
            done
        done
    fi
    exit 0
fi

if [[ $suite == load ]]; then
    swift build -c release --scratch-path "$scratch" --product LoadReport >&2
    "$scratch/release/LoadReport" "${report_args[@]+"${report_args[@]}"}"
    exit 0
fi

if [[ $suite == sealing ]]; then
    swift build -c release --scratch-path "$scratch" --product SealingReport >&2
    "$scratch/release/SealingReport" "${report_args[@]+"${report_args[@]}"}"
    exit 0
fi

if [[ $suite == yaml ]]; then
    swift build -c release --scratch-path "$scratch" --product YAMLReport >&2
    report=$scratch/release/YAMLReport
    "$report" "${report_args[@]+"${report_args[@]}"}"

    if $instructions; then
        # RefWire: only its passes are collected (--toggle-collect). Perl: its whole run
        # with 6 passes minus its whole run with 1, which leaves 5 passes exactly. The YAML
        # files are the ones YAMLReport has just converted. YAMLReport --profile runs one
        # pass more than asked (the first learns the fingerprint), hence passes - 1 there.
        # valgrind 3.19 gives up on the
        # DWARF of Yams' C module, so callgrind runs a copy without debug information
        # (symbols stay, which is all --toggle-collect needs).
        passes=5
        profiled=$scratch/release/YAMLReport.nodebug
        objcopy --strip-debug "$report" "$profiled"
        perl_passes() { # operation file count
            PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 "${@:4}" perl Perl/yaml_bench.pl \
                passes ".build/yaml-corpus/$2.yaml" "$1" "$3"
        }
        echo
        echo "Instructions per pass (callgrind, exact; Perl: 6 passes minus 1)"
        echo
        printf '%-13s %-10s %13s %13s %16s\n' file direction YAML::XS RefWire "RefWire x XS"
        for file in "${files[@]}"; do
            for spec in "decode load" "encodeXS dump" "encodePM dump"; do
                read -r direction operation <<<"$spec"
                swift=$(collected --toggle-collect='$s13YAMLWorkloads9SwiftYAMLV3run*' \
                    "$profiled" --profile "$direction" "$file" --passes $((passes - 1)))
                perl1=$(perl_passes "$operation" "$file" 1 collected)
                perl6=$(perl_passes "$operation" "$file" $((passes + 1)) collected)
                awk -v f="$file" -v d="$direction" -v s="$swift" -v p1="$perl1" -v p6="$perl6" -v n="$passes" 'BEGIN {
                    perl = (p6 - p1) / n; swift = s / n
                    printf "%-13s %-10s %13.0f %13.0f %16.2f\n", f, d, perl, swift, perl / swift
                }'
            done
        done
    fi
    exit 0
fi

if [[ $suite == storable ]]; then
    swift build -c release --scratch-path "$scratch" --product StorableReport >&2
    swift build -c release --scratch-path "$scratch" --product StorableAllocations >&2
    report=$scratch/release/StorableReport
    "$report" "${report_args[@]+"${report_args[@]}"}"

    if $instructions; then
        # RefWire: only its passes are collected (--toggle-collect). Perl: its whole run
        # with 6 passes minus its whole run with 1, which leaves 5 passes exactly (the
        # hash seed is fixed, so every run executes the same instructions). Perl's mallocs
        # the same way, from memcheck's "total heap usage".
        passes=5
        perl_passes() { # operation file count
            PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 "${@:4}" perl Perl/storable_bench.pl \
                passes ".build/storable-corpus/$2.nfreeze" "$1" "$3"
        }
        perl_mallocs() { # operation file count
            perl_passes "$1" "$2" "$3" valgrind --tool=memcheck --leak-check=no 2>&1 |
                awk '/total heap usage/ { gsub(",", "", $5); print $5 }'
        }
        echo
        echo "Instructions per pass (callgrind, exact; Perl: 6 passes minus 1), and Perl's own mallocs"
        echo
        printf '%-13s %-18s %13s %13s %15s %13s\n' file direction Perl RefWire "RefWire x Perl" "Perl mallocs"
        for file in "${files[@]}"; do
            for spec in "decode thaw" "encode nfreeze" "encodeCanonical nfreeze_canonical"; do
                read -r direction operation <<<"$spec"
                swift=$(collected --toggle-collect='$s17StorableWorkloads05SwiftA0V3run*' \
                    "$report" --profile "$direction" "$file" --passes $((passes - 1)))
                perl1=$(perl_passes "$operation" "$file" 1 collected)
                perl6=$(perl_passes "$operation" "$file" $((passes + 1)) collected)
                mallocs1=$(perl_mallocs "$operation" "$file" 1)
                mallocs6=$(perl_mallocs "$operation" "$file" $((passes + 1)))
                awk -v f="$file" -v d="$direction" -v s="$swift" -v p1="$perl1" -v p6="$perl6" \
                    -v m1="$mallocs1" -v m6="$mallocs6" -v n="$passes" 'BEGIN {
                        perl = (p6 - p1) / n; swift = s / n
                        printf "%-13s %-18s %13.0f %13.0f %15.2f %13.0f\n",
                            f, d, perl, swift, perl / swift, (m6 - m1) / n
                    }'
            done
        done
    fi

    if $harness; then
        echo
        swift package benchmark --target StorableBenchmarks --no-progress
    fi
    exit 0
fi

swift build -c release --scratch-path "$scratch" --product RatioReport >&2
report=$scratch/release/RatioReport
"$report" "${report_args[@]+"${report_args[@]}"}"

if $instructions; then
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
            collectedCount=$(collected --toggle-collect='$s16FramingWorkloads8WorkloadO3run*' \
                "$report" --profile "$workload" --frames "$frames" --passes "$passes")
            perFrame=$(awk -v c="$collectedCount" -v n=$((frames * passes)) 'BEGIN { printf "%.1f", c / n }')
            row+=("$perFrame")
            [[ $frames == 100000 ]] && at100k[$workload]=$perFrame
        done
        ratio=$(awk -v c="${at100k[cScan]}" -v s="${at100k[$workload]}" 'BEGIN { printf "%.3f", c / s }')
        printf '%-18s %10s %10s %10s  %s\n' "$workload" "${row[@]}" "$ratio"
    done
fi

if $harness; then
    echo
    swift package benchmark --target FramingBenchmarks --no-progress
fi
