"""Tests of the real `oneline` binary: every subcommand, exit codes, bad arguments, --exec, signals, raw sockets.

The binary comes from ONELINE_BIN, else build/src/cli/oneline under the repository root. Every server is
started on port 0 (it prints `listening on ADDRESS:PORT` on stderr first) and always stopped at teardown.
Self-contained: its helpers are below, it needs no conftest (ctest runs it with --noconftest). Each test
names the requirements (srs.json) it verifies with @verifies; run as part of the ver suite, the suite's
conftest traces the test's outcome to them.
"""

import contextlib
import errno
import os
import pathlib
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
from hamcrest import is_not, less_than, matches_regexp
from verify import verify, fully_matches, includes, true

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = os.path.abspath(os.environ.get("ONELINE_BIN") or ROOT / "build" / "src" / "cli" / "oneline")
HOST = "127.0.0.1"
WAIT = 10.0  # the most any step may take before the test fails instead of hanging
SUBCOMMANDS = ("server", "client", "ping", "shutdown", "bench", "check")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def verifies(*srs):
    """Names the requirement ids a test verifies (none: it verifies nothing in srs.json).

    A plain attribute rather than a pytest marker, so that a run without the ver suite's conftest (which
    would register the marker) stays free of unknown-marker warnings.
    """
    def name(test):
        test.srs = srs
        return test
    return name


def run(*args, stdin=None, timeout=WAIT, env=None):
    """Runs `oneline ARGS`, returns the CompletedProcess (text, stdout and stderr captured)."""
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)


def closed_port():
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class ServerProcess:
    """`oneline server --port 0 OPTIONS` in the background, its port read from its first stderr line.

    `program` is the command that runs the tool (default: BIN); `patience` bounds each wait on it.
    """

    STOP_SIGNAL = signal.SIGTERM

    def __init__(self, *options, env=None, cwd=None, wrapper=(), drain=True, program=None, patience=WAIT):
        self.patience = patience
        self.proc = subprocess.Popen([*wrapper, *(program or [BIN]), "server", "--port", "0", *options],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=env, cwd=cwd)
        self._stderr = b""
        self._stderr_grew = threading.Condition()
        self.first_line = self._read_first_line()
        match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)", self.first_line)
        if match is None:
            self.stop()
            raise AssertionError(f"unexpected first stderr line {self.first_line!r}")
        self.port = int(match.group(1))
        if drain:  # without it the test owns the pipe after the first line (and must keep it from filling up)
            self._drainer = threading.Thread(target=self._drain, daemon=True)
            self._drainer.start()

    def _read_first_line(self):
        fd = self.proc.stderr.fileno()
        deadline = time.monotonic() + self.patience
        while b"\n" not in self._stderr:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.stop()
                raise AssertionError("the server printed no `listening on` line in time")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"the server ended before listening: {self._stderr!r}")
            self._stderr += chunk
        line, _, self._stderr = self._stderr.partition(b"\n")
        return self._text_of_line(line)

    @staticmethod
    def _text_of_line(line):
        return line.decode()

    def _drain(self):
        # Keeps the pipe from filling up; the text is read after the process has ended.
        fd = self.proc.stderr.fileno()
        while chunk := os.read(fd, 4096):
            with self._stderr_grew:
                self._stderr += chunk
                self._stderr_grew.notify_all()

    def wait_for_stderr(self, text):
        """Blocks until the server's stderr contains `text`; fails the test after WAIT."""
        with self._stderr_grew:
            found = self._stderr_grew.wait_for(lambda: text.encode() in self._stderr, timeout=self.patience)
        assert found, f"the server never printed {text!r}"

    def wait(self, timeout=None):
        """The exit code; fails the test when the server does not end within `timeout` (default: patience)."""
        return self.proc.wait(timeout=timeout or self.patience)

    def stderr(self):
        """Everything the server printed on stderr after its first line (complete once it has ended)."""
        if self.proc.poll() is not None and hasattr(self, "_drainer"):
            self._drainer.join(self.patience)
        return self._stderr.decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(self.STOP_SIGNAL)
            try:
                self.proc.wait(timeout=self.patience)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "_drainer"):
            self._drainer.join(self.patience)  # it reads until the end of the pipe; never close the fd under it
        self.proc.stderr.close()


@pytest.fixture
def start_server():
    """Starts `oneline server` processes; stops each at teardown, whatever happened."""
    started = []

    def start(*options, env=None, cwd=None, wrapper=(), drain=True):
        """`wrapper` goes before the binary on the command line (e.g. nohup); see ServerProcess for `drain`."""
        server = ServerProcess(*options, env=env, cwd=cwd, wrapper=wrapper, drain=drain)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class RawClient:
    """A plain TCP connection for exact bytes on the wire."""

    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=WAIT)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_lines(self, count):
        """The next `count` lines, each with its 0x0A; fails on timeout or close."""
        while self.buffer.count(b"\n") < count:
            chunk = self.sock.recv(65536)
            assert chunk, f"connection closed after {self.buffer!r}"
            self.buffer += chunk
        lines = self.buffer.split(b"\n")
        taken, rest = lines[:count], lines[count:]
        self.buffer = b"\n".join(rest)
        return [line + b"\n" for line in taken]

    def wait_closed(self):
        """True when the server closes the connection (within WAIT); data before the close is dropped."""
        while True:
            try:
                if not self.sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
            except socket.timeout:
                return False

    def close(self):
        self.sock.close()


