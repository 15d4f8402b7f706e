"""Starting and stopping the product's programs for the verification suite.

ServerProcess runs a server program in the background, reads back the port
it bound from its `listening on ADDRESS:PORT` line, collects everything it
prints (so the pipes never fill) and always stops it. run() runs a
short-lived program (a client, ping, shutdown) with a time limit.
"""

import os
import re
import signal
import subprocess
import threading
import time

from wire import Deadline

# The first address:port of the line; a server on a name lists one more per address, all on that port.
_LISTENING = re.compile(r"listening on (\S+):(\d+)(?:\s+\S+)*\s*$")


class ProcessError(RuntimeError):
    """A program did not start or behave as a test needs it to."""


class ServerProcess:
    """A server program running in the background, with its output collected line by line."""

    def __init__(self, argv, env=None):
        self.argv = [str(arg) for arg in argv]
        self.env = env
        self.process = None
        self.lines = []  # (stream name, text) in the order read
        self.address = None
        self.port = None
        self._changed = threading.Condition()
        self._readers = []

    def start(self, timeout=10.0):
        """Starts the program and waits for its `listening on` line; raises ProcessError when it does not come."""
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=self.env)
        for name, stream in (("stdout", self.process.stdout), ("stderr", self.process.stderr)):
            reader = threading.Thread(target=self._read, args=(name, stream), daemon=True)
            reader.start()
            self._readers.append(reader)
        match = self.wait_for(_LISTENING, timeout, until_exit=True)
        if match is None:
            raise ProcessError(f"{' '.join(self.argv)} printed no 'listening on' line within {timeout} s; "
                               f"exit code {self.process.poll()}; output:\n{self.output()}")
        self.address = match.group(1)
        self.port = int(match.group(2))
        return self

    def _read(self, name, stream):
        for raw in iter(stream.readline, b""):
            with self._changed:
                self.lines.append((name, raw.decode("utf-8", "replace").rstrip("\n")))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _finished_reading(self):
        return all(not reader.is_alive() for reader in self._readers)

    def wait_for(self, pattern, timeout=5.0, stream=None, until_exit=False, start=0):
        """The first match of `pattern` in a printed line (from index `start` on), waiting up to `timeout`.

        None when it does not appear in time, or (with until_exit) when the program has exited.
        """
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = Deadline(timeout)
        with self._changed:
            seen = start
            while True:
                for name, text in self.lines[seen:]:
                    found = regex.search(text)
                    if found and (stream is None or stream == name):
                        return found
                seen = len(self.lines)
                if deadline.passed() or (until_exit and self._finished_reading()):
                    return None
                if self._finished_reading():
                    return None
                self._changed.wait(deadline.remaining())

    def mark(self):
        """An index into the lines printed so far, to wait only for what comes later."""
        with self._changed:
            return len(self.lines)

    def output(self):
        with self._changed:
            return "\n".join(f"[{name}] {text}" for name, text in self.lines)

    def wait_exit(self, timeout):
        """The exit code, or None when the program is still running after `timeout`.

        Once it has exited, output() holds every line it printed: the readers may still be behind the pipes.
        """
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        for reader in self._readers:
            reader.join(timeout)  # the pipes end when the program does (or a child holding them, bounded)
        return code

    def signal(self, number):
        self.process.send_signal(number)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        """Stops the program (SIGTERM, then SIGKILL) if it still runs; returns its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for reader in self._readers:
            reader.join(5)
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
        return self.process.returncode

    def cpu_seconds(self):
        """User plus system CPU time the program has used so far (Linux /proc)."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def resident_kib(self):
        """The program's resident memory in KiB (Linux /proc)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


class Result:
    """What a finished short-lived program did."""

    def __init__(self, argv, returncode, stdout, stderr, seconds):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds

    def __repr__(self):
        return (f"exit {self.returncode} in {self.seconds:.2f} s, stdout {self.stdout!r}, "
                f"stderr {self.stderr!r}")


def run(argv, stdin_text=None, timeout=15.0, env=None):
    """Runs `argv` to completion (killed after `timeout`); returns a Result with text output."""
    argv = [str(arg) for arg in argv]
    began = time.monotonic()
    try:
        done = subprocess.run(argv, input=stdin_text, capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=None if stdin_text is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as expired:
        raise ProcessError(f"{' '.join(argv)} did not finish within {timeout} s; "
                           f"stdout {expired.stdout!r}, stderr {expired.stderr!r}") from None
    return Result(argv, done.returncode, done.stdout, done.stderr, time.monotonic() - began)


class Background:
    """A short-lived program running while the test plays its peer (e.g. a client against a FakeServer)."""

    def __init__(self, argv, stdin_text=None, env=None):
        self.argv = [str(arg) for arg in argv]
        self.began = time.monotonic()
        self.process = subprocess.Popen(self.argv, stdin=subprocess.PIPE if stdin_text is not None else
                                        subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
        if stdin_text is not None:
            # Small inputs fit the pipe buffer: written now, so the program never waits for the test.
            self.process.stdin.write(stdin_text)
            self.process.stdin.close()
            self.process.stdin = None  # communicate() must not touch it again

    def finish(self, timeout=10.0):
        """Waits for the program to exit (killing it after `timeout`); returns a Result."""
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise ProcessError(f"{' '.join(self.argv)} did not finish within {timeout} s; "
                               f"stdout {out!r}, stderr {err!r}") from None
        return Result(self.argv, self.process.returncode, out, err, time.monotonic() - self.began)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
