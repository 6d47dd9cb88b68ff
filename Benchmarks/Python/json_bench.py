#!/usr/bin/env python3
"""The orjson side of the JSON benchmark (Benchmarks/README.md): the same timing
co-process protocol as Perl/json_bench.pl, one command a line on stdin, one reply a line
on stdout ("ok ..." or "error ..."):

  load NAME PATH           read a JSON file, decode it once (the value encodes start from)
  warm NAME OP NS PASSES   untimed warm-up: OP for at least NS ns and PASSES passes;
                           reply the fastest pass (ns)
  time NAME OP PASSES      run OP PASSES times, timing each pass; reply the median (ns)
  verify NAME PATH         decode the JSON at PATH (written by RefWire); "ok same" if its
                           sorted-keys encoding equals the loaded value's, else "ok different"
  versions                 reply Python's and orjson's versions
  quit

OP is decode (orjson.loads of the file's bytes), encode (orjson.dumps of the decoded
value) or encode_canonical (orjson.dumps with OPT_SORT_KEYS). Each pass is timed here with
time.perf_counter_ns, so process start and the pipe stay outside it.
"""
import platform
import statistics
import sys
import time

import orjson

OPERATIONS = {
    "decode": lambda entry: orjson.loads(entry["bytes"]),
    "encode": lambda entry: orjson.dumps(entry["value"]),
    "encode_canonical": lambda entry: orjson.dumps(entry["value"], option=orjson.OPT_SORT_KEYS),
}


def timed_pass(operation, entry):
    start = time.perf_counter_ns()
    operation(entry)
    return time.perf_counter_ns() - start


def serve():
    corpora = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, arguments = words[0], words[1:]
        if command == "quit":
            return
        try:
            if command == "versions":
                reply = f"Python {platform.python_version()}, orjson {orjson.__version__}"
            elif command == "load":
                name, path = arguments
                with open(path, "rb") as source:
                    data = source.read()
                corpora[name] = {"bytes": data, "value": orjson.loads(data)}
                reply = str(len(data))
            elif command == "warm":
                name, op, nanoseconds, passes = arguments
                entry, operation = corpora[name], OPERATIONS[op]
                best, spent, count = float("inf"), 0, 0
                while count < int(passes) or spent < float(nanoseconds):
                    elapsed = timed_pass(operation, entry)
                    best, spent, count = min(best, elapsed), spent + elapsed, count + 1
                reply = str(best)
            elif command == "time":
                name, op, passes = arguments
                entry, operation = corpora[name], OPERATIONS[op]
                reply = str(statistics.median(timed_pass(operation, entry) for _ in range(int(passes))))
            elif command == "verify":
                name, path = arguments
                with open(path, "rb") as source:
                    theirs = orjson.loads(source.read())
                sort = orjson.OPT_SORT_KEYS
                same = orjson.dumps(theirs, option=sort) == orjson.dumps(corpora[name]["value"], option=sort)
                reply = "same" if same else "different"
            else:
                raise ValueError(f"unknown command '{command}'")
            print(f"ok {reply}", flush=True)
        except Exception as error:  # the report shows it and stops
            print(f"error {error}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["serve"]:
        sys.exit("usage: json_bench.py serve")
    serve()
