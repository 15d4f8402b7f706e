#!/usr/bin/env python3
"""`oneline server --handler` against `--exec` for the same logic (echo each command), in the same run.

Starts, for each setup, `oneline server -p 0` with
  --exec 'printf "%s\\n" "$1"'      a shell per command (the baseline);
  --handler (sh loop)              one sh for every command, each sent back JSON-quoted as it came;
  --handler (python3 loop)         one Python for every command, json.loads / json.dumps;
then sends commands over a plain socket, in two ways: one at a time (each answered before the next is sent)
and pipelined (all written at once by a thread while the answers are read, as `oneline client` does with
bulk input; the server still hands them to the handler one by one). Every answer is checked. The setups take
turns for --runs rounds; prints each one's median rate and its ratio to the --exec shell in the same mode,
and whether each handler meets the goal (>= 20x, pipelined).

    bench/handler_vs_exec.py [--bin build/src/cli/oneline] [--runs 5] [--seconds 1.0]
"""

import argparse
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOAL = 20.0  # --handler at least this many times --exec's rate

SH_ECHO = r"""while IFS= read -r line; do
    command=${line#'{"command": '}; command=${command%', "invalid": '*}
    printf '{"responses": [%s]}\n' "$command"
done"""
PYTHON_ECHO = ("python3 -c 'import json, sys\n"
               "for line in sys.stdin:\n"
               "    print(json.dumps({\"responses\": [json.loads(line)[\"command\"]]}), flush=True)'")

SETUPS = [
    ("--exec sh (baseline)", ["--exec", 'printf "%s\\n" "$1"']),
    ("--handler sh", ["--handler", SH_ECHO]),
    ("--handler python3", ["--handler", PYTHON_ECHO]),
]


def start_server(binary, options):
    server = subprocess.Popen([binary, "server", "-p", "0", *options], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", server.stderr.readline())
    if match is None:
        server.kill()
        sys.exit("the server did not start")
    return server, int(match.group(1))


def one_at_a_time(sock, reader, seconds):
    """Commands per second, each sent once the one before is answered, for about `seconds`."""
    count = 0
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        command = b"command %d" % count
        sock.sendall(command + b"\n")
        answer = reader.readline()
        if answer != command + b"\n":
            sys.exit(f"wrong answer {answer!r} to {command!r}")
        count += 1
    return count / (time.perf_counter() - began)


def pipelined(sock, reader, count):
    """Commands per second for `count` commands written at once while their answers are read."""
    commands = [b"command %d\n" % number for number in range(count)]
    began = time.perf_counter()
    writer = threading.Thread(target=sock.sendall, args=(b"".join(commands),))
    writer.start()
    for command in commands:
        answer = reader.readline()
        if answer != command:
            sys.exit(f"wrong answer {answer!r} to {command!r}")
    took = time.perf_counter() - began
    writer.join()
    return count / took


def rates(binary, options, seconds, count):
    """(one at a time, pipelined) commands per second against a server started with `options`."""
    server, port = start_server(binary, options)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            reader = sock.makefile("rb")
            sock.sendall(b"warm up\n")  # the handler's start is not part of the rates
            assert reader.readline() == b"warm up\n"
            measured = (one_at_a_time(sock, reader, seconds), pipelined(sock, reader, count))
            sock.sendall(b"shutdown\n")
        server.wait(timeout=30)
        return measured
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stderr.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.environ.get("ONELINE_BIN") or ROOT / "build" / "src" / "cli" / "oneline")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="per setup and round")
    args = parser.parse_args()

    modes = ("one at a time", "pipelined")
    measured = {(name, mode): [] for name, _ in SETUPS for mode in modes}
    for _ in range(args.runs):
        for name, options in SETUPS:  # the setups take turns: a load that comes and goes hits each alike
            # About `seconds` of pipelined work: --exec answers hundreds per second, a handler thousands.
            count = 300 if name.startswith("--exec") else 6000
            for mode, rate in zip(modes, rates(str(args.bin), options, args.seconds, int(count * args.seconds))):
                measured[(name, mode)].append(rate)
    print(f"median of {args.runs} rounds; load average {os.getloadavg()[0]:.2f} after the run")
    ratios = {}
    for mode in modes:
        print(f"{mode}:")
        baseline = statistics.median(measured[(SETUPS[0][0], mode)])
        for name, _ in SETUPS:
            median = statistics.median(measured[(name, mode)])
            ratios[(name, mode)] = median / baseline
            print(f"  {name:24} {median:10,.0f} commands/s  {median / baseline:6.1f}x")
    met = True
    for name, _ in SETUPS[1:]:
        ratio = ratios[(name, modes[1])]
        met = met and ratio >= GOAL
        print(f"goal: {name} >= {GOAL:g}x --exec for the same echo, pipelined: {ratio:.1f}x, "
              f"{'met' if ratio >= GOAL else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
