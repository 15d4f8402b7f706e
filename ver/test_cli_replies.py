"""`oneline client` replies: exact mode (ping-delimited), count mode (-n), left-over lines, pipelined bulk
input from stdin or -f, a server close noticed while waiting for stdin, and --wait on client, ping and shutdown.

The real binary against real `oneline server` processes (port 0), or a plain socket playing the server where
the test needs exact control of the wire. Helpers come from test_cli.py.
"""

import os
import pathlib
import select
import shutil
import signal
import subprocess
import time

import pytest

import test_cli
import wire
from test_cli import (BIN, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, WAIT, closed_port, ended_in_time,
                      one_line, run, verifies)
from hamcrest import less_than
from verify import verify, fully_matches, includes, true

TIME = shutil.which("time", path="/usr/bin") or "/usr/bin/time"  # GNU time (Debian's `time`)

SEQ = 'seq 1 "$1"'  # answers N with the lines 1..N


start_server = test_cli.start_server  # the fixture, shared


class RunningClient:
    """`oneline ARGS` in the background with its stdin a pipe the test writes to."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([BIN, *[str(arg) for arg in args]], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read_stdout_line(self, timeout=WAIT):
        fd = self.proc.stdout.fileno()
        line = b""
        deadline = time.monotonic() + timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            assert left > 0 and select.select([fd], [], [], left)[0], f"no line on stdout in time: {line!r}"
            chunk = os.read(fd, 1)
            assert chunk, f"stdout ended after {line!r}"
            line += chunk
        return line

    def stderr_line_with(self, text, timeout=WAIT):
        """Reads stderr until a line containing `text` comes; fails the test after `timeout`."""
        fd = self.proc.stderr.fileno()
        seen = b""
        deadline = time.monotonic() + timeout
        while text.encode() not in seen:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([fd], [], [], left)[0], f"stderr never said {text!r}: {seen!r}"
            chunk = os.read(fd, 4096)
            assert chunk, f"stderr ended without {text!r}: {seen!r}"
            seen += chunk
        return seen

    def wait(self, timeout=WAIT):
        """The exit code, or None when the program still runs after `timeout`."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def finish(self):
        """Kills the program if it still runs; its remaining stdout and stderr (empty the second time)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout.closed:
            return "", ""
        out, err = self.proc.stdout.read(), self.proc.stderr.read()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except BrokenPipeError:
                pass
        return out.decode(), err.decode()


@pytest.fixture
def running():
    started = []

    def start(*args):
        client = RunningClient(*args)
        started.append(client)
        return client

    yield start
    for client in started:
        client.finish()


def run_with_files(*args, stdin_path, stdout_path, stderr_path):
    """Runs `oneline ARGS` from and to files (so no pipe fills); returns (exit code, stderr, peak resident KiB).

    The peak is the tool's own, as GNU time reports it: a process started straight from this one would
    count this one's resident size at the fork (Linux keeps the largest of the process's images in
    ru_maxrss), and the test process grows with every module the suite imports.
    """
    peak_path = pathlib.Path(stderr_path).with_suffix(".peak")
    command = [TIME, "-f", "%M", "-o", str(peak_path), BIN, *[str(arg) for arg in args]]
    with open(stdin_path, "rb") as stdin, open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(command, stdin=stdin, stdout=stdout, stderr=stderr, start_new_session=True)
    pidfd = os.pidfd_open(proc.pid)
    try:
        if not ended_in_time([pidfd], WAIT * 3):
            os.killpg(proc.pid, signal.SIGKILL)  # time and the tool under it
            proc.wait()
            pytest.fail(f"`oneline {' '.join(map(str, args))}` did not end in time")
        proc.wait()
    finally:
        os.close(pidfd)
    # GNU time writes "Command exited with non-zero status N" before the figure when the tool failed.
    return proc.returncode, pathlib.Path(stderr_path).read_text(), int(peak_path.read_text().split()[-1])


def fake_session(fake, answers):
    """Plays a server on `fake`: answers the handshake, then each expected command with its lines.

    `answers` is a list of (expected command, bytes to send back). Returns the connection.
    """
    conn = fake.accept()
    assert conn.recv_line() == b"ping"
    conn.send(b"pong\n")
    for expected, reply in answers:
        assert conn.recv_line() == expected
        if reply:
            conn.send(reply)
    return conn


# --- exact mode: each command is followed by `ping`; the lines before its `pong` are its answer ----------

@verifies("SRS-082")
def test_exact_mode_prints_every_line_of_each_answer(start_server):
    server = start_server("--exec", SEQ)
    result = run("client", "-p", str(server.port), "3", "2")
    verify(result.returncode, EXIT_OK, "SRS-082", note=result.stderr)
    verify(result.stdout, "1\n2\n3\n1\n2\n", "SRS-082")
    verify(result.stderr, "", "SRS-082")


@verifies("SRS-082")
def test_exact_mode_an_answer_may_have_no_lines(start_server):
    server = start_server("--exec", "true")
    result = run("client", "-p", str(server.port), "a", "b")
    verify(result.returncode, EXIT_OK, "SRS-082", note=result.stderr)
    verify(result.stdout, "", "SRS-082")


@verifies("SRS-082")
def test_exact_mode_on_the_wire_each_command_is_followed_by_ping():
    with wire.FakeServer() as fake:
        client = subprocess.Popen([BIN, "client", "-p", str(fake.port), "a", "b"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn = fake_session(fake, [(b"a", b"A1\nA2\n"), (b"ping", b"pong\n"), (b"b", None), (b"ping", b"pong\n"),
                                       (b"disconnect", None)])
            conn.close()
            out, err = client.communicate(timeout=WAIT)
        finally:
            if client.poll() is None:
                client.kill()
                client.communicate()
    verify(client.returncode, EXIT_OK, "SRS-082", note=err)
    verify(out, "A1\nA2\n", "SRS-082")


@verifies("SRS-082", "SRS-089")
def test_exact_mode_an_unfinished_answer_times_out_naming_the_command_and_the_lines():
    command = "x" * 100
    with wire.FakeServer() as fake:
        started = time.monotonic()
        client = subprocess.Popen([BIN, "client", "-p", str(fake.port), "-t", "0.5", command],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn = fake_session(fake, [(command.encode(), b"first\n"), (b"ping", None)])  # and no pong
            out, err = client.communicate(timeout=WAIT)
            conn.close()
        finally:
            if client.poll() is None:
                client.kill()
                client.communicate()
    verify(client.returncode, EXIT_FAILURE, "SRS-082,SRS-089")
    verify(out, "first\n", "SRS-082,SRS-089")
    message = one_line(err)
    verify(message, includes(f"did not answer '{'x' * 60}...' (100 bytes) within 0.5 s"), "SRS-082,SRS-089")
    verify(message, includes("1 line came"), "SRS-082,SRS-089")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-082,SRS-089")


# --- count mode (-n) ---------------------------------------------------------------------------------------

@verifies("SRS-083")
def test_count_mode_fewer_lines_than_n_fails_saying_how_many_came(start_server):
    server = start_server("--exec", SEQ)
    started = time.monotonic()
    result = run("client", "-p", str(server.port), "-n", "3", "-t", "0.5", "2")
    verify(result.returncode, EXIT_FAILURE, "SRS-083")
    verify(result.stdout, "1\n2\n", "SRS-083")
    message = one_line(result.stderr)
    verify(message, includes(f"127.0.0.1:{server.port} did not answer '2' within 0.5 s: "
                             "2 of the 3 lines expected (-n 3) came"), "SRS-083")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-083")


@verifies("SRS-083")
def test_count_mode_with_the_right_count_exits_0(start_server):
    server = start_server("--exec", SEQ)
    result = run("client", "-p", str(server.port), "-n", "3", "3")
    verify(result.returncode, EXIT_OK, "SRS-083", note=result.stderr)
    verify(result.stdout, "1\n2\n3\n", "SRS-083")


@verifies("SRS-083")
def test_count_mode_sends_no_ping_on_the_wire():
    with wire.FakeServer() as fake:
        client = subprocess.Popen([BIN, "client", "-p", str(fake.port), "-n", "1", "a", "b"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn = fake_session(fake, [(b"a", b"A\n"), (b"b", b"B\n"), (b"disconnect", None)])
            conn.close()
            out, err = client.communicate(timeout=WAIT)
        finally:
            if client.poll() is None:
                client.kill()
                client.communicate()
    verify(client.returncode, EXIT_OK, "SRS-083", note=err)
    verify(out, "A\nB\n", "SRS-083")


# --- lines left over ---------------------------------------------------------------------------------------

@verifies("SRS-084")
def test_count_mode_lines_left_over_fail(start_server):
    server = start_server("--exec", SEQ)
    result = run("client", "-p", str(server.port), "-n", "2", "3")
    verify(result.returncode, EXIT_FAILURE, "SRS-084")
    verify(result.stdout, "1\n2\n", "SRS-084")
    message = one_line(result.stderr)
    verify(message, includes("more than expected after the answer to '3' was complete: '3'"), "SRS-084")
    verify(message, includes("-n 2"), "SRS-084")


@verifies("SRS-084")
def test_count_mode_left_over_before_shutdown_disconnects_instead(start_server):
    server = start_server("--exec", SEQ, "-v")
    result = run("client", "-p", str(server.port), "-n", "1", "2", "shutdown")
    verify(result.returncode, EXIT_FAILURE, "SRS-084")
    verify(one_line(result.stderr), includes("disconnected without sending 'shutdown'"), "SRS-084")
    server.wait_for_stderr("sent disconnect")
    verify(server.proc.poll(), None, "SRS-084")  # still serving
    verify(run("client", "-p", str(server.port), "-n", "1", "1").stdout, "1\n", "SRS-084")


@verifies("SRS-084")
def test_exact_mode_a_command_answered_with_pong_fails(start_server):
    server = start_server("--exec", "echo pong")
    result = run("client", "-p", str(server.port), "x")
    verify(result.returncode, EXIT_FAILURE, "SRS-084")
    message = one_line(result.stderr)
    verify("more than expected" in message and "'pong'" in message and "ambiguous" in message, true(), "SRS-084")


@verifies("SRS-084")
def test_a_line_after_the_last_answer_fails_even_after_the_goodbye():
    with wire.FakeServer() as fake:
        client = subprocess.Popen([BIN, "client", "-p", str(fake.port), "a"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn = fake_session(fake, [(b"a", b"A\n"), (b"ping", b"pong\n"), (b"disconnect", b"late\n")])
            conn.close()
            out, err = client.communicate(timeout=WAIT)
        finally:
            if client.poll() is None:
                client.kill()
                client.communicate()
    verify(client.returncode, EXIT_FAILURE, "SRS-084")
    verify(out, "A\n", "SRS-084")
    verify(one_line(err), includes("more than expected after the answer to 'a' was complete: 'late'"), "SRS-084")


# --- pipelined bulk input ------------------------------------------------------------------------------------

@verifies("SRS-085")
def test_20000_commands_from_stdin_come_back_in_order(start_server, tmp_path):
    server = start_server()
    commands = "".join(f"command {i}\n" for i in range(20_000))
    (tmp_path / "in").write_text(commands)
    code, stderr, _ = run_with_files("client", "-p", server.port, stdin_path=tmp_path / "in",
                                     stdout_path=tmp_path / "out", stderr_path=tmp_path / "err")
    verify(code, EXIT_OK, "SRS-085", note=stderr)
    verify((tmp_path / "out").read_text(), commands, "SRS-085")


@verifies("SRS-085")
def test_bulk_memory_stays_bounded_whatever_stdin_holds(start_server, tmp_path):
    server = start_server()
    line = "y" * 999 + "\n"
    with open(tmp_path / "in", "w") as out:
        for _ in range(60):
            out.write(line * 1000)  # 60 MB in all
    code, stderr, peak_kib = run_with_files("client", "-p", server.port, "-n", "1", stdin_path=tmp_path / "in",
                                            stdout_path=tmp_path / "out", stderr_path=tmp_path / "err")
    verify(code, EXIT_OK, "SRS-085", note=stderr)
    verify((tmp_path / "out").stat().st_size, 60_000 * 1000, "SRS-085")
    verify(peak_kib, less_than(40 * 1024), "SRS-085", note=f"the client grew to {peak_kib} KiB for 60 MB of input")


@verifies("SRS-085", "SRS-088")
def test_file_option_reads_the_commands_from_a_file(start_server, tmp_path):
    server = start_server("--exec", SEQ)
    path = tmp_path / "commands"
    path.write_text("2\n1\n")
    result = run("client", "-p", str(server.port), "-f", str(path))
    verify(result.returncode, EXIT_OK, "SRS-085,SRS-088", note=result.stderr)
    verify(result.stdout, "1\n2\n1\n", "SRS-085,SRS-088")


@verifies("SRS-088")
def test_file_option_with_a_missing_file_fails_before_connecting(start_server, tmp_path):
    server = start_server("-v")
    result = run("client", "-p", str(server.port), "-f", str(tmp_path / "absent"))
    verify(result.returncode, EXIT_FAILURE, "SRS-088")
    verify(one_line(result.stderr), includes(f"cannot open '{tmp_path / 'absent'}'"), "SRS-088")
    verify(run("shutdown", "-p", str(server.port)).returncode, EXIT_OK, "SRS-088")
    verify(server.wait(), EXIT_OK, "SRS-088")
    verify(server.stderr().count("connected"), 1, "SRS-088")  # the shutdown only


@verifies("SRS-088")
def test_file_option_and_commands_together_are_a_usage_error(tmp_path):
    path = tmp_path / "commands"
    path.write_text("a\n")
    result = run("client", "-p", str(closed_port()), "-f", str(path), "b")
    verify(result.returncode, EXIT_USAGE, "SRS-088")


@verifies("SRS-033", "SRS-085")
@pytest.mark.parametrize("mode", [[], ["-n", "1"]], ids=["exact", "count"])
def test_each_answer_shows_up_while_stdin_stays_open(start_server, running, mode):
    # Output is collected for speed; it must still reach a pipe as soon as the client waits for input.
    server = start_server()
    client = running("client", "-p", server.port, *mode)
    for i in range(5):
        client.write(b"line %d\n" % i)
        verify(client.read_stdout_line(), b"line %d\n" % i, "SRS-033,SRS-085")
    client.proc.stdin.close()
    verify(client.wait(), EXIT_OK, "SRS-033,SRS-085")


# --- a close noticed while waiting for stdin -----------------------------------------------------------------

@verifies("SRS-086")
def test_a_server_close_is_noticed_while_waiting_on_a_slow_stdin(start_server, running):
    server = start_server()
    client = running("client", "-p", server.port)
    client.write(b"first\n")
    verify(client.read_stdout_line(), b"first\n", "SRS-086")
    server.stop()  # SIGTERM: the server closes the connection and ends; stdin stays open, no next line
    started = time.monotonic()
    verify(client.wait(WAIT), EXIT_FAILURE, "SRS-086", note="the client did not notice the close")
    verify(time.monotonic() - started, less_than(3), "SRS-086")
    _, err = client.finish()
    verify(one_line(err),
           includes(f"127.0.0.1:{server.port} closed the connection while the client waited for commands"), "SRS-086")


# --- --wait ----------------------------------------------------------------------------------------------------

@verifies("SRS-087")
@pytest.mark.parametrize("subcommand", ["ping", "client", "shutdown"])
def test_wait_connects_to_a_server_started_later(running, subcommand):
    port = closed_port()
    args = {"ping": [], "client": ["hello"], "shutdown": []}[subcommand]
    client = running(subcommand, "-v", "-p", port, "--wait", "10", *args)
    client.stderr_line_with("trying again")  # refused at least once: the server is not there yet
    server = subprocess.Popen([BIN, "server", "-p", str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        verify(client.wait(WAIT), EXIT_OK, "SRS-087")
        out, err = client.finish()
        expected = {"ping": rf"pong from 127\.0\.0\.1:{port} in \d+\.\d+ ms\n", "client": r"hello\n",
                    "shutdown": r""}[subcommand]
        verify(out, fully_matches(expected), "SRS-087", note=(out, err))
        if subcommand == "shutdown":
            verify(server.wait(WAIT), EXIT_OK, "SRS-087")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(WAIT)


@verifies("SRS-087")
def test_wait_gives_up_with_the_last_reason():
    port = closed_port()
    started = time.monotonic()
    result = run("ping", "-p", str(port), "--wait", "0.5", "-t", "1")
    took = time.monotonic() - started
    verify(result.returncode, EXIT_FAILURE, "SRS-087")
    message = one_line(result.stderr)
    verify("refused" in message.lower() and f"127.0.0.1:{port}" in message and "kept trying for 0.5 s" in message,
           true(), "SRS-087")
    verify(0.5 <= took < WAIT / 2, true(), "SRS-087")