@pytest.fixture
def raw_clients():
    opened = []

    def connect(port):
        client = RawClient(port)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


def ended_in_time(pidfds, timeout=WAIT):
    """True when every process behind `pidfds` (os.pidfd_open) has ended within `timeout`."""
    deadline = time.monotonic() + timeout
    running = list(pidfds)
    while running:
        ended = select.select(running, [], [], max(0.0, deadline - time.monotonic()))[0]
        running = [fd for fd in running if fd not in ended]
        if running and time.monotonic() >= deadline:
            return False
    return True


class WatchedProcesses:
    """Processes the test did not start, held by pidfd (never mistaken for a later one with the same pid).

    Whatever outlives the test is killed at the end, so that a failing run leaves nothing behind.
    """

    def __init__(self):
        self.pidfds = []

    def watch(self, pid):
        try:
            self.pidfds.append(os.pidfd_open(pid))
        except ProcessLookupError:
            pass  # already gone

    def ended_in_time(self):
        return ended_in_time(self.pidfds)

    def close(self):
        for pidfd in self.pidfds:
            if not ended_in_time([pidfd], timeout=0):
                with contextlib.suppress(ProcessLookupError):  # it may end in between
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            os.close(pidfd)


@pytest.fixture
def watched():
    processes = WatchedProcesses()
    yield processes
    processes.close()


