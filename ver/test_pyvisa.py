"""PyVISA (Debian's python3-pyvisa with the pyvisa-py backend) driving the real `oneline server` over a TCPIP
SOCKET resource, as docs/cli.md "Using oneline with PyVISA" describes it: the terminations, query, write and
read, timeouts, a busy and a stopped server, and the section's own example, run against a server on port 0.
"""

import re
import subprocess
import sys
import time

import pytest
from hamcrest import greater_than_or_equal_to, none

from test_cli import ROOT, WAIT, ServerProcess, verifies
from verify import includes, true, verify

pyvisa = pytest.importorskip("pyvisa", reason="python3-pyvisa is not installed (./do_install installs it)")
pytest.importorskip("pyvisa_py", reason="python3-pyvisa-py is not installed (./do_install installs it)")

TIMEOUT_MS = 1000
SECTION = "## Using oneline with PyVISA"


@pytest.fixture
def servers():
    """Starts `oneline server --port 0 OPTIONS` processes; stops each at teardown, whatever happened."""
    started = []

    def start(*options):
        started.append(ServerProcess(*options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def visa():
    """A pyvisa-py resource manager; opens resources for a port, closes them all at teardown."""
    manager = pyvisa.ResourceManager("@py")
    opened = []

    def open_resource(port, defaults=False, **settings):
        if not defaults:
            settings = {"read_termination": "\n", "write_termination": "\n", "timeout": TIMEOUT_MS, **settings}
        resource = manager.open_resource(f"TCPIP0::127.0.0.1::{port}::SOCKET", **settings)
        opened.append(resource)
        return resource

    yield open_resource
    for resource in opened:
        try:
            resource.close()
        except Exception:  # noqa: BLE001 (a resource whose server is gone may fail to close; nothing to free)
            pass
    manager.close()


def timed_out(call):
    """Runs `call`; returns the seconds it took to raise VI_ERROR_TMO (fails if it returns or raises another)."""
    start = time.monotonic()
    with pytest.raises(pyvisa.errors.VisaIOError) as raised:
        call()
    assert raised.value.error_code == pyvisa.constants.StatusCode.error_timeout, raised.value
    return time.monotonic() - start


@verifies("SRS-252")
def test_pyvisa_defaults_time_out_since_read_termination_is_none(servers, visa):
    server = servers()
    resource = visa(server.port, defaults=True)
    verify(resource.read_termination is None and resource.write_termination == "\r\n", true(), "SRS-252")
    resource.timeout = TIMEOUT_MS
    elapsed = timed_out(lambda: resource.query("ping"))
    verify(elapsed, greater_than_or_equal_to(TIMEOUT_MS / 1000 * 0.9), "SRS-252")


@verifies("SRS-252")
def test_pyvisa_query_write_and_read_with_a_line_feed_termination(servers, visa):
    server = servers("--exec", 'case "$1" in *IDN?) echo "oneline,sim,0,1.0" ;; two) printf "a\\nb\\n" ;; '
                               'quiet) ;; *) echo "$1" ;; esac')
    resource = visa(server.port)
    verify(resource.query("ping"), "pong", "SRS-252")
    verify(resource.query("*IDN?"), "oneline,sim,0,1.0", "SRS-252")
    resource.write("two")
    verify([resource.read(), resource.read()], ["a", "b"], "SRS-252")
    resource.write("quiet")  # no response: write alone; the next answer is the next command's
    verify(resource.query("hello"), "hello", "SRS-252")
    resource.write("disconnect")
    resource.close()
    again = visa(server.port)  # the server serves its next client
    verify(again.query("ping"), "pong", "SRS-252")


@verifies("SRS-252")
def test_pyvisa_write_termination_crlf_is_accepted(servers, visa):
    server = servers()
    resource = visa(server.port, write_termination="\r\n")
    verify(resource.query("cmd01"), "cmd01", "SRS-252")


@verifies("SRS-252")
def test_pyvisa_query_of_a_command_without_answer_times_out_after_timeout(servers, visa):
    server = servers("--exec", "true")
    resource = visa(server.port, timeout=500)
    elapsed = timed_out(lambda: resource.query("cmd01"))
    verify(0.4 <= elapsed < WAIT, true(), "SRS-252")


@verifies("SRS-252")
def test_pyvisa_on_a_busy_server_opens_then_times_out(servers, visa):
    server = servers()
    first = visa(server.port)
    verify(first.query("ping"), "pong", "SRS-252")
    second = visa(server.port)  # accepted and closed at once by the server
    # A reset when the close finds the query unread, else a timeout: PyVISA does not report a plain close.
    try:
        timed_out(lambda: second.query("ping"))
    except ConnectionResetError:
        pass
    first.write("disconnect")
    verify(visa(server.port).query("ping"), "pong", "SRS-252")


@verifies("SRS-252")
def test_pyvisa_on_a_stopped_server_is_refused_and_a_closed_connection_times_out(servers, visa):
    server = servers()
    resource = visa(server.port)
    resource.write("shutdown")
    verify(server.wait(), 0, "SRS-252")
    timed_out(resource.read)
    with pytest.raises(ConnectionRefusedError):
        visa(server.port).query("ping")


def documented_example():
    text = (ROOT / "docs" / "cli.md").read_text()
    assert SECTION in text, f"docs/cli.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "the PyVISA section holds one python block"
    return blocks[0]


@verifies("SRS-252")
def test_pyvisa_example_of_the_docs_runs_as_written(servers):
    server = servers()
    example = documented_example()
    verify(example, includes("::5001::SOCKET"), "SRS-252")
    # The example names the default port; here it runs against a server on a port the system picked.
    result = subprocess.run([sys.executable, "-c", example.replace("::5001::", f"::{server.port}::")],
                            capture_output=True, text=True, timeout=WAIT, check=False)
    verify(result.returncode, 0, "SRS-252", note=result.stderr)
    verify(result.stdout, "pong\ncmd01\n", "SRS-252")
    verify(server.proc.poll(), none(), "SRS-252", note="the example only disconnects: the server serves on")
