"""The loop sample: a server driven one step at a time from a program's own fixed-step loop.

Runs the real sample/loop_server binary (ONELINE_LOOP_SERVER, else beside ONELINE_SAMPLE_SERVER, else
build/sample/loop_server) and talks to it with the real `oneline` tool and with raw sockets.
"""

import os
import pathlib
import re
import signal
import sys
import time

import pytest

from hamcrest import greater_than

import wire
from test_cli import verifies
from verify import verify, fully_matches, true

ROOT = pathlib.Path(__file__).resolve().parent.parent
WAIT = 10.0
MODES = {"serve_once_timeout": [], "wait_descriptor": ["--wait-descriptor"]}


@pytest.fixture(scope="session")
def loop_server_bin():
    # Beside the sample server when the suite is pointed at another build (do_ver, do_platforms).
    sample_server = os.environ.get("ONELINE_SAMPLE_SERVER")
    beside = pathlib.Path(sample_server).with_name("loop_server") if sample_server else None
    if beside is not None and pathlib.Path(sample_server).suffix == ".exe":
        beside = beside.with_suffix(".exe")
    path = pathlib.Path(os.environ.get("ONELINE_LOOP_SERVER") or beside or ROOT / "build" / "sample" / "loop_server")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"program not found: {path} (build it, or set ONELINE_LOOP_SERVER)")
    return path


@pytest.fixture(params=sorted(MODES))
def loop_server(request, servers, loop_server_bin):
    if request.param == "wait_descriptor" and sys.platform == "win32":
        pytest.skip("no wait descriptor on Windows")
    return servers([loop_server_bin, "0", *MODES[request.param]])


def ask(oneline, port, *commands):
    """The responses of the real client to `commands`, one per command."""
    result = oneline("client", "-p", str(port), *commands)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def tick_of(line):
    match = re.fullmatch(r"tick (\d+)", line)
    assert match, line
    return int(match.group(1))


def eventually(probe, timeout=WAIT):
    """Calls `probe` until it returns something true or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = probe()
    return value


@verifies("SRS-077", "SRS-070", "SRS-075")
def test_loop_server_answers_about_its_simulation_between_ticks(loop_server, oneline):
    first = tick_of(ask(oneline, loop_server.port, "tick")[0])
    advanced = eventually(lambda: tick_of(ask(oneline, loop_server.port, "tick")[0]) > first)
    verify(advanced, true(), "SRS-077,SRS-070,SRS-075", "the simulation advances while it serves")
    verify(ask(oneline, loop_server.port, "inflow 100"), ["inflow 100.000"], "SRS-077,SRS-070,SRS-075")
    level = eventually(lambda: float(ask(oneline, loop_server.port, "level")[0].split()[1]))
    verify(level, greater_than(0.0), "SRS-077,SRS-070,SRS-075",
           "the level, once the inflow set through the server reaches the simulation")
    state = ask(oneline, loop_server.port, "state")[0]
    verify(state, fully_matches(r"tick \d+ level \d+\.\d{3} inflow 100\.000"), "SRS-077,SRS-070,SRS-075", note=state)
    verify(ask(oneline, loop_server.port, "inflow lots", "nonsense"), [
        "nak - inflow wants a number of litres per second, 0..1000", "nak - unknown cmd"], "SRS-077,SRS-070,SRS-075")
    with wire.connect(loop_server.port) as conn:
        conn.send(b"ping\ntick\xff\n")
        verify(conn.recv_lines(2), [b"pong", b"nak - invalid bytes"], "SRS-077,SRS-070,SRS-075")
        second = wire.connect(loop_server.port)
        verify(second.wait_closed(3), true(), "SRS-077,SRS-070,SRS-075", note="a second client is closed at once")
        second.close()


@verifies("SRS-077", "SRS-072")
def test_loop_server_exits_on_shutdown(loop_server, oneline):
    result = oneline("shutdown", "-p", str(loop_server.port))
    verify(result.returncode, 0, "SRS-077,SRS-072", note=result.stderr)
    verify(loop_server.wait_exit(WAIT), 0, "SRS-077,SRS-072")
    verify(loop_server.wait_for(r"stopped at tick \d+", WAIT), true(), "SRS-077,SRS-072", note=loop_server.output())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@verifies("SRS-077", "SRS-076")
def test_loop_server_stops_on_sigint_through_request_stop(loop_server, oneline):
    with wire.connect(loop_server.port) as conn:
        conn.send(b"ping\n")
        verify(conn.recv_line(), b"pong", "SRS-077,SRS-076")
        loop_server.signal(signal.SIGINT)
        verify(conn.wait_closed(WAIT), true(), "SRS-077,SRS-076", note="the client is closed when the server stops")
    verify(loop_server.wait_exit(WAIT), 0, "SRS-077,SRS-076")
    verify(loop_server.wait_for(r"stopped at tick \d+", WAIT), true(), "SRS-077,SRS-076", note=loop_server.output())