def run_measured(*args, stdin):
    """Runs `oneline ARGS` with `stdin` (a file); returns (exit code, stdout, stderr, peak resident KiB).

    Fails the test when it does not end within WAIT (then it is killed).
    """
    proc = subprocess.Popen([BIN, *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pidfd = os.pidfd_open(proc.pid)
    try:
        if not ended_in_time([pidfd]):
            proc.kill()
            proc.wait()
            pytest.fail(f"`oneline {' '.join(args)}` did not end within {WAIT} s")
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here, for its resource usage
        proc.returncode = os.waitstatus_to_exitcode(status)
        return proc.returncode, proc.stdout.read().decode(), proc.stderr.read().decode(), usage.ru_maxrss
    finally:
        os.close(pidfd)
        proc.stdout.close()
        proc.stderr.close()


def one_line(text):
    """The only line of `text` (fails unless there is exactly one)."""
    lines = text.splitlines()
    assert len(lines) == 1, f"expected one line, got {text!r}"
    return lines[0]


# --- usage: exit 0 for help/version, 2 for bad arguments ---------------------------------------------------------

@verifies("SRS-039")
def test_version_prints_the_version_and_exits_0():
    result = run("--version")
    verify(result.returncode, EXIT_OK, "SRS-039")
    verify(result.stdout.strip(), fully_matches(r"\d+\.\d+\.\d+"), "SRS-039")


@verifies("SRS-039")
@pytest.mark.parametrize("subcommand", ("",) + SUBCOMMANDS)
def test_help_exits_0_and_shows_the_options(subcommand):
    result = run(*([subcommand] if subcommand else []), "--help")
    verify(result.returncode, EXIT_OK, "SRS-039")
    verify(("--port" in result.stdout) if subcommand else all(name in result.stdout for name in SUBCOMMANDS), true(),
           "SRS-039")


@verifies("SRS-036")
def test_no_subcommand_is_a_usage_error():
    result = run()
    verify(result.returncode, EXIT_USAGE, "SRS-036")
    verify(one_line(result.stderr), includes("subcommand"), "SRS-036")


@verifies("SRS-036")
@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@pytest.mark.parametrize("port", ["70000", "abc", "-1", "65536"])
def test_bad_port_is_a_one_line_usage_error(subcommand, port):
    result = run(subcommand, "-p", port)
    verify(result.returncode, EXIT_USAGE, "SRS-036")
    verify(one_line(result.stderr), includes("--port"), "SRS-036")
    verify(result.stdout, "", "SRS-036")


@verifies("SRS-036")
@pytest.mark.parametrize("args", [
    ["server", "--no-such-option"],
    ["server", "--echo", "--exec", "true"],
    ["server", "--exec", " "],
    ["server", "--max-line", "0"],
    ["server", "--idle-timeout", "-1"],
    ["client", "-t", "0", "x"],
    ["client", "-n", "-1", "x"],
    ["client", "shutdown", "x"],
    ["client", "a\nb"],
    ["nosuchcommand"],
])
def test_bad_arguments_are_one_line_usage_errors(args):
    result = run(*args)
    verify(result.returncode, EXIT_USAGE, "SRS-036")
    one_line(result.stderr)


@verifies("SRS-036", "SRS-037")
def test_exec_with_a_missing_program_fails_at_startup():
    result = run("server", "--port", "0", "--exec", "no-such-program-oneline --flag")
    verify(result.returncode, EXIT_USAGE, "SRS-036,SRS-037")
    verify(one_line(result.stderr), includes("no-such-program-oneline"), "SRS-036,SRS-037")
    verify(result.stderr, includes("not found"), "SRS-036,SRS-037")


# --- server: startup, echo, framing options ---------------------------------------------------------------------

@verifies("SRS-023", "SRS-038")
def test_server_prints_listening_first_with_the_bound_port(start_server):
    server = start_server("-v")
    verify(0 < server.port < 65536, true(), "SRS-023,SRS-038")
    verify(run("ping", "-p", str(server.port)).returncode, EXIT_OK, "SRS-023,SRS-038")


@verifies("SRS-022", "SRS-036")
def test_server_on_a_port_in_use_exits_1_naming_the_address(start_server):
    server = start_server()
    result = run("server", "-p", str(server.port))
    verify(result.returncode, EXIT_FAILURE, "SRS-022,SRS-036")
    verify(one_line(result.stderr), includes(f"127.0.0.1:{server.port}"), "SRS-022,SRS-036")


@verifies("SRS-022", "SRS-036")
def test_server_on_an_address_not_on_this_host_exits_1():
    result = run("server", "-a", "192.0.2.1", "-p", "0")
    verify(result.returncode, EXIT_FAILURE, "SRS-022,SRS-036")
    verify(one_line(result.stderr), includes("192.0.2.1"), "SRS-022,SRS-036")


@verifies("SRS-032", "SRS-033")
def test_server_echoes_by_default_and_with_echo(start_server):
    for options in ((), ("--echo",)):
        server = start_server(*options)
        result = run("client", "-p", str(server.port), "hello", "two words", "")
        verify(result.returncode, EXIT_OK, "SRS-032,SRS-033", note=result.stderr)
        verify(result.stdout, "hello\ntwo words\n\n", "SRS-032,SRS-033")


@verifies("SRS-019", "SRS-032")
def test_server_drops_cr_before_lf_from_a_raw_socket(start_server, raw_clients):
    server = start_server()
    client = raw_clients(server.port)
    client.send(b"ping\r\nhello\r\nbare\rcr\n")
    verify(client.read_lines(3), [b"pong\n", b"hello\n", b"bare\rcr\n"], "SRS-019,SRS-032")


@verifies("SRS-019", "SRS-032")
def test_server_keep_cr_keeps_it(start_server, raw_clients):
    server = start_server("--keep-cr")
    client = raw_clients(server.port)
    client.send(b"hello\r\n")
    verify(client.read_lines(1), [b"hello\r\n"], "SRS-019,SRS-032")


@verifies("SRS-026", "SRS-032")
def test_server_drops_non_ascii_bytes_by_default_and_keeps_utf8_with_utf8(start_server, raw_clients):
    ascii_server = start_server()
    client = raw_clients(ascii_server.port)
    client.send("café\n".encode())
    verify(client.read_lines(1), [b"caf\n"], "SRS-026,SRS-032")
    utf8_server = start_server("--utf8")
    client = raw_clients(utf8_server.port)
    client.send("café\n".encode() + b"x\xffy\n")
    verify(client.read_lines(2), ["café\n".encode(), b"xy\n"], "SRS-026,SRS-032")


@verifies("SRS-016", "SRS-032")
def test_server_max_line_drops_the_client_and_serves_the_next(start_server, raw_clients):
    server = start_server("--max-line", "8")
    client = raw_clients(server.port)
    client.send(b"x" * 64)
    verify(client.wait_closed(), true(), "SRS-016,SRS-032")
    verify(run("ping", "-p", str(server.port)).returncode, EXIT_OK, "SRS-016,SRS-032")


@verifies("SRS-024", "SRS-032")
def test_server_idle_timeout_drops_a_silent_client(start_server, raw_clients):
    server = start_server("--idle-timeout", "0.2")
    client = raw_clients(server.port)
    started = time.monotonic()
    verify(client.wait_closed(), true(), "SRS-024,SRS-032")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-024,SRS-032")


@verifies("SRS-032", "SRS-038")
def test_server_verbose_logs_on_stderr_after_the_listening_line(start_server):
    server = start_server("-v")
    verify(run("client", "-p", str(server.port), "shutdown").returncode, EXIT_OK, "SRS-032,SRS-038")
    verify(server.wait(), EXIT_OK, "SRS-032,SRS-038")
    log = server.stderr()
    verify(log, includes("oneline srvr: client connected from 127.0.0.1:"), "SRS-032,SRS-038")
    verify(log, is_not(includes("listening on")), "SRS-032,SRS-038")  # printed once, first, by the tool itself


def signal_name(number):
    return signal.Signals(number).name


def check_clean_stop_on(signal_number, server, raw_clients, with_client, reqids):
    """Sends the signal to a running server: exit 0, its client (if any) disconnected, its port closed."""
    if with_client:
        client = raw_clients(server.port)
        client.send(b"ping\n")
        verify(client.read_lines(1), [b"pong\n"], reqids)
    server.proc.send_signal(signal_number)
    verify(server.wait(), EXIT_OK, reqids, "exit code")
    if with_client:
        verify(client.wait_closed(), True, reqids, "the client is disconnected")
    try:
        socket.create_connection((HOST, server.port), timeout=WAIT).close()
        connecting = "connected"
    except ConnectionRefusedError:
        connecting = "refused"
    verify(connecting, "refused", reqids, "a new connection to the port after the exit")


@verifies("SRS-025", "SRS-032")
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("with_client", [False, True])
def test_server_stops_cleanly_with_exit_0_on_a_signal(start_server, raw_clients, signal_number, with_client):
    check_clean_stop_on(signal_number, start_server(), raw_clients, with_client, "SRS-025,SRS-032")


@verifies("SRS-046")
@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGQUIT], ids=signal_name)
@pytest.mark.parametrize("with_client", [False, True])
def test_server_stops_cleanly_on_sighup_and_sigquit(start_server, raw_clients, signal_number, with_client):
    check_clean_stop_on(signal_number, start_server(), raw_clients, with_client, "SRS-046")


