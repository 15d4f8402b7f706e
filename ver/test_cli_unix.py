"""Tests of the real `oneline` binary on Unix domain sockets (`-a unix:PATH`).

The server's socket file: its mode (0600 by default, --unix-mode), a stale file replaced, a live one
refused as in use, a path that is no socket left alone, removal at shutdown and at a stop request; the
peer's user id in the -v log; `nc -U`, `oneline client`, `ping` and `shutdown` driving it. Every socket
lives in a directory the test makes and removes. Self-contained like test_cli.py (ctest runs it with
--noconftest); each test names the requirements it verifies with @verifies.
"""

import os
import pathlib
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading

import pytest
from hamcrest import none

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from test_cli import BIN, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, WAIT, run, verifies  # noqa: E402
from verify import verify, false, includes, true  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix domain sockets here")


class UnixServer:
    """`oneline server -a unix:PATH OPTIONS` in the background; its stderr collected; always stopped."""

    def __init__(self, path, *options):
        self.path = str(path)
        self.proc = subprocess.Popen([BIN, "server", "-a", f"unix:{self.path}", *options], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._stderr = b""
        self._grew = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        fd = self.proc.stderr.fileno()
        while chunk := os.read(fd, 4096):
            with self._grew:
                self._stderr += chunk
                self._grew.notify_all()
        with self._grew:
            self._stderr += b"\0"  # the end: nothing more will come
            self._grew.notify_all()

    def wait_for_stderr(self, text, timeout=WAIT):
        """True once stderr contains `text`; False when the server ends or `timeout` passes first."""
        with self._grew:
            self._grew.wait_for(lambda: text.encode() in self._stderr or self._stderr.endswith(b"\0"), timeout)
            return text.encode() in self._stderr

    def started(self):
        """Waits for the `listening on unix:PATH` line; fails the test when it does not come."""
        assert self.wait_for_stderr(f"listening on unix:{self.path}\n"), f"no listening line: {self.stderr()!r}"
        return self

    def stderr(self):
        """What the server printed on stderr so far (all of it once it has ended)."""
        if self.proc.poll() is not None:
            self._reader.join(WAIT)
        with self._grew:
            return self._stderr.rstrip(b"\0").decode(errors="replace")

    def wait(self, timeout=WAIT):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(WAIT)
        self.proc.stderr.close()


@pytest.fixture
def socket_dir():
    """A private directory for the test's socket files, removed afterwards."""
    directory = tempfile.mkdtemp(prefix="oneline-ver-")
    yield pathlib.Path(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def unix_server():
    """unix_server(path, *options): a started `oneline server -a unix:PATH`; stopped at teardown."""
    started = []

    def start(path, *options, wait_listening=True):
        server = UnixServer(path, *options)
        started.append(server)
        return server.started() if wait_listening else server

    yield start
    for server in started:
        server.stop()


def file_mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def is_socket(path):
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def nc_unix(path, text):
    """Sends `text` with `nc -U -N` (end of stream after it) and returns what came back."""
    done = subprocess.run(["nc", "-U", "-N", "-w", "5", str(path)], input=text, capture_output=True, text=True,
                          timeout=WAIT, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def stale_socket(path):
    """Leaves a socket file at `path` that nothing listens on."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
    assert is_socket(path)


@verifies("SRS-060", "SRS-067")
@pytest.mark.skipif(shutil.which("nc") is None, reason="needs netcat (nc -U)")
def test_nc_drives_a_unix_socket_server(socket_dir, unix_server):
    path = socket_dir / "s"
    unix_server(path, "-p", "1")  # -p is ignored: no TCP port is bound
    verify(nc_unix(path, "hello\nping\nworld\n"), "hello\npong\nworld\n", "SRS-060,SRS-067")
    verify(nc_unix(path, "again\n"), "again\n", "SRS-060,SRS-067",
           note="the next client is served after the first left")


@verifies("SRS-066", "SRS-067")
def test_client_ping_and_shutdown_subcommands_reach_a_unix_socket(socket_dir, unix_server):
    path = socket_dir / "s"
    server = unix_server(path)
    result = run("client", "-a", f"unix:{path}", stdin="one\ntwo\n")
    verify((result.returncode, result.stdout), (EXIT_OK, "one\ntwo\n"), "SRS-066,SRS-067", note=result.stderr)
    result = run("client", "-a", f"unix:{path}", "three")
    verify((result.returncode, result.stdout), (EXIT_OK, "three\n"), "SRS-066,SRS-067", note=result.stderr)
    result = run("ping", "-a", f"unix:{path}")
    verify(result.returncode, EXIT_OK, "SRS-066,SRS-067", note=result.stderr)
    verify(result.stdout.startswith(f"pong from unix:{path} in "), true(), "SRS-066,SRS-067", note=result.stdout)
    result = run("shutdown", "-a", f"unix:{path}")
    verify(result.returncode, EXIT_OK, "SRS-066,SRS-067", note=result.stderr)
    verify(server.wait(), EXIT_OK, "SRS-066,SRS-067")


@verifies("SRS-066", "SRS-067")
def test_client_fails_naming_the_path_when_nothing_listens(socket_dir):
    absent = socket_dir / "absent"
    for command in (["ping"], ["client", "x"], ["shutdown"]):
        result = run(*command, "-a", f"unix:{absent}")
        verify(result.returncode, EXIT_FAILURE, "SRS-066,SRS-067", note=result)
        verify(f"unix:{absent}" in result.stderr and "No such file" in result.stderr, true(), "SRS-066,SRS-067",
               note=result.stderr)
    stale = socket_dir / "stale"
    stale_socket(stale)
    result = run("ping", "-a", f"unix:{stale}")
    verify(result.returncode, EXIT_FAILURE, "SRS-066,SRS-067")
    verify(f"unix:{stale}" in result.stderr and "refused" in result.stderr, true(), "SRS-066,SRS-067",
           note=result.stderr)


@verifies("SRS-066", "SRS-067")
def test_wait_keeps_trying_until_the_socket_file_is_made(socket_dir, unix_server):
    # A server that is not up yet has made no socket file: --wait tries again, as with a refused TCP port.
    path = socket_dir / "later"
    ping = subprocess.Popen([BIN, "ping", "-v", "--wait", str(WAIT), "-a", f"unix:{path}"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        tried = ""
        while "trying again" not in tried:
            ready, _, _ = select.select([ping.stderr], [], [], WAIT)
            line = ping.stderr.readline() if ready else ""
            verify(line, true(), "SRS-066,SRS-067", note=f"ping gave up instead of trying again: {tried}")
            tried += line
        unix_server(path)
        stdout, stderr = ping.communicate(timeout=WAIT)
    finally:
        if ping.poll() is None:
            ping.kill()
            ping.communicate()
    verify(ping.returncode, EXIT_OK, "SRS-066,SRS-067", note=stderr)
    verify(stdout.startswith(f"pong from unix:{path} in "), true(), "SRS-066,SRS-067", note=stdout)


@verifies("SRS-061", "SRS-068")
def test_socket_file_is_owner_only_by_default_and_unix_mode_widens_it(socket_dir, unix_server):
    default = socket_dir / "default"
    unix_server(default)
    verify(is_socket(default), true(), "SRS-061,SRS-068")
    verify(file_mode(default), 0o600, "SRS-061,SRS-068")
    wide = socket_dir / "wide"
    unix_server(wide, "--unix-mode", "666")
    verify(file_mode(wide), 0o666, "SRS-061,SRS-068")
    group = socket_dir / "group"
    unix_server(group, "--unix-mode", "0660")
    verify(file_mode(group), 0o660, "SRS-061,SRS-068")
    verify(sorted(os.listdir(socket_dir)), ["default", "group", "wide"], "SRS-061,SRS-068",
           note="no temporary names left behind")


@verifies("SRS-068")
def test_bad_unix_mode_is_a_usage_error(socket_dir):
    for bad in ("888", "abc", "1777", "", "77777"):
        result = run("server", "-a", f"unix:{socket_dir / 's'}", "--unix-mode", bad)
        verify(result.returncode, EXIT_USAGE, "SRS-068", note=(bad, result))
        verify(result.stderr, includes("--unix-mode"), "SRS-068", note=result.stderr)
    verify(os.listdir(socket_dir), [], "SRS-068")


@verifies("SRS-062")
def test_stale_socket_file_is_replaced(socket_dir, unix_server):
    path = socket_dir / "s"
    stale_socket(path)
    unix_server(path)
    verify(run("ping", "-a", f"unix:{path}").returncode, EXIT_OK, "SRS-062")
    verify(file_mode(path), 0o600, "SRS-062")


@verifies("SRS-062")
def test_live_socket_file_makes_the_start_fail_in_use(socket_dir, unix_server):
    path = socket_dir / "s"
    unix_server(path)
    second = unix_server(path, wait_listening=False)
    verify(second.wait(), EXIT_FAILURE, "SRS-062")
    verify(f"unix:{path}" in second.stderr() and "in use" in second.stderr(), true(), "SRS-062", note=second.stderr())
    verify(run("ping", "-a", f"unix:{path}").returncode, EXIT_OK, "SRS-062", note="the first server still serves")


@verifies("SRS-063")
def test_path_that_is_not_a_socket_is_an_error_and_left_alone(socket_dir, unix_server):
    path = socket_dir / "notes.txt"
    path.write_text("keep me\n")
    server = unix_server(path, wait_listening=False)
    verify(server.wait(), EXIT_FAILURE, "SRS-063")
    verify("not a socket" in server.stderr() and str(path) in server.stderr(), true(), "SRS-063", note=server.stderr())
    verify(path.read_text(), "keep me\n", "SRS-063")
    too_long = socket_dir / ("x" * 120)
    server = unix_server(too_long, wait_listening=False)
    verify(server.wait(), EXIT_FAILURE, "SRS-063")
    verify(server.stderr(), includes("too long"), "SRS-063", note=server.stderr())


@verifies("SRS-064")
def test_socket_file_is_removed_at_shutdown_and_at_a_stop_request(socket_dir, unix_server):
    path = socket_dir / "s"
    server = unix_server(path)
    verify(run("shutdown", "-a", f"unix:{path}").returncode, EXIT_OK, "SRS-064")
    verify(server.wait(), EXIT_OK, "SRS-064")
    verify(os.path.lexists(path), false(), "SRS-064", note="removed after `shutdown`")
    server = unix_server(path)
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), EXIT_OK, "SRS-064")
    verify(os.path.lexists(path), false(), "SRS-064", note="removed after SIGTERM")
    server = unix_server(path)
    server.proc.send_signal(signal.SIGINT)
    verify(server.wait(), EXIT_OK, "SRS-064")
    verify(os.path.lexists(path), false(), "SRS-064", note="removed after SIGINT")


@verifies("SRS-065")
def test_peer_user_id_is_in_the_verbose_log(socket_dir, unix_server):
    path = socket_dir / "s"
    server = unix_server(path, "-v")
    verify(run("ping", "-a", f"unix:{path}").returncode, EXIT_OK, "SRS-065")
    expected = f"client connected from local uid {os.getuid()} gid {os.getgid()}"
    verify(server.wait_for_stderr(expected), true(), "SRS-065", note=server.stderr())


@verifies("SRS-067")
def test_help_says_unix_path_and_that_the_port_is_not_used():
    for command in ("server", "client", "ping", "shutdown"):
        result = run(command, "--help")
        verify(result.returncode, EXIT_OK, "SRS-067")
        verify(result.stdout, includes("unix:PATH"), "SRS-067", note=(command, result.stdout))
    verify(run("server", "--help").stdout, includes("--unix-mode"), "SRS-067")


@verifies("SRS-060")
def test_second_client_is_closed_at_once_on_a_unix_socket(socket_dir, unix_server):
    path = socket_dir / "s"
    unix_server(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as first, \
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as second:
        first.settimeout(WAIT)
        second.settimeout(WAIT)
        first.connect(str(path))
        first.sendall(b"ping\n")
        verify(first.recv(100), b"pong\n", "SRS-060")
        second.connect(str(path))
        verify(select.select([second], [], [], WAIT)[0], true(), "SRS-060", note="the second client is not closed")
        verify(second.recv(100), b"", "SRS-060", note="closed without a word")
        first.sendall(b"still\n")
        verify(first.recv(100), b"still\n", "SRS-060")


@verifies("SRS-061", "SRS-065", "SRS-068")
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to act as another user")
def test_another_user_is_refused_at_600_and_served_and_named_at_666(socket_dir, unix_server):
    os.chmod(socket_dir, 0o755)  # the directory lets the other user reach the file: only its mode decides
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BIN]
    path = socket_dir / "owner-only"
    unix_server(path, "-v")
    result = subprocess.run([*nobody, "ping", "-a", f"unix:{path}"], capture_output=True, text=True, timeout=WAIT,
                            check=False)
    verify(result.returncode == EXIT_FAILURE and "Permission denied" in result.stderr, true(),
           "SRS-061,SRS-065,SRS-068", note=result)
    path = socket_dir / "everyone"
    server = unix_server(path, "-v", "--unix-mode", "666")
    result = subprocess.run([*nobody, "ping", "-a", f"unix:{path}"], capture_output=True, text=True, timeout=WAIT,
                            check=False)
    verify(result.returncode, EXIT_OK, "SRS-061,SRS-065,SRS-068", note=result)
    verify(server.wait_for_stderr("client connected from local uid 65534 gid 65534"), true(),
           "SRS-061,SRS-065,SRS-068", note=server.stderr())


@verifies("SRS-230")
def test_bench_measures_a_unix_socket_server(socket_dir, unix_server):
    path = socket_dir / "s"
    server = unix_server(path)
    result = run("bench", "-a", f"unix:{path}", "-n", "100", "--pipelined", "2000", "--churn", "20")
    verify(result.returncode, EXIT_OK, "SRS-230", note=result.stderr)
    verify(result.stdout, includes(f"oneline bench unix:{path}:"), "SRS-230", note=result.stdout)
    verify(result.stdout, includes("every answer checked"), "SRS-230")
    verify(server.proc.poll(), none(), "SRS-230", note="the server is still up after the churn")


@verifies("SRS-230")
def test_every_connecting_subcommand_says_why_it_cannot_use_a_unix_address(socket_dir):
    too_long = "unix:" + str(socket_dir / ("x" * 200))
    for command in (["ping"], ["client", "x"], ["shutdown"], ["bench", "-n", "1", "--pipelined", "1", "--churn", "1"]):
        for address, reason in (("unix:", "needs a path"), (too_long, "too long")):
            result = run(*command, "-a", address)
            verify(result.returncode, EXIT_FAILURE, "SRS-230", note=(command, address, result))
            verify(reason in result.stderr and "cannot resolve" not in result.stderr, true(), "SRS-230",
                   note=(command, result.stderr))
        absent = socket_dir / "absent"
        result = run(*command, "-a", f"unix:{absent}")
        verify(result.returncode, EXIT_FAILURE, "SRS-230", note=(command, result))
        verify(f"unix:{absent}" in result.stderr and "No such file" in result.stderr, true(), "SRS-230",
               note=(command, result.stderr))
