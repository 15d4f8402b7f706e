#!/usr/bin/env python3
"""A bulk transcript through `oneline check` against the same commands through `oneline client -f`.

Starts `oneline server -p 0` (echo) once, then times, in turns, each in a process of its own:
  oneline client -f:       the N commands from a file (exact mode: a `ping` after each), its output
                           checked against the expected answers; the baseline;
  oneline check:           a transcript of the same N commands, each with its exact answer (`< cmdNNNNN`);
  oneline check, patterns: the same with each answer as a pattern (`<~ cmd[0-9]+`), what RE2 costs.
Prints each median wall time (of --runs), the median CPU time of the process, and the ratio to the
baseline; the goal is oneline check at most 3x the baseline. Exit 1 when a run fails or the goal is missed.

    bench/check_bulk.py [--bin build/src/cli/oneline] [--commands 20000] [--runs 5]
"""

import argparse
import os
import pathlib
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOAL = 3.0  # oneline check at most this many times oneline client -f, same commands, same run


def start_echo_server(binary):
    server = subprocess.Popen([binary, "server", "-p", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    if found is None:
        server.kill()
        sys.exit(f"the server did not start: {line!r}")
    threading.Thread(target=server.stderr.read, daemon=True).start()  # its stderr never fills up
    return server, int(found.group(1))


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command, expected_stdout=None):
    """Runs `command`; its wall and CPU seconds. Stops the benchmark when it fails."""
    cpu = children_cpu()
    began = time.perf_counter()
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False)
    took = time.perf_counter() - began
    cpu = children_cpu() - cpu
    if done.returncode != 0 or (expected_stdout is not None and done.stdout != expected_stdout):
        sys.exit(f"{' '.join(map(str, command))}: exit {done.returncode}, {len(done.stdout)} bytes out, "
                 f"stderr {done.stderr[-400:]!r}")
    return took, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("ONELINE_BIN") or ROOT / "build" / "src" / "cli" / "oneline")
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    binary = pathlib.Path(options.bin)
    commands = [b"cmd%05d" % i for i in range(options.commands)]
    answers = b"".join(command + b"\n" for command in commands)
    server, port = start_echo_server(binary)
    try:
        with tempfile.TemporaryDirectory() as work:
            work = pathlib.Path(work)
            (work / "commands.txt").write_bytes(answers)
            (work / "exact.txt").write_bytes(b"".join(b"> %s\n< %s\n" % (c, c) for c in commands))
            (work / "patterns.txt").write_bytes(b"".join(b"> %s\n<~ cmd[0-9]+\n" % c for c in commands))
            endpoint = ["-p", str(port)]
            setups = {
                "oneline client -f": lambda: timed([binary, "client", *endpoint, "-f", work / "commands.txt"], answers),
                "oneline check": lambda: timed([binary, "check", *endpoint, work / "exact.txt"]),
                "oneline check, patterns": lambda: timed([binary, "check", *endpoint, work / "patterns.txt"]),
            }
            walls = {name: [] for name in setups}
            cpus = {name: [] for name in setups}
            for _ in range(options.runs):
                for name, run in setups.items():
                    wall, cpu = run()
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    finally:
        server.terminate()
        server.wait(10)
    base = statistics.median(walls["oneline client -f"])
    print(f"{options.commands} commands, echo server, median of {options.runs} runs in turns, every answer checked")
    print(f"{'':25} {'wall':>9} {'ratio':>7} {'cpu':>9}")
    for name, samples in walls.items():
        median = statistics.median(samples)
        print(f"{name:<25} {median * 1000:6.1f} ms {median / base:6.2f}x "
              f"{statistics.median(cpus[name]) * 1000:6.1f} ms")
    ratio = statistics.median(walls["oneline check"]) / base
    met = ratio <= GOAL
    print(f"goal: oneline check <= {GOAL:.0f}x oneline client -f: {'met' if met else 'MISSED'} ({ratio:.2f}x)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