@verifies("SRS-046")
@pytest.mark.parametrize("signal_number", [signal.SIGUSR1, signal.SIGUSR2], ids=signal_name)
def test_server_ignores_sigusr1_and_sigusr2(start_server, signal_number):
    server = start_server()
    server.proc.send_signal(signal_number)
    verify(run("ping", "-p", str(server.port)).returncode, EXIT_OK, "SRS-046")
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), EXIT_OK, "SRS-046")  # not killed by the first signal, stopped by the second


@verifies("SRS-046")
def test_server_started_with_nohup_keeps_serving_after_sighup(start_server):
    server = start_server(wrapper=("nohup",))  # nohup execs the server with SIGHUP ignored
    server.proc.send_signal(signal.SIGHUP)
    verify(run("ping", "-p", str(server.port)).returncode, EXIT_OK, "SRS-046")
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), EXIT_OK, "SRS-046")


@verifies("SRS-046")
def test_server_survives_a_reader_closing_its_stderr(start_server):
    server = start_server("-v", drain=False)
    server.proc.stderr.close()  # the reader goes away after the `listening on` line
    result = run("client", "-p", str(server.port), "hello")  # makes the server log, into the closed pipe
    verify(result.returncode, EXIT_OK, "SRS-046", note=result.stderr)
    verify(result.stdout, "hello\n", "SRS-046")
    verify(run("shutdown", "-p", str(server.port)).returncode, EXIT_OK, "SRS-046")
    verify(server.wait(), EXIT_OK, "SRS-046")


@verifies("SRS-046")
@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGTERM], ids=signal_name)
def test_server_stopped_by_a_signal_kills_the_running_exec_program(signal_number, start_server, raw_clients,
                                                                   watched, tmp_path):
    pid_file = tmp_path / "pids"
    server = start_server("--exec", 'sleep 600 & echo "$$ $!" > "$PID_FILE"; echo started >&2; wait',
                          env=dict(os.environ, PID_FILE=str(pid_file)))
    client = raw_clients(server.port)
    client.send(b"slow\n")
    server.wait_for_stderr("started")  # written after the pid file
    for pid in pid_file.read_text().split():  # the shell and the `sleep` it started
        watched.watch(int(pid))
    server.proc.send_signal(signal_number)
    verify(server.wait(), EXIT_OK, "SRS-046")
    verify(watched.ended_in_time(), true(), "SRS-046")


@verifies("SRS-046")
def test_exec_program_leaves_nothing_running_in_the_background(start_server, raw_clients, watched):
    server = start_server("--exec", "sleep 600 & echo $!")
    client = raw_clients(server.port)
    client.send(b"x\n")
    [line] = client.read_lines(1)
    watched.watch(int(line))
    verify(watched.ended_in_time(), true(), "SRS-046")  # killed when the program exited
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-046")


def strace_can_inject():
    """Why strace cannot inject faults here (not installed, ptrace not permitted), or None when it can."""
    if shutil.which("strace") is None:
        return "strace is not installed"
    probe = subprocess.run(["strace", "-qq", "-o", os.devnull, "-e", "trace=none", "true"], capture_output=True,
                           text=True, timeout=WAIT, check=False)
    return None if probe.returncode == 0 else f"strace cannot trace here: {probe.stderr.strip()}"


