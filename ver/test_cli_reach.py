"""Where `oneline` can be reached and by whom: `[v6]` literals on every subcommand, a host name served on
every address it resolves to, and the server's allow-list of peers.

The binary comes from ONELINE_BIN, else build/src/cli/oneline. A name with two addresses is made in a private
mount namespace (`unshare --mount` and a hosts file bound over /etc/hosts, as root); those tests are skipped
where that is not possible. Servers listen on port 0 and are always stopped at teardown.
"""

import os
import pathlib
import re
import select
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from hamcrest import less_than

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from test_cli import BIN, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, WAIT, run, verifies  # noqa: E402
from verify import verify, includes, true  # noqa: E402

_ENDPOINT = re.compile(r"(\[[0-9a-fA-F:.%\w]+\]|[0-9.]+):(\d+)")
TWO_ADDRESSES = "127.0.0.1 localhost\n::1 localhost\n"


class Server:
    """`oneline server -p 0 OPTIONS` in the background (behind `wrapper`); its endpoints read from its first line."""

    def __init__(self, *options, wrapper=()):
        self.proc = subprocess.Popen([*wrapper, BIN, "server", "-p", "0", *options], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._text = b""
        self._grew = threading.Condition()
        self.first_line = self._first_line()
        words = self.first_line.split(" ")
        assert words[:2] == ["listening", "on"] and len(words) > 2, f"unexpected first line {self.first_line!r}"
        self.endpoints = words[2:]
        parsed = [_ENDPOINT.fullmatch(endpoint) for endpoint in self.endpoints]
        assert all(parsed), f"an endpoint a client cannot take back: {self.first_line!r}"
        ports = {int(match.group(2)) for match in parsed}
        assert len(ports) == 1, f"one port for every address: {self.first_line!r}"
        self.port = ports.pop()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _first_line(self):
        fd = self.proc.stderr.fileno()
        deadline = time.monotonic() + WAIT
        while b"\n" not in self._text:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.stop()
                raise AssertionError("the server printed no first line in time")
            chunk = os.read(fd, 4096)
            if not chunk:
                self.proc.wait(WAIT)
                raise AssertionError(f"the server ended before listening: {self._text!r}")
            self._text += chunk
        line, _, self._text = self._text.partition(b"\n")
        return line.decode()

    def _drain(self):
        fd = self.proc.stderr.fileno()
        while chunk := os.read(fd, 4096):
            with self._grew:
                self._text += chunk
                self._grew.notify_all()

    def wait_for_stderr(self, pattern):
        """The first match of `pattern` in what the server printed after its first line; fails after WAIT."""
        regex = re.compile(pattern)
        with self._grew:
            found = self._grew.wait_for(lambda: regex.search(self._text.decode(errors="replace")), timeout=WAIT)
        assert found, f"the server never printed {pattern!r}; it printed {self._text!r}"
        return found

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "_drainer"):
            self._drainer.join(WAIT)
        self.proc.stderr.close()


