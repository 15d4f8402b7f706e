"""Tests of the real `oneline.exe` under Wine, checked from Linux with Python sockets and processes.

ONELINE_WINDOWS_BIN names the .exe; without it, or without Wine, every test skips. The client tests talk to a
Linux `oneline server` (ONELINE_BIN) and skip without one. Wine runs through the project's cmake/wine-run, which
starts a Wine session of its own (in WINEPREFIX, else ~/.wine; made on first use) so that Wine's services never
hold this test's pipes; ONELINE_WINE names another launcher (a command line) instead. The tool writes text lines
with CR LF on Windows: stdout and stderr are read as text, the wire as bytes.

Each test names the requirements (srs.json) it verifies with @verifies, as ver/test_cli.py does: the Windows tool
meets the same ones.
"""

import os
import pathlib
import random
import shlex
import shutil
import signal
import socket
import subprocess
import time

import pytest

from test_cli import (EXIT_FAILURE, EXIT_OK, EXIT_USAGE, HOST, RawClient, closed_port, ended_in_time, one_line,
                      verifies)
from test_cli import ServerProcess
from test_cli import ServerProcess as LinuxServer
from hamcrest import is_not, less_than
from verify import verify, fully_matches, includes, true

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXE = os.environ.get("ONELINE_WINDOWS_BIN")
LINUX_BIN = os.environ.get("ONELINE_BIN")
WAIT = 30.0  # the most a step may take under Wine, which needs a few seconds to start a program
FIRST_START = 300.0  # the first program of a new Wine prefix waits for the prefix to be made


def launcher():
    """The command that runs a Windows program (the program and its arguments follow)."""
    if os.environ.get("ONELINE_WINE"):
        return shlex.split(os.environ["ONELINE_WINE"])
    prefix = os.environ.get("WINEPREFIX") or str(pathlib.Path.home() / ".wine")
    return [str(ROOT / "cmake" / "wine-run"), prefix]


def why_not_runnable():
    """Why the Windows tool cannot run here, or None when it can."""
    if not EXE:
        return "ONELINE_WINDOWS_BIN is not set (the path of a Windows build of oneline.exe)"
    if not pathlib.Path(EXE).is_file():
        return f"ONELINE_WINDOWS_BIN names no file: {EXE}"
    if not os.environ.get("ONELINE_WINE") and not (shutil.which("wine") or shutil.which("wine64")):
        return "Wine is not installed"
    return None


pytestmark = pytest.mark.skipif(why_not_runnable() is not None, reason=str(why_not_runnable()))