@verifies("SRS-045")
def test_server_exits_1_with_the_reason_when_serving_fails(start_server, raw_clients):
    reason = strace_can_inject()
    if reason is not None:
        pytest.skip(f"{reason}: cannot make the serving loop's wait fail")
    # Counted per thread and per call: the main thread polls once, for signals; the serving thread's first
    # wait (epoll's where the loop has a wait set of its own, poll's where not) waits for the client below,
    # its second one (and any later) fails. Injection needs the call traced.
    waits = "poll,epoll_wait,epoll_pwait"
    injector = ("strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={waits}", "-e",
                f"inject={waits}:error=ENOMEM:when=2+")
    server = start_server(wrapper=injector)
    raw_clients(server.port)
    verify(server.wait(), EXIT_FAILURE, "SRS-045")
    message = one_line(server.stderr())
    verify(message.startswith("oneline server: serving failed: "), true(), "SRS-045")
    verify(message, includes(os.strerror(errno.ENOMEM)), "SRS-045")


@verifies("SRS-025", "SRS-032")
def test_server_stops_promptly_on_a_signal_while_exec_runs(start_server, raw_clients):
    server = start_server("--exec", "echo started >&2; sleep 30")
    client = raw_clients(server.port)
    client.send(b"slow\n")
    server.wait_for_stderr("started")  # the program shares the server's stderr
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), EXIT_OK, "SRS-025,SRS-032")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-025,SRS-032")


# --- server --exec -----------------------------------------------------------------------------------------------

@verifies("SRS-037")
def test_exec_passes_the_command_intact_as_dollar_1(start_server, tmp_path):
    (tmp_path / "x").write_text("still here")
    server = start_server("--exec", 'printf "%s\\n" "$1"', cwd=tmp_path)
    commands = ["a; rm -rf x", "$(rm x)", "`rm x`", "'quoted' \"double\"", "*", "-n"]
    result = run("client", "-p", str(server.port), "--", *commands)
    verify(result.returncode, EXIT_OK, "SRS-037", note=result.stderr)
    verify(result.stdout.splitlines(), commands, "SRS-037")
    verify((tmp_path / "x").read_text(), "still here", "SRS-037")


@verifies("SRS-037")
def test_exec_also_passes_the_command_in_oneline_command(start_server, tmp_path):
    (tmp_path / "x").write_text("still here")
    env = dict(os.environ, ONELINE_COMMAND="stale")  # the tool's own value must not reach the program
    server = start_server("--exec", 'printf "%s|%s\\n" "$ONELINE_COMMAND" "$1"', env=env, cwd=tmp_path)
    commands = ["a; rm -rf x", "$(rm x)", "two  spaces", ""]
    result = run("client", "-p", str(server.port), "--", *commands)
    verify(result.returncode, EXIT_OK, "SRS-037", note=result.stderr)
    verify(result.stdout.splitlines(), [f"{command}|{command}" for command in commands], "SRS-037")
    verify((tmp_path / "x").read_text(), "still here", "SRS-037")


@verifies("SRS-007", "SRS-037")
def test_exec_sets_oneline_invalid_only_for_flagged_commands(start_server, raw_clients):
    env = dict(os.environ, ONELINE_INVALID="1")  # the tool's own value must not leak to valid commands
    server = start_server("--exec", 'printf "%s|%s\\n" "$1" "${ONELINE_INVALID-unset}"', env=env)
    client = raw_clients(server.port)
    client.send(b"ok\nb\xe9d\n")
    verify(client.read_lines(2), [b"ok|unset\n", b"bd|1\n"], "SRS-007,SRS-037")


@verifies("SRS-033", "SRS-037")
def test_exec_each_printed_line_is_one_response_with_n(start_server):
    server = start_server("--exec", 'echo "first $1"; echo; printf "last"')
    result = run("client", "-p", str(server.port), "-n", "3", "a", "b")
    verify(result.returncode, EXIT_OK, "SRS-033,SRS-037", note=result.stderr)
    verify(result.stdout, "first a\n\nlast\nfirst b\n\nlast\n", "SRS-033,SRS-037")


@verifies("SRS-037")
def test_exec_may_start_with_shell_syntax(start_server):
    server = start_server("--exec", '(echo "in $1")')  # no plain first word: the shell alone judges it
    result = run("client", "-p", str(server.port), "x")
    verify(result.returncode, EXIT_OK, "SRS-037", note=result.stderr)
    verify(result.stdout, "in x\n", "SRS-037")


@verifies("SRS-037")
def test_exec_failure_status_is_reported_and_serving_goes_on(start_server):
    server = start_server("--exec", 'echo out; exit 3')
    result = run("client", "-p", str(server.port), "a", "shutdown")
    verify(result.returncode, EXIT_OK, "SRS-037", note=result.stderr)
    verify(result.stdout, "out\n", "SRS-037")
    verify(server.wait(), EXIT_OK, "SRS-037")
    verify(server.stderr(), includes("status 3"), "SRS-037")