@pytest.fixture
def servers():
    started = []

    def start(*options, wrapper=()):
        server = Server(*options, wrapper=wrapper)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def private_hosts(tmp_path):
    """The command line that runs a program where /etc/hosts maps localhost to 127.0.0.1 and ::1."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("sh") is None:
        pytest.skip("needs root and unshare for a private mount namespace")
    hosts = tmp_path / "hosts"
    hosts.write_text(TWO_ADDRESSES)
    probe = subprocess.run(["unshare", "--mount", "sh", "-c", f'mount --bind "{hosts}" /etc/hosts && cat /etc/hosts'],
                           capture_output=True, text=True, timeout=WAIT, check=False)
    if probe.returncode != 0 or probe.stdout != TWO_ADDRESSES:
        pytest.skip(f"no private mount namespace here: {probe.stderr.strip()}")
    # `exec` keeps the pid: stopping the wrapper stops the server itself.
    return ["unshare", "--mount", "sh", "-c", f'mount --bind "{hosts}" /etc/hosts && exec "$0" "$@"']


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback (::1) here")


def served(host, port):
    """True when a raw connection to `host`:`port` gets `pong` for `ping`."""
    with socket.create_connection((host, port), timeout=WAIT) as connection:
        connection.sendall(b"ping\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = connection.recv(64)
            if not chunk:
                return False
            answer += chunk
        connection.sendall(b"disconnect\n")
        return answer == b"pong\n"


def closed_at_once(host, port):
    """True when the server closes a connection to `host`:`port` without a byte, within one second."""
    with socket.create_connection((host, port), timeout=WAIT) as connection:
        connection.settimeout(1.0)
        try:
            connection.sendall(b"ping\n")
            return connection.recv(64) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


# --- [v6] literals on every subcommand -------------------------------------------------------------------------

@needs_ipv6
@verifies("SRS-052", "SRS-053", "SRS-058")
def test_every_subcommand_takes_a_bracketed_ipv6_literal(servers):
    server = servers("-a", "[::1]")
    verify(server.endpoints, [f"[::1]:{server.port}"], "SRS-052,SRS-053,SRS-058")
    port = str(server.port)

    ping = run("ping", "-a", "[::1]", "-p", port)
    verify(ping.returncode, EXIT_OK, "SRS-052,SRS-053,SRS-058", note=ping)
    verify(ping.stdout.startswith(f"pong from [::1]:{port} in "), true(), "SRS-052,SRS-053,SRS-058")

    client = run("client", "-a", "[::1]", "-p", port, "hello")
    verify((client.returncode, client.stdout), (EXIT_OK, "hello\n"), "SRS-052,SRS-053,SRS-058", note=client)

    bench = run("bench", "-a", "[::1]", "-p", port, "-n", "20", "--pipelined", "200", "--churn", "5", timeout=60)
    verify(bench.returncode, EXIT_OK, "SRS-052,SRS-053,SRS-058", note=bench)
    verify(bench.stdout, includes(f"[::1]:{port}"), "SRS-052,SRS-053,SRS-058")

    shutdown = run("shutdown", "-a", "[::1]", "-p", port)
    verify(shutdown.returncode, EXIT_OK, "SRS-052,SRS-053,SRS-058", note=shutdown)
    verify(server.proc.wait(WAIT), EXIT_OK, "SRS-052,SRS-053,SRS-058")


@verifies("SRS-052", "SRS-058")
def test_brackets_around_anything_but_an_ipv6_literal_are_refused():
    result = run("server", "-a", "[127.0.0.1]", "-p", "0")
    verify(result.returncode, EXIT_FAILURE, "SRS-052,SRS-058")
    verify("[127.0.0.1]" in result.stderr and "IPv6" in result.stderr, true(), "SRS-052,SRS-058", note=result)


# --- a host name on every address --------------------------------------------------------------------------------

@needs_ipv6
@verifies("SRS-054", "SRS-055", "SRS-058")
def test_server_on_a_name_listens_on_each_address_and_lists_each(servers, private_hosts):
    server = servers("-a", "localhost", "-v", wrapper=private_hosts)
    verify(sorted(server.endpoints), [f"127.0.0.1:{server.port}", f"[::1]:{server.port}"], "SRS-054,SRS-055,SRS-058",
           note=server.first_line)
    for endpoint in server.endpoints:  # each as printed is what ping takes back
        address, port = endpoint.rsplit(":", 1)
        result = run("ping", "-a", address, "-p", port)
        verify(result.returncode, EXIT_OK, "SRS-054,SRS-055,SRS-058", note=result)
        verify(result.stdout.startswith(f"pong from {endpoint} in "), true(), "SRS-054,SRS-055,SRS-058")
    server.wait_for_stderr(r"client connected from 127\.0\.0\.1:")
    server.wait_for_stderr(r"client connected from \[::1\]:")


@needs_ipv6
@verifies("SRS-054")
def test_server_on_a_name_serves_one_client_across_all_its_addresses(servers, private_hosts):
    server = servers("-a", "localhost", "-v", wrapper=private_hosts)
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as first:
        first.sendall(b"ping\n")
        verify(first.recv(64), b"pong\n", "SRS-054")
        verify(closed_at_once("::1", server.port), true(), "SRS-054",
               note="a second client on ::1 was served beside one on 127.0.0.1")
        server.wait_for_stderr(r"refused \[::1\]:\d+: a client is already connected")
    verify(served("::1", server.port), true(), "SRS-054")


# --- the allow-list ----------------------------------------------------------------------------------------------

@verifies("SRS-056", "SRS-059")
def test_allow_refuses_a_peer_not_on_it_promptly_and_logs_its_address(servers):
    server = servers("--allow", "10.0.0.0/8", "-v")
    began = time.monotonic()
    result = run("ping", "-p", str(server.port))
    took = time.monotonic() - began
    verify(result.returncode, EXIT_FAILURE, "SRS-056,SRS-059", note=result)
    verify("busy" in result.stderr or "closed" in result.stderr, true(), "SRS-056,SRS-059", note=result)
    verify(took, less_than(3), "SRS-056,SRS-059", note=f"refused only after {took:.1f} s")
    server.wait_for_stderr(r"refused 127\.0\.0\.1:\d+: not on the allow-list")
    verify(closed_at_once("127.0.0.1", server.port), true(), "SRS-056,SRS-059")


@verifies("SRS-056", "SRS-059")
@pytest.mark.parametrize("allow", [["127.0.0.1"], ["10.0.0.0/8", "127.0.0.0/8"], ["::ffff:127.0.0.1"]])
def test_allow_serves_a_peer_on_it(servers, allow):
    options = [word for entry in allow for word in ("--allow", entry)]
    server = servers(*options)
    result = run("ping", "-p", str(server.port))
    verify(result.returncode, EXIT_OK, "SRS-056,SRS-059", note=result)


@needs_ipv6
@verifies("SRS-056", "SRS-059")
def test_allow_takes_ipv6_networks(servers):
    server = servers("-a", "::1", "--allow", "::1/128", "-v")
    verify(run("ping", "-a", "::1", "-p", str(server.port)).returncode, EXIT_OK, "SRS-056,SRS-059")
    refusing = servers("-a", "::1", "--allow", "fd00::/8", "-v")
    verify(run("ping", "-a", "::1", "-p", str(refusing.port)).returncode, EXIT_FAILURE, "SRS-056,SRS-059")
    refusing.wait_for_stderr(r"refused \[::1\]:\d+: not on the allow-list")


@verifies("SRS-057", "SRS-059")
@pytest.mark.parametrize("entry", ["localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/x", "1.2.3"])
def test_a_bad_allow_entry_is_a_usage_error_naming_it(entry):
    result = run("server", "-p", "0", "--allow", "127.0.0.1", "--allow", entry)
    verify(result.returncode, EXIT_USAGE, "SRS-057,SRS-059", note=result)
    lines = result.stderr.splitlines()
    verify(len(lines) == 1 and f"'{entry}'" in lines[0], true(), "SRS-057,SRS-059", note=result)