@pytest.fixture(scope="module", autouse=True)
def wine_session():
    """Runs the tool once first, so that making a new Wine prefix is not charged to a test's time limit."""
    result = subprocess.run([*launcher(), EXE, "--version"], capture_output=True, text=True, timeout=FIRST_START,
                            stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == EXIT_OK, f"oneline.exe does not start under Wine: {result.stderr}"


def run(*args, stdin=None, timeout=WAIT):
    """Runs `oneline.exe ARGS` under Wine; returns the CompletedProcess (text, CR LF read as LF)."""
    return subprocess.run([*launcher(), EXE, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          stdin=None if stdin is not None else subprocess.DEVNULL, check=False)


class WindowsServer(ServerProcess):
    """`oneline.exe server --port 0 OPTIONS` under Wine: stopped by Ctrl-C (Wine turns SIGINT into one),
    its stderr lines ending in CR LF."""

    STOP_SIGNAL = signal.SIGINT

    def __init__(self, *options, env=None):
        super().__init__(*options, env=env, program=[*launcher(), EXE], patience=WAIT)

    @staticmethod
    def _text_of_line(line):
        return line.decode().removesuffix("\r")

    def stderr(self):
        """Everything printed on stderr after the first line, LF-terminated (complete once the server has ended)."""
        return super().stderr().replace("\r\n", "\n")


@pytest.fixture
def windows_server():
    """Starts `oneline.exe server` processes; stops each at teardown, whatever happened."""
    started = []

    def start(*options, env=None):
        server = WindowsServer(*options, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def linux_server():
    """Starts Linux `oneline server` processes (ONELINE_BIN); stops each at teardown. Skips without one."""
    if not LINUX_BIN:
        pytest.skip("ONELINE_BIN is not set (a Linux oneline for the Windows client to talk to)")
    started = []

    def start(*options):
        server = LinuxServer(*options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def raw_clients():
    opened = []

    def connect(port):
        client = RawClient(port)
        client.sock.settimeout(WAIT)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


def ping_marker():
    """A `ping` command line no other test runs at the same time, to find its processes among Wine's."""
    return f"ping -n {random.randrange(100, 1000)} 127.0.0.1"


def pidfds_of(marker, starting=False):
    """pidfds of the processes of an --exec program (cmd.exe and what it started) whose command line, as Wine
    shows it, holds `marker` (`starting`: starts with it); the tool itself, whose --exec holds it too, is left out."""
    tool = os.path.basename(EXE)
    pidfds = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found = command_line.startswith(marker) if starting else marker in command_line
            if found and tool not in command_line:
                pidfds.append(os.pidfd_open(int(entry.name)))
        except OSError:
            continue  # ended while looking
    return pidfds


def wait_until_running(marker):
    """Blocks until a process whose command line starts with `marker` runs; fails the test after WAIT."""
    deadline = time.monotonic() + WAIT
    while not (pidfds := pidfds_of(marker, starting=True)):
        assert time.monotonic() < deadline, f"no process of `{marker}` started"
        time.sleep(0.05)  # nothing to wait on: Wine's processes are watched from outside
    for pidfd in pidfds:
        os.close(pidfd)


def none_left_running(marker):
    """True when no process of the --exec program holding `marker` runs, or each one ends within WAIT."""
    pidfds = pidfds_of(marker)
    try:
        return ended_in_time(pidfds, timeout=WAIT)
    finally:
        for pidfd in pidfds:
            os.close(pidfd)


# --- usage --------------------------------------------------------------------------------------------------------

@verifies("SRS-039")
def test_windows_version_and_help_list_every_subcommand_but_bench():
    verify(run("--version").stdout.strip(), fully_matches(r"\d+\.\d+\.\d+"), "SRS-039")
    result = run("--help")
    verify(result.returncode, EXIT_OK, "SRS-039")
    verify(all(name in result.stdout for name in ("server", "client", "ping", "shutdown")), true(), "SRS-039")
    verify(result.stdout, is_not(includes("bench")), "SRS-039")  # left out of the Windows build
    verify(run("server", "--help").stdout, includes("Ctrl-C"), "SRS-039")


@verifies("SRS-036")
@pytest.mark.parametrize("args", [["server", "-p", "70000"], ["client", "-t", "0", "x"], ["bench"]])
def test_windows_bad_usage_is_a_one_line_error_with_exit_2(args):
    result = run(*args)
    verify(result.returncode, EXIT_USAGE, "SRS-036")
    one_line(result.stderr)


# --- server -------------------------------------------------------------------------------------------------------

@verifies("SRS-004", "SRS-032", "SRS-038")
def test_windows_server_prints_listening_first_and_answers_ping(windows_server, raw_clients):
    server = windows_server()
    client = raw_clients(server.port)
    client.send(b"ping\nhello\n")
    verify(client.read_lines(2), [b"pong\n", b"hello\n"], "SRS-004,SRS-032,SRS-038")


@verifies("SRS-019", "SRS-032")
def test_windows_server_drops_cr_before_lf(windows_server, raw_clients):
    server = windows_server()
    client = raw_clients(server.port)
    client.send(b"ping\r\nhello\r\n")
    verify(client.read_lines(2), [b"pong\n", b"hello\n"], "SRS-019,SRS-032")


@verifies("SRS-007", "SRS-026", "SRS-032", "SRS-037")
def test_windows_server_drops_invalid_bytes_and_flags_the_command(windows_server, raw_clients):
    env = dict(os.environ, ONELINE_INVALID="1")  # the tool's own value must not leak to valid commands
    server = windows_server("--exec", "echo [%ONELINE_INVALID%] %ONELINE_COMMAND%", env=env)
    client = raw_clients(server.port)
    client.send(b"ok\nb\xe9d\n")
    verify(client.read_lines(2), [b"[%ONELINE_INVALID%] ok\n", b"[1] bd\n"],
           "SRS-007,SRS-026,SRS-032,SRS-037")  # cmd.exe keeps unset %VARIABLES%


@verifies("SRS-003", "SRS-017", "SRS-032")
def test_windows_server_closes_a_second_client_at_once(windows_server, raw_clients):
    server = windows_server()
    first = raw_clients(server.port)
    first.send(b"ping\n")
    verify(first.read_lines(1), [b"pong\n"], "SRS-003,SRS-017,SRS-032")
    second = raw_clients(server.port)
    verify(second.wait_closed(), true(), "SRS-003,SRS-017,SRS-032")
    first.send(b"still\n")
    verify(first.read_lines(1), [b"still\n"], "SRS-003,SRS-017,SRS-032")


@verifies("SRS-006", "SRS-032")
def test_windows_server_stops_on_shutdown_with_exit_0(windows_server, raw_clients):
    server = windows_server()
    client = raw_clients(server.port)
    client.send(b"shutdown\n")
    verify(client.wait_closed(), true(), "SRS-006,SRS-032")
    verify(server.wait(), EXIT_OK, "SRS-006,SRS-032")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((HOST, server.port), timeout=WAIT).close()


@verifies("SRS-025", "SRS-032", "SRS-046")
def test_windows_server_stops_cleanly_on_ctrl_c_and_kills_the_exec_program(windows_server, raw_clients):
    marker = ping_marker()
    server = windows_server("--exec", f"{marker} >nul", "-v")
    client = raw_clients(server.port)
    client.send(b"slow\n")
    wait_until_running(marker)  # ping.exe itself, started by cmd.exe
    server.proc.send_signal(signal.SIGINT)
    code = server.wait()
    if code == -signal.SIGINT:
        pytest.skip("this Wine does not turn SIGINT into a console Ctrl-C event")
    verify(code, EXIT_OK, "SRS-025,SRS-032,SRS-046")
    verify(server.stderr(), includes("stopping on Ctrl-C"), "SRS-025,SRS-032,SRS-046")
    verify(client.wait_closed(), true(), "SRS-025,SRS-032,SRS-046")
    verify(none_left_running(marker), true(), "SRS-025,SRS-032,SRS-046")


@verifies("SRS-046")
def test_windows_server_killed_outright_leaves_no_exec_program(windows_server, raw_clients):
    marker = ping_marker()
    server = windows_server("--exec", f"{marker} >nul")
    client = raw_clients(server.port)
    client.send(b"slow\n")
    wait_until_running(marker)  # ping.exe itself, started by cmd.exe
    server.proc.kill()  # no clean-up in the tool: closing its job handle kills the tree
    server.wait()
    verify(none_left_running(marker), true(), "SRS-046")


# --- server --exec through cmd.exe ----------------------------------------------------------------------------------

@verifies("SRS-033", "SRS-037")
def test_windows_exec_hands_the_command_over_in_oneline_command(windows_server):
    env = dict(os.environ, ONELINE_COMMAND="stale")  # the tool's own value must not reach the program
    server = windows_server("--exec", "(echo first %ONELINE_COMMAND%)& echo last", env=env)
    commands = ["hello", "two  spaces", "*"]
    result = run("client", "-p", str(server.port), "-n", "2", *commands)
    verify(result.returncode, EXIT_OK, "SRS-033,SRS-037", note=result.stderr)
    verify(result.stdout.splitlines(), [line for command in commands for line in (f"first {command}", "last")],
           "SRS-033,SRS-037")


@verifies("SRS-037")
def test_windows_exec_lines_lose_their_cr(windows_server, raw_clients):
    server = windows_server("--exec", "echo %ONELINE_COMMAND%")
    client = raw_clients(server.port)
    client.send(b"x y\n")
    verify(client.read_lines(1), [b"x y\n"], "SRS-037")


@verifies("SRS-037")
def test_windows_exec_failure_status_is_reported_and_serving_goes_on(windows_server, raw_clients):
    server = windows_server("--exec", "(echo out)& exit /b 3")
    client = raw_clients(server.port)
    client.send(b"a\nshutdown\n")
    verify(client.read_lines(1), [b"out\n"], "SRS-037")
    verify(server.wait(), EXIT_OK, "SRS-037")
    verify(server.stderr(), includes("the program for 'a' exited with status 3"), "SRS-037")


@verifies("SRS-036", "SRS-037")
def test_windows_exec_with_a_missing_program_fails_at_startup():
    result = run("server", "--port", "0", "--exec", "no-such-program-oneline --flag")
    verify(result.returncode, EXIT_USAGE, "SRS-036,SRS-037")
    verify(one_line(result.stderr), includes("no-such-program-oneline"), "SRS-036,SRS-037")
    verify(result.stderr, includes("not found"), "SRS-036,SRS-037")


@verifies("SRS-037", "SRS-046")
def test_windows_exec_timeout_kills_the_whole_tree(windows_server, raw_clients):
    marker = ping_marker()  # cmd.exe starts ping.exe: the job object must end both
    server = windows_server("--exec", f"echo before& {marker} >nul", "--exec-timeout", "1")
    client = raw_clients(server.port)
    started = time.monotonic()
    client.send(b"slow\nping\n")
    verify(client.read_lines(3), [b"before\n", b"error: handler timed out after 1 s\n", b"pong\n"], "SRS-037,SRS-046")
    verify(time.monotonic() - started, less_than(WAIT / 2), "SRS-037,SRS-046")
    verify(none_left_running(marker), true(), "SRS-037,SRS-046")
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-037,SRS-046")
    verify(server.stderr(), includes("killed the program for 'slow': it took longer than 1 s"), "SRS-037,SRS-046")


# --- server --handler through cmd.exe ---------------------------------------------------------------------------

# A cmd.exe handler: reads a line with `set /p`, answers it, and goes on until its stdin ends.
WINDOWS_HANDLER = """@echo off
:next
set line=
set /p line=
if not defined line exit /b 0
echo {"responses": ["ok", "one process"]}
goto next
"""


@verifies("SRS-300", "SRS-301")
def test_windows_handler_answers_every_command_from_one_cmd_exe(windows_server, raw_clients, tmp_path):
    batch = tmp_path / "handler.bat"
    batch.write_bytes(WINDOWS_HANDLER.replace("\n", "\r\n").encode())
    server = windows_server("--handler", "Z:" + str(batch).replace("/", "\\"))  # Wine's drive Z: is /
    client = raw_clients(server.port)
    client.send(b"a\nb\nping\n")
    verify(client.read_lines(5), [b"ok\n", b"one process\n", b"ok\n", b"one process\n", b"pong\n"], "SRS-300,SRS-301")
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-300,SRS-301")


@verifies("SRS-302")
def test_windows_handler_that_exits_gets_the_failure_response(windows_server, raw_clients):
    server = windows_server("--handler", "exit /b 3")
    client = raw_clients(server.port)
    client.send(b"a\nping\n")
    verify(client.read_lines(2), [b"error: handler exited with status 3\n", b"pong\n"], "SRS-302")
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-302")
    verify(server.stderr(), includes("oneline server: --handler: it exited with status 3"), "SRS-302")


# --- client, ping and shutdown against a Linux server ----------------------------------------------------------

@verifies("SRS-034")
def test_windows_ping_a_linux_server(linux_server):
    server = linux_server()
    result = run("ping", "-p", str(server.port))
    verify(result.returncode, EXIT_OK, "SRS-034", note=result.stderr)
    verify(one_line(result.stdout), fully_matches(rf"pong from 127\.0\.0\.1:{server.port} in \d+\.\d{{3}} ms"),
           "SRS-034")


@verifies("SRS-033")
def test_windows_client_sends_arguments_and_stdin_to_a_linux_server(linux_server):
    server = linux_server("--utf8")
    result = run("client", "-p", str(server.port), "hello", "two words", "café")  # UTF-8, not the ANSI code page
    verify(result.returncode, EXIT_OK, "SRS-033", note=result.stderr)
    verify(result.stdout, "hello\ntwo words\ncafé\n", "SRS-033")
    result = run("client", "-p", str(server.port), stdin="one\ntwo three\nlast without newline")
    verify(result.returncode, EXIT_OK, "SRS-033", note=result.stderr)
    verify(result.stdout, "one\ntwo three\nlast without newline\n", "SRS-033")


@verifies("SRS-047")
def test_windows_client_refuses_a_stdin_line_longer_than_max_line(linux_server):
    server = linux_server()
    result = run("client", "-p", str(server.port), "--max-line", "10", stdin="first\n0123456789A\nnever sent\n")
    verify(result.returncode, EXIT_FAILURE, "SRS-047")
    verify(result.stdout, "first\n", "SRS-047")
    verify(one_line(result.stderr), includes("longer than 10 bytes"), "SRS-047")


@verifies("SRS-006", "SRS-035")
def test_windows_shutdown_stops_a_linux_server(linux_server):
    server = linux_server()
    result = run("shutdown", "-p", str(server.port))
    verify(result.returncode, EXIT_OK, "SRS-006,SRS-035", note=result.stderr)
    verify(server.wait(), EXIT_OK, "SRS-006,SRS-035")


@verifies("SRS-028", "SRS-036")
def test_windows_client_exits_1_when_the_server_is_absent():
    port = closed_port()
    result = run("client", "-p", str(port), "x")
    verify(result.returncode, EXIT_FAILURE, "SRS-028,SRS-036")
    verify(one_line(result.stderr), includes(f"127.0.0.1:{port}"), "SRS-028,SRS-036")