@verifies("SRS-037")
def test_exec_command_not_found_at_run_time_is_reported(start_server):
    server = start_server("--exec", '"$1"')
    result = run("client", "-p", str(server.port), "no-such-program-oneline", "shutdown")
    verify(result.returncode, EXIT_OK, "SRS-037", note=result.stderr)
    verify(result.stdout, "error: handler exited with status 127 (command not found)\n", "SRS-037")
    verify(server.wait(), EXIT_OK, "SRS-037")
    verify(server.stderr(), includes("127 (command not found)"), "SRS-037")


@verifies("SRS-037")
def test_exec_timeout_kills_the_program_and_serving_goes_on(start_server, raw_clients):
    server = start_server("--exec", "echo before; sleep 30", "--exec-timeout", "0.3")
    client = raw_clients(server.port)
    started = time.monotonic()
    client.send(b"slow\nping\n")
    verify(client.read_lines(3), [b"before\n", b"error: handler timed out after 0.3 s\n", b"pong\n"], "SRS-037")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-037")
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-037")
    verify(server.stderr(), includes("killed the program for 'slow'"), "SRS-037")


@verifies("SRS-037")
def test_exec_timeout_holds_when_the_program_closes_its_stdout(start_server, raw_clients):
    server = start_server("--exec", "echo before; exec >&-; sleep 30", "--exec-timeout", "0.3")
    client = raw_clients(server.port)
    started = time.monotonic()
    client.send(b"quiet\nping\n")
    verify(client.read_lines(3), [b"before\n", b"error: handler timed out after 0.3 s\n", b"pong\n"], "SRS-037")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-037")
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-037")
    verify(server.stderr(), includes("killed the program for 'quiet'"), "SRS-037")


# --- client ------------------------------------------------------------------------------------------------------

@verifies("SRS-033")
def test_client_reads_commands_from_stdin(start_server):
    server = start_server()
    result = run("client", "-p", str(server.port), stdin="one\ntwo three\nlast without newline")
    verify(result.returncode, EXIT_OK, "SRS-033", note=result.stderr)
    verify(result.stdout, "one\ntwo three\nlast without newline\n", "SRS-033")


@verifies("SRS-006", "SRS-033")
def test_client_stops_reading_stdin_at_shutdown(start_server):
    server = start_server()
    result = run("client", "-p", str(server.port), stdin="one\nshutdown\nnever sent\n")
    verify(result.returncode, EXIT_OK, "SRS-006,SRS-033", note=result.stderr)
    verify(result.stdout, "one\n", "SRS-006,SRS-033")
    verify(server.wait(), EXIT_OK, "SRS-006,SRS-033")


@verifies("SRS-003", "SRS-033")
def test_client_disconnects_at_the_end_so_the_next_client_is_served(start_server):
    server = start_server("-v")
    for word in ("a", "b"):
        verify(run("client", "-p", str(server.port), word).stdout, f"{word}\n", "SRS-003,SRS-033")
    verify(run("client", "-p", str(server.port), "disconnect").returncode, EXIT_OK, "SRS-003,SRS-033")
    verify(run("shutdown", "-p", str(server.port)).returncode, EXIT_OK, "SRS-003,SRS-033")
    verify(server.wait(), EXIT_OK, "SRS-003,SRS-033")
    log = server.stderr()
    verify(log.count("sent disconnect"), 3, "SRS-003,SRS-033")
    verify(log, is_not(includes("closed the connection")), "SRS-003,SRS-033")


@verifies("SRS-047")
def test_client_refuses_an_endless_line_on_stdin_and_frees_the_server(start_server):
    server = start_server("-v")
    with open("/dev/zero", "rb") as zeros:  # no line feed, ever
        code, stdout, stderr, peak_kib = run_measured("client", "-p", str(server.port), stdin=zeros)
    verify(code, EXIT_FAILURE, "SRS-047")
    verify(one_line(stderr), includes("a command on stdin is longer than 1048576 bytes"), "SRS-047")
    verify(stdout, "", "SRS-047")
    verify(peak_kib, less_than(64 * 1024), "SRS-047", note=f"the client grew to {peak_kib} KiB")
    server.wait_for_stderr("sent disconnect")  # said goodbye rather than vanishing
    verify(run("client", "-p", str(server.port), "next").stdout, "next\n", "SRS-047")


