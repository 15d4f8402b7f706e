#!/usr/bin/env python3
"""Bulk input through `oneline client` against a plain pipelined socket, in the same run.

Starts `oneline server -p 0` (echo), then times, for the same N commands, each in a process of its own
started the same way (so that each pays for one process start):
  plain socket, own process: `oneline_plain_client PORT` (built with the bench): reads the commands,
                             writes them all at once followed by `disconnect` (a thread) while it
                             copies every answer to stdout, until the server closes; the baseline;
  oneline client:            `oneline client -p PORT < commands > answers` (exact mode: a `ping` after
                             each command), and with `-n 1` (count mode);
and, for reference, the same plain socket inside this Python process (no process start) and
`oneline client` with one command (process start, connect and handshake, goodbye). Every answer is
checked. Prints each median wall time (of --runs, the setups taking turns), the median CPU time of the
process where there is one, and the ratio to the plain socket in its own process.

    bench/client_bulk.py [--bin build/src/cli/oneline] [--plain-bin build/bench/oneline_plain_client]
                         [--commands 20000] [--runs 5]
"""

import argparse
import os
import pathlib
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOAL = 3.0  # oneline client at most this many times the plain socket in its own process


def start_server(binary):
    server = subprocess.Popen([binary, "server", "-p", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    if match is None:
        server.kill()
        sys.exit(f"the server did not start: {line!r}")
    threading.Thread(target=server.stderr.read, daemon=True).start()  # keeps its stderr from filling up
    return server, int(match.group(1))


def in_process(port, payload, expected):
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        writer = threading.Thread(target=sock.sendall, args=(payload + b"disconnect\n",))
        writer.start()
        received = bytearray()
        while chunk := sock.recv(1 << 20):
            received += chunk
        writer.join()
    took = time.perf_counter() - began
    if bytes(received) != expected:
        sys.exit(f"plain socket: wrong answers ({len(received)} bytes, expected {len(expected)})")
    return took, None


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_process(command, commands_path, expected):
    """Runs `command` with the commands on stdin; its wall and CPU time."""
    with open(commands_path, "rb") as stdin, tempfile.TemporaryFile() as stdout:
        cpu = child_cpu()
        began = time.perf_counter()
        done = subprocess.run(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=60, check=False)
        took = time.perf_counter() - began
        cpu = child_cpu() - cpu
        stdout.seek(0)
        got = stdout.read()
    if done.returncode != 0 or got != expected:
        sys.exit(f"{' '.join(map(str, command))}: exit {done.returncode}, {len(got)} bytes of "
                 f"{len(expected)}, stderr {done.stderr!r}")
    return took, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("ONELINE_BIN") or ROOT / "build" / "src" / "cli" / "oneline")
    parser.add_argument("--plain-bin", help="oneline_plain_client (default: bench/ of the build --bin is in)")
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    binary = pathlib.Path(options.bin)
    plain = pathlib.Path(options.plain_bin or binary.resolve().parents[2] / "bench" / "oneline_plain_client")
    if not plain.exists():
        sys.exit(f"{plain} is missing: build the target oneline_plain_client, or give --plain-bin")
    payload = b"".join(b"cmd%05d\n" % i for i in range(options.commands))
    one = b"cmd00000\n"
    server, port = start_server(binary)
    try:
        with tempfile.NamedTemporaryFile() as commands, tempfile.NamedTemporaryFile() as single:
            commands.write(payload)
            commands.flush()
            single.write(one)
            single.flush()
            client = [binary, "client", "-p", str(port)]
            setups = {
                "plain socket, own process": lambda: own_process([plain, str(port)], commands.name, payload),
                "oneline client": lambda: own_process(client, commands.name, payload),
                "oneline client -n 1": lambda: own_process(client + ["-n", "1"], commands.name, payload),
                "plain socket, in Python": lambda: in_process(port, payload, payload),
                "oneline client, 1 command": lambda: own_process(client, single.name, one),
            }
            times = {name: [] for name in setups}
            cpus = {name: [] for name in setups}
            for _ in range(options.runs):
                for name, run in setups.items():
                    took, cpu = run()
                    times[name].append(took)
                    cpus[name].append(cpu)
    finally:
        server.terminate()
        server.wait(10)
    base = statistics.median(times["plain socket, own process"])
    print(f"{options.commands} commands, echo server, median of {options.runs} runs, every answer checked")
    print(f"{'':27} {'wall':>9} {'ratio':>8} {'cpu':>9}")
    for name, samples in times.items():
        median = statistics.median(samples)
        cpu = f"{statistics.median(cpus[name]) * 1000:6.1f} ms" if cpus[name][0] is not None else ""
        print(f"{name:<27} {median * 1000:6.1f} ms {median / base:7.2f}x {cpu:>9}")
    ratio = statistics.median(times["oneline client"]) / base
    print(f"goal: oneline client <= {GOAL:.0f}x the plain socket in its own process: "
          f"{'met' if ratio <= GOAL else 'MISSED'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
