"""Fixtures of the verification suite: programs under test, protocol records, servers that always stop.

Programs come from the environment, else from the default build directory:
  ONELINE_BIN            the `oneline` tool       (build/src/cli/oneline)
  ONELINE_SAMPLE_SERVER  the sample server        (build/sample/sample_server)
  ONELINE_SAMPLE_CLIENT  the sample client        (build/sample/sample_client)
  ONELINE_VER_OUT        where results are written (out/ver)
"""

import os
import pathlib
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from processes import Background, ServerProcess, run  # noqa: E402
import verify  # noqa: E402
from verifier import Registry  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS_NAME = "ver_results.json"

_registry = Registry()


def _program(variable, default):
    return pathlib.Path(os.environ.get(variable) or ROOT / default)


def out_dir():
    return pathlib.Path(os.environ.get("ONELINE_VER_OUT") or ROOT / "out" / "ver")


def pytest_configure(config):
    config.addinivalue_line("markers", "protocol(id, title): the test is test protocol `id` (tp-NNN)")


def _named_srs(item):
    """The requirement ids a test names with test_cli.verifies, or None when it names none that way."""
    return getattr(getattr(item, "function", None), "srs", None)


def pytest_collection_modifyitems(session, config, items):
    # A test that records nothing would be invisible in the trace: each one is a protocol or names its ids.
    silent = [item.nodeid for item in items if item.get_closest_marker("protocol") is None
              and _named_srs(item) is None]
    if silent:
        raise pytest.UsageError("tests that neither are a test protocol (@pytest.mark.protocol) nor name "
                                "their requirements (@verifies): " + ", ".join(silent))


def pytest_sessionfinish(session, exitstatus):
    _registry.write(out_dir() / RESULTS_NAME)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    verify.start_recording()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    srs = _named_srs(item)
    if srs is not None:
        # Each phase's checks go with that phase; recording goes on until the teardown has been reported.
        checks = verify.stop_recording()
        if report.when != "teardown":
            verify.start_recording()
        doc = (getattr(item, "function", None).__doc__ or "").strip()
        _registry.record_test(item.nodeid, srs, report, checks, " ".join(doc.split("\n\n")[0].split()))
    protocol = getattr(item, "_protocol", None)
    if protocol is None:
        return
    if report.failed:
        protocol.outcome = "fail"
        protocol.record_error(report.when, str(report.longrepr).strip().splitlines()[-1][:300]
                              if report.longrepr else "failed")
    elif report.skipped and protocol.outcome != "fail":
        protocol.outcome = "skipped"
    elif report.when == "call" and report.passed:
        protocol.outcome = "pass"


@pytest.fixture
def tp(request):
    """The record of the running test protocol, declared with @pytest.mark.protocol("tp-NNN", "title")."""
    marker = request.node.get_closest_marker("protocol")
    if marker is None or len(marker.args) != 2:
        raise pytest.UsageError(f"{request.node.nodeid} uses `tp` without @pytest.mark.protocol(id, title)")
    protocol = _registry.open(marker.args[0], marker.args[1], request.node.nodeid)
    request.node._protocol = protocol
    began = time.monotonic()
    yield protocol
    protocol.duration = time.monotonic() - began


def _require(path, variable):
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"program not found: {path} (build it, or set {variable})")
    return path


@pytest.fixture(scope="session")
def oneline_bin():
    """Path of the `oneline` tool."""
    return _require(_program("ONELINE_BIN", "build/src/cli/oneline"), "ONELINE_BIN")


@pytest.fixture(scope="session")
def sample_server_bin():
    return _require(_program("ONELINE_SAMPLE_SERVER", "build/sample/sample_server"), "ONELINE_SAMPLE_SERVER")


@pytest.fixture(scope="session")
def sample_client_bin():
    return _require(_program("ONELINE_SAMPLE_CLIENT", "build/sample/sample_client"), "ONELINE_SAMPLE_CLIENT")


@pytest.fixture
def servers():
    """Starts server programs for the test; every one is stopped afterwards, whatever the outcome."""
    started = []

    def start(argv, timeout=10.0, env=None):
        server = ServerProcess(argv, env=env)
        started.append(server)
        return server.start(timeout)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def oneline_server(servers, oneline_bin):
    """start(*options): `oneline server -p 0 OPTIONS` in the background; stopped after the test."""

    def start(*options, env=None):
        return servers([oneline_bin, "server", "-p", "0", *options], env=env)

    return start


@pytest.fixture
def oneline(oneline_bin):
    """oneline(*args, stdin_text=None, timeout=15): runs the tool to completion; returns a processes.Result."""

    def call(*args, stdin_text=None, timeout=15.0, env=None):
        return run([oneline_bin, *args], stdin_text=stdin_text, timeout=timeout, env=env)

    return call


@pytest.fixture
def background():
    """start(argv, stdin_text=None): a program run while the test plays its peer; killed after the test."""
    started = []

    def start(argv, stdin_text=None, env=None):
        program = Background(argv, stdin_text=stdin_text, env=env)
        started.append(program)
        return program

    yield start
    for program in started:
        program.kill()