@verifies("SRS-047")
def test_client_max_line_sends_a_line_at_the_limit_and_refuses_a_longer_one(start_server):
    server = start_server()
    port = str(server.port)
    for at_limit in ("0123456789\n", "0123456789"):
        result = run("client", "-p", port, "--max-line", "10", stdin=at_limit)
        verify(result.returncode, EXIT_OK, "SRS-047", note=result.stderr)
        verify(result.stdout, "0123456789\n", "SRS-047")
    result = run("client", "-p", port, "--max-line", "10", stdin="first\n0123456789A\nnever sent\n")
    verify(result.returncode, EXIT_FAILURE, "SRS-047")
    verify(result.stdout, "first\n", "SRS-047")
    verify(one_line(result.stderr), includes("longer than 10 bytes"), "SRS-047")
    verify(run("client", "-p", port, "next").stdout, "next\n", "SRS-047")


@verifies("SRS-047")
def test_client_out_of_memory_exits_1_with_a_message(start_server):
    server = start_server()
    limited = ["/bin/sh", "-c", 'ulimit -v 262144 && exec "$@"', "sh"]  # 256 MiB of address space
    with open("/dev/zero", "rb") as zeros:  # a line that no memory holds, under a limit that does not stop it
        result = subprocess.run([*limited, BIN, "client", "-p", str(server.port), "--max-line", str(1 << 40)],
                                stdin=zeros, capture_output=True, text=True, timeout=WAIT, check=False)
    verify(result.returncode, EXIT_FAILURE, "SRS-047")
    verify(one_line(result.stderr), "oneline client: out of memory", "SRS-047")
    verify(run("client", "-p", str(server.port), "next").stdout, "next\n", "SRS-047")


@verifies("SRS-033")
def test_client_n_0_prints_nothing(start_server):
    server = start_server("--exec", "true")  # answers nothing: -n 0 is right
    result = run("client", "-p", str(server.port), "-n", "0", "a", "b")
    verify(result.returncode, EXIT_OK, "SRS-033")
    verify(result.stdout, "", "SRS-033")


@verifies("SRS-027", "SRS-036")
def test_client_exits_1_when_a_response_does_not_come_in_time(start_server):
    server = start_server("--exec", "true")
    started = time.monotonic()
    result = run("client", "-p", str(server.port), "-t", "0.3", "-n", "1", "silence")
    verify(result.returncode, EXIT_FAILURE, "SRS-027,SRS-036")
    verify(one_line(result.stderr), includes("did not answer 'silence'"), "SRS-027,SRS-036")
    verify(result.stderr, includes(f"127.0.0.1:{server.port}"), "SRS-027,SRS-036")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-027,SRS-036")


@verifies("SRS-028", "SRS-036")
def test_client_exits_1_when_the_server_is_absent():
    port = closed_port()
    result = run("client", "-p", str(port), "x")
    verify(result.returncode, EXIT_FAILURE, "SRS-028,SRS-036")
    verify(one_line(result.stderr), includes(f"127.0.0.1:{port}"), "SRS-028,SRS-036")
    verify(result.stderr.lower(), includes("refused"), "SRS-028,SRS-036")


@verifies("SRS-017", "SRS-028", "SRS-036")
def test_client_exits_1_when_the_server_is_busy(start_server, raw_clients):
    server = start_server()
    first = raw_clients(server.port)
    first.send(b"ping\n")
    verify(first.read_lines(1), [b"pong\n"], "SRS-017,SRS-028,SRS-036")
    result = run("client", "-p", str(server.port), "x")
    verify(result.returncode, EXIT_FAILURE, "SRS-017,SRS-028,SRS-036")
    verify(one_line(result.stderr), includes("busy"), "SRS-017,SRS-028,SRS-036")


@verifies("SRS-033")
def test_client_verbose_logs_go_to_stderr_not_stdout(start_server):
    server = start_server()
    result = run("client", "-v", "-p", str(server.port), "x")
    verify(result.returncode, EXIT_OK, "SRS-033")
    verify(result.stdout, "x\n", "SRS-033")
    verify(result.stderr, includes("oneline clnt: connected to 127.0.0.1:"), "SRS-033")


# --- ping and shutdown -------------------------------------------------------------------------------------------

@verifies("SRS-034")
def test_ping_prints_pong_with_the_round_trip_time(start_server):
    server = start_server()
    result = run("ping", "-p", str(server.port))
    verify(result.returncode, EXIT_OK, "SRS-034")
    verify(one_line(result.stdout), fully_matches(rf"pong from 127\.0\.0\.1:{server.port} in \d+(\.\d+)? ms"),
           "SRS-034")


@verifies()  # `oneline bench` has no requirement in srs.json
def test_bench_measures_a_running_server_and_checks_every_answer(start_server):
    server = start_server()
    result = run("bench", "-p", str(server.port), "-n", "200", "--pipelined", "2000", "--churn", "20")
    verify(result.returncode, EXIT_OK, (), note=result.stderr)
    verify(result.stdout, includes("every answer checked"), ())
    verify(result.stdout, matches_regexp(r"round trip, raw socket: +median +\d+(\.\d+)? us"), ())


