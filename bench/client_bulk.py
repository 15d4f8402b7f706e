#!/usr/bin/env python3
"""Bulk input through `oneline client` against a plain pipelined socket, in the same run.

Starts `oneline server -p 0` (echo), then times, for the same N commands:
  plain socket:        connect, write every command at once (a thread) while reading every answer back,
                       `disconnect`, read until the server closes;
  oneline client:      `oneline client -p PORT < commands > answers` (exact mode: a `ping` after each
                       command), and with `-n 1` (count mode);
and checks every answer. Prints each time (median of --runs) and its ratio to the plain socket.

    bench/client_bulk.py [--bin build/src/cli/oneline] [--commands 20000] [--runs 5]
"""

import argparse
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


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


def plain_socket(port, payload, expected):
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
    return took


def oneline_client(binary, port, commands_path, expected, extra):
    with open(commands_path, "rb") as stdin, tempfile.TemporaryFile() as stdout:
        began = time.perf_counter()
        done = subprocess.run([binary, "client", "-p", str(port), *extra], stdin=stdin, stdout=stdout,
                              stderr=subprocess.PIPE, timeout=60, check=False)
        took = time.perf_counter() - began
        stdout.seek(0)
        got = stdout.read()
    if done.returncode != 0 or got != expected:
        sys.exit(f"oneline client {' '.join(extra)}: exit {done.returncode}, {len(got)} bytes of "
                 f"{len(expected)}, stderr {done.stderr!r}")
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("ONELINE_BIN") or ROOT / "build" / "src" / "cli" / "oneline")
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    payload = b"".join(b"cmd%05d\n" % i for i in range(options.commands))
    server, port = start_server(options.bin)
    try:
        with tempfile.NamedTemporaryFile() as commands:
            commands.write(payload)
            commands.flush()
            times = {"plain socket": [], "oneline client": [], "oneline client -n 1": []}
            for _ in range(options.runs):
                times["plain socket"].append(plain_socket(port, payload, payload))
                times["oneline client"].append(oneline_client(options.bin, port, commands.name, payload, []))
                times["oneline client -n 1"].append(
                    oneline_client(options.bin, port, commands.name, payload, ["-n", "1"]))
    finally:
        server.terminate()
        server.wait(10)
    base = statistics.median(times["plain socket"])
    print(f"{options.commands} commands, echo server, median of {options.runs} runs, every answer checked")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<22} {median * 1000:8.1f} ms  ({median / base:.2f}x)")


if __name__ == "__main__":
    main()