@verifies()  # `oneline bench` has no requirement in srs.json
def test_bench_exits_1_when_the_answer_is_wrong(start_server):
    server = start_server()
    result = run("bench", "-p", str(server.port), "-n", "10", "--pipelined", "10", "--churn", "1",
                 "--command", "hello", "--expect", "nope")
    verify(result.returncode, EXIT_FAILURE, ())
    verify(one_line(result.stderr), "oneline bench: wrong answer to 'hello': expected 'nope', got 'hello'", ())


@verifies()  # `oneline bench` has no requirement in srs.json
def test_bench_names_command_expected_and_got_for_a_wrong_pipelined_answer(start_server, tmp_path):
    # Right for the two round trips (raw, then oneline::Client) and the first two pipelined answers, then
    # wrong: the message names the answer that differs, not the first of the piece that held it.
    counter = tmp_path / "answered"
    server = start_server("--exec", f'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n + 1)) > {counter}; '
                                    'if [ "$n" -lt 4 ]; then echo ack; else echo ab; fi')
    result = run("bench", "-p", str(server.port), "-n", "1", "--pipelined", "5", "--churn", "1",
                 "--command", "cmd01", "--expect", "ack")
    verify(result.returncode, EXIT_FAILURE, ())
    verify(one_line(result.stderr), "oneline bench: wrong answer to 'cmd01': expected 'ack', got 'ab'", ())


@verifies("SRS-033")
@pytest.mark.parametrize("args", [["client", "x"], ["client", "x", "disconnect"], ["ping"],
                                  ["client", "x", "shutdown"], ["shutdown"]], ids=" ".join)
def test_every_client_logs_a_close_it_asked_for_in_one_wording(start_server, args):
    # `client` sends the goodbye as a command and reads until the server closes; `ping` and `shutdown`
    # close through the library's disconnect() and shutdown(): one kind of close, one log line.
    server = start_server()
    goodbye = "shutdown" if "shutdown" in args else "disconnect"
    result = run(*args, "-v", "-p", str(server.port))
    verify(result.returncode, EXIT_OK, "SRS-033", note=result.stderr)
    verify(result.stderr.splitlines()[-1], f"oneline clnt: disconnected from 127.0.0.1:{server.port}: sent {goodbye}",
           "SRS-033", note=result.stderr)


@verifies("SRS-028", "SRS-036")
def test_ping_exits_1_when_the_server_is_absent():
    port = closed_port()
    result = run("ping", "-p", str(port))
    verify(result.returncode, EXIT_FAILURE, "SRS-028,SRS-036")
    verify(one_line(result.stderr), includes(f"127.0.0.1:{port}"), "SRS-028,SRS-036")


@verifies("SRS-028", "SRS-036")
def test_ping_exits_1_when_the_server_stays_silent():
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind((HOST, 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = run("ping", "-p", str(port), "-t", "0.3")
    verify(result.returncode, EXIT_FAILURE, "SRS-028,SRS-036")
    verify(one_line(result.stderr), includes(f"127.0.0.1:{port}"), "SRS-028,SRS-036")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-028,SRS-036")


@verifies("SRS-006", "SRS-035")
def test_shutdown_stops_the_server_with_exit_0(start_server):
    server = start_server()
    result = run("shutdown", "-p", str(server.port))
    verify(result.returncode, EXIT_OK, "SRS-006,SRS-035")
    verify(result.stdout == "" and result.stderr == "", true(), "SRS-006,SRS-035")
    verify(server.wait(), EXIT_OK, "SRS-006,SRS-035")
    verify(run("ping", "-p", str(server.port)).returncode, EXIT_FAILURE, "SRS-006,SRS-035")


@verifies("SRS-036")
def test_shutdown_exits_1_when_the_server_is_absent():
    result = run("shutdown", "-p", str(closed_port()))
    verify(result.returncode, EXIT_FAILURE, "SRS-036")
    one_line(result.stderr)


# --- in a shell script -------------------------------------------------------------------------------------------

@verifies("SRS-032", "SRS-033", "SRS-034", "SRS-035", "SRS-038")
def test_the_tool_works_from_a_shell_script():
    script = r"""
        set -eu
        exec 3< <("$ONELINE" server --port 0 2>&1 >/dev/null)
        read -r -t 10 line <&3
        port=${line##*:}
        "$ONELINE" ping -p "$port" >/dev/null
        answer=$(printf 'hello\n' | "$ONELINE" client -p "$port")
        [ "$answer" = hello ]
        "$ONELINE" shutdown -p "$port"
        cat <&3 >/dev/null   # ends when the server has exited
        echo ok
    """
    result = subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True, timeout=WAIT * 2,
                            env=dict(os.environ, ONELINE=BIN), check=False)
    verify(result.returncode, 0, "SRS-032,SRS-033,SRS-034,SRS-035,SRS-038", note=result.stderr)
    verify(result.stdout, "ok\n", "SRS-032,SRS-033,SRS-034,SRS-035,SRS-038")
