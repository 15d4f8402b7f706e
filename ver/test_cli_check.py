"""`oneline check`: transcripts run against a server, a line per case and a tally, exit codes, malformed input
refused before anything is sent, --junit, --srs in both shapes, --trace as JSON and Markdown.

The real binary against real servers on port 0: `oneline server --echo`, `--exec 'seq 1 "$1"'` (the command N
is answered 1..N), `--fault delay=MS` for the timing rules, and the sample server with the project's transcript
of it. The transcripts are the files of test/transcripts/, or written into the test's own directory. Helpers
come from test_cli.py; the sample server is started with processes.py.
"""

import json
import os
import pathlib
import subprocess
import time
import xml.etree.ElementTree as ElementTree

import pytest
from hamcrest import greater_than_or_equal_to

import processes
import test_cli
from test_cli import BIN, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ROOT, WAIT, closed_port, verifies
from verify import includes, verify

TRANSCRIPTS = "test/transcripts"  # relative to ROOT, where the tool runs: messages name the files so
SEQ = 'seq 1 "$1"'
SAMPLE_SERVER = pathlib.Path(os.environ.get("ONELINE_SAMPLE_SERVER")
                             or pathlib.Path(BIN).resolve().parents[2] / "sample" / "sample_server")

start_server = test_cli.start_server  # the fixture, shared


def check(*args):
    """`oneline check ARGS` run in the repository's top directory; the CompletedProcess."""
    return subprocess.run([BIN, "check", *[str(arg) for arg in args]], capture_output=True, text=True,
                          timeout=WAIT, cwd=ROOT, check=False)


def transcript(name):
    return f"{TRANSCRIPTS}/{name}"


def write(directory, name, text):
    path = directory / name
    path.write_text(text)
    return path


def lines(result):
    return result.stdout.splitlines()


def connections_logged(server):
    """How many clients a `-v` server saw, counted after a `oneline ping` of its own: every client before it is
    in the log by then, so a check that sent nothing shows as exactly one connection."""
    result = test_cli.run("ping", "-p", str(server.port))
    assert result.returncode == EXIT_OK, result.stderr
    server.wait_for_stderr("sent disconnect")
    return server.stderr().count("client connected")


# --- passing and failing cases ------------------------------------------------------------------------------------

@verifies("SRS-340", "SRS-350")
def test_passing_transcript_prints_pass_per_case_and_a_tally_and_exits_0(start_server):
    server = start_server("--echo")
    result = check("-p", server.port, transcript("echo_passing.txt"))
    verify(result.returncode, EXIT_OK, "SRS-340,SRS-350", note=result.stdout + result.stderr)
    verify(lines(result), [f"PASS {TRANSCRIPTS}/echo_passing.txt echoes-each-command",
                           f"PASS {TRANSCRIPTS}/echo_passing.txt answers-ping-first",
                           "2 cases in 1 file: 2 passed, 0 failed"], "SRS-340,SRS-350")
    verify(result.stderr, "", "SRS-350")


@verifies("SRS-341", "SRS-342", "SRS-343", "SRS-347", "SRS-350")
def test_failing_cases_name_file_line_expected_and_actual_and_the_run_goes_on(start_server):
    server = start_server("--echo")
    result = check("-p", server.port, transcript("echo_failing.txt"), transcript("echo_passing.txt"))
    ids = "SRS-341,SRS-342,SRS-343,SRS-347,SRS-350"
    verify(result.returncode, EXIT_FAILURE, ids, note=result.stderr)
    failing = f"{TRANSCRIPTS}/echo_failing.txt"
    long = "'" + "a" * 60 + "...' (104 bytes)"
    verify(lines(result), [
        f"FAIL {failing} wrong-response",
        f"    {failing}:5: wrong response to 'hello': expected 'goodbye', got 'hello'",
        f"FAIL {failing} missing-response",
        f"    {failing}:10: missing response to 'one': expected 'two', got the end of its answer (1 response came)",
        f"FAIL {failing} extra-response",
        f"    {failing}:13: extra response to 'unexpected': expected none, got 'unexpected' as response 1",
        f"FAIL {failing} long-response-is-cut",
        f"    {failing}:17: wrong response to {long}: expected 'b', got {long}",
        f"PASS {failing} still-in-step",
        f"PASS {TRANSCRIPTS}/echo_passing.txt echoes-each-command",
        f"PASS {TRANSCRIPTS}/echo_passing.txt answers-ping-first",
        "7 cases in 2 files: 3 passed, 4 failed"], ids)


@verifies("SRS-340", "SRS-343", "SRS-344")
def test_patterns_any_number_further_and_one_response_too_many(start_server):
    server = start_server("--exec", SEQ)
    result = check("-p", server.port, transcript("seq_answers.txt"))
    verify(result.returncode, EXIT_FAILURE, "SRS-340,SRS-343,SRS-344", note=result.stderr)
    name = f"{TRANSCRIPTS}/seq_answers.txt"
    verify(lines(result), [
        f"PASS {name} patterns",
        f"PASS {name} any-number-further",
        f"FAIL {name} too-many",
        f"    {name}:21: extra response to '3': expected only 2 responses, got '3' as response 3",
        f"FAIL {name} pattern-mismatch",
        f"    {name}:27: wrong response to '12': expected a match of '[a-z]+', got '1'",
        "4 cases in 1 file: 2 passed, 2 failed"], "SRS-340,SRS-343,SRS-344")


@verifies("SRS-345", "SRS-348")
def test_timeout_fails_its_case_a_longer_timeout_line_passes_and_pause_waits(start_server):
    server = start_server("--echo", "--fault", "delay=300", "--fault-seed", "1")
    began = time.monotonic()
    result = check("-p", server.port, "-t", "0.1", transcript("timing.txt"))
    took = time.monotonic() - began
    name = f"{TRANSCRIPTS}/timing.txt"
    verify(result.returncode, EXIT_FAILURE, "SRS-345", note=result.stderr)
    verify(lines(result), [
        f"FAIL {name} late",
        f"    {name}:5: no response within 0.1 s during the answer to 'a': expected 'a', got nothing more "
        "(0 responses came)",
        f"PASS {name} given-longer",
        f"PASS {name} paused",
        "3 cases in 1 file: 2 passed, 1 failed"], "SRS-345,SRS-348")
    # Four held answers (0.3 s each, one at a time but for the pipelined ones) and the 0.5 s pause.
    verify(took, greater_than_or_equal_to(0.3 * 3 + 0.5), "SRS-348", note="the pause was not waited out")


@verifies("SRS-346")
def test_server_closing_fails_the_case_and_the_next_case_connects_again(start_server, tmp_path):
    server = start_server("--echo", "--fault", "close-after=2")
    path = write(tmp_path, "closing.txt",
                 "## cut\n> one\n< one\n> two\n< two\n> three\n< three\n## again\n> four\n< four\n")
    result = check("-p", server.port, path)
    verify(result.returncode, EXIT_FAILURE, "SRS-346", note=result.stderr)
    verify(lines(result), [
        f"FAIL {path} cut",
        f"    {path}:4: the server closed the connection during the answer to 'two': expected the end of its answer "
        "('pong' to the 'ping' after it), got nothing more (1 response came)",
        f"PASS {path} again",
        "2 cases in 1 file: 1 passed, 1 failed"], "SRS-346")


@verifies("SRS-352")
def test_unreachable_server_fails_every_case_with_the_reason_and_exits_1():
    port = closed_port()
    result = check("-p", port, transcript("echo_passing.txt"))
    verify(result.returncode, EXIT_FAILURE, "SRS-352", note=result.stderr)
    name = f"{TRANSCRIPTS}/echo_passing.txt"
    verify(lines(result)[0], f"FAIL {name} echoes-each-command", "SRS-352")
    verify(lines(result)[1], includes(f"{name}:3: cannot connect: "), "SRS-352")
    verify(lines(result)[1], includes(f"127.0.0.1:{port}"), "SRS-352")
    verify(lines(result)[-1], "2 cases in 1 file: 0 passed, 2 failed", "SRS-352")


@verifies("SRS-357")
def test_the_sample_servers_transcript_passes_against_the_sample_server():
    if not SAMPLE_SERVER.is_file():
        # Named but missing is a failure; not built at all (-DONELINE_BUILD_SAMPLE=OFF) leaves nothing to check.
        assert not os.environ.get("ONELINE_SAMPLE_SERVER"), f"no sample server at {SAMPLE_SERVER}"
        pytest.skip(f"no sample server at {SAMPLE_SERVER} (build it, or set ONELINE_SAMPLE_SERVER)")
    server = processes.ServerProcess([SAMPLE_SERVER, "0"]).start(WAIT)
    try:
        result = check("-p", server.port, transcript("sample_server.txt"))
        verify(result.returncode, EXIT_OK, "SRS-357", note=result.stdout + result.stderr)
        verify(lines(result)[-1], "4 cases in 1 file: 4 passed, 0 failed", "SRS-357")
        verify(server.wait_exit(WAIT), 0, "SRS-357", note="the transcript's shutdown did not stop the sample server")
    finally:
        server.stop()


# --- malformed input, found before anything is sent -------------------------------------------------------------

@verifies("SRS-351")
@pytest.mark.parametrize("name, message", [
    ("unknown_prefix.txt", ":4: a line must start with '>', '<', '<~', '<*', '@', '#' or '##': 'hello again'"),
    ("bad_pattern.txt", ":3: not a valid RE2 pattern"),
    ("response_first.txt", ":2: a response line before any command"),
])
def test_malformed_transcript_is_exit_2_naming_file_line_and_nothing_is_sent(start_server, name, message):
    server = start_server("--echo", "-v")
    # A good file first: it would be sent, were the files not all read before anything is.
    result = check("-p", server.port, transcript("echo_passing.txt"), transcript(f"malformed/{name}"))
    verify(result.returncode, EXIT_USAGE, "SRS-351", note=result.stdout + result.stderr)
    verify(result.stderr, includes(f"oneline check: {TRANSCRIPTS}/malformed/{name}{message}"), "SRS-351")
    verify(result.stdout, "", "SRS-351")
    verify(connections_logged(server), 1, "SRS-351", note="the check connected although a file was malformed")


@verifies("SRS-351")
def test_every_malformed_file_is_named_and_a_missing_file_too(start_server):
    server = start_server("--echo", "-v")
    result = check("-p", server.port, transcript("malformed/response_first.txt"), "no/such/file.txt",
                   transcript("malformed/unknown_prefix.txt"))
    verify(result.returncode, EXIT_USAGE, "SRS-351", note=result.stderr)
    verify(len(result.stderr.splitlines()), 3, "SRS-351", note=result.stderr)
    verify(result.stderr, includes("oneline check: no/such/file.txt: cannot be opened"), "SRS-351")
    verify(connections_logged(server), 1, "SRS-351")


# --- JUnit --------------------------------------------------------------------------------------------------------

@verifies("SRS-353")
def test_junit_has_a_suite_per_file_a_testcase_per_case_and_the_mismatch_as_failure(start_server, tmp_path):
    server = start_server("--echo")
    odd = write(tmp_path, "odd.txt", '## quotes&<brackets> SRS-1\n> say "<&>" \x01\n< said\n')
    junit = tmp_path / "results.xml"
    result = check("-p", server.port, "--junit", junit, transcript("echo_failing.txt"), odd)
    verify(result.returncode, EXIT_FAILURE, "SRS-353", note=result.stderr)
    root = ElementTree.parse(junit).getroot()  # well-formed XML, or this raises
    verify(root.tag, "testsuites", "SRS-353")
    verify((root.get("tests"), root.get("failures")), ("6", "5"), "SRS-353")
    suites = root.findall("testsuite")
    verify([suite.get("name") for suite in suites], [f"{TRANSCRIPTS}/echo_failing.txt", str(odd)], "SRS-353")
    cases = suites[0].findall("testcase")
    verify([case.get("name") for case in cases], ["wrong-response", "missing-response", "extra-response",
                                                  "long-response-is-cut", "still-in-step"], "SRS-353")
    verify({case.get("classname") for case in cases}, {f"{TRANSCRIPTS}/echo_failing.txt"}, "SRS-353")
    verify(cases[0].find("failure").get("message"),
           f"{TRANSCRIPTS}/echo_failing.txt:5: wrong response to 'hello': expected 'goodbye', got 'hello'", "SRS-353")
    verify(cases[4].find("failure"), None, "SRS-353")
    odd_case = suites[1].find("testcase")
    verify(odd_case.get("name"), "quotes&<brackets>", "SRS-353")
    verify(odd_case.find("properties/property").get("value"), "SRS-1", "SRS-353")
    verify(odd_case.find("failure").get("message"),
           f"{odd}:3: wrong response to 'say \"<&>\" \\x01': expected 'said', got 'say \"<&>\" \\x01'", "SRS-353")


@verifies("SRS-353")
def test_a_report_that_cannot_be_written_is_exit_1_after_the_results(start_server, tmp_path):
    server = start_server("--echo")
    result = check("-p", server.port, "--junit", tmp_path / "no" / "such" / "dir.xml", transcript("echo_passing.txt"))
    verify(result.returncode, EXIT_FAILURE, "SRS-353", note=result.stderr)
    verify(lines(result)[-1], "2 cases in 1 file: 2 passed, 0 failed", "SRS-353")
    verify(result.stderr, includes("cannot write"), "SRS-353")


# --- requirements -----------------------------------------------------------------------------------------------

@verifies("SRS-354", "SRS-355")
@pytest.mark.parametrize("shape", ["requirements_list.json", "requirements_object.json"])
def test_srs_in_either_shape_prints_each_requirements_result(start_server, shape):
    server = start_server("--echo")
    result = check("-p", server.port, "--srs", transcript(shape), transcript("echo_requirements.txt"))
    verify(result.returncode, EXIT_OK, "SRS-354,SRS-355", note=result.stdout + result.stderr)
    verify(lines(result)[2:], ["REQ-001: PASS", "REQ-002: PASS", "REQ-003: unverified (manual)",
                               "2 cases in 1 file: 2 passed, 0 failed; 3 requirements: 2 passed, 0 failed, "
                               "1 unverified (0 automatic)"], "SRS-354,SRS-355",
           note="a manual requirement left unverified does not fail the run")


@verifies("SRS-355")
def test_an_unverified_automatic_requirement_fails_the_run(start_server, tmp_path):
    server = start_server("--echo")
    path = write(tmp_path, "some.txt", "## echoes REQ-001\n> hello\n< hello\n## wrong REQ-003\n> a\n< b\n")
    result = check("-p", server.port, "--srs", transcript("requirements_list.json"), path)
    verify(result.returncode, EXIT_FAILURE, "SRS-355", note=result.stderr)
    verify(lines(result)[-4:], ["REQ-001: PASS", "REQ-002: unverified (auto)", "REQ-003: FAIL",
                                "2 cases in 1 file: 1 passed, 1 failed; 3 requirements: 1 passed, 1 failed, "
                                "1 unverified (1 automatic)"], "SRS-355")
    passing = write(tmp_path, "passing.txt", "## echoes REQ-001\n> hello\n< hello\n")
    result = check("-p", server.port, "--srs", transcript("requirements_list.json"), passing)
    verify(result.returncode, EXIT_FAILURE, "SRS-355", note="every case passed, REQ-002 (auto) is unverified")


@verifies("SRS-354")
def test_an_id_the_srs_lacks_is_exit_2_naming_the_case_and_nothing_is_sent(start_server, tmp_path):
    server = start_server("--echo", "-v")
    path = write(tmp_path, "typo.txt", "## fine REQ-001\n> a\n< a\n\n## typo REQ-01\n> b\n< b\n")
    result = check("-p", server.port, "--srs", transcript("requirements_object.json"), path)
    verify(result.returncode, EXIT_USAGE, "SRS-354", note=result.stderr)
    verify(result.stderr, includes(f"{path}:5: case 'typo' names REQ-01, which {TRANSCRIPTS}/requirements_object.json "
                                   "does not hold"), "SRS-354")
    verify(connections_logged(server), 1, "SRS-354")


@verifies("SRS-354")
@pytest.mark.parametrize("text, message", [
    ('[{"id": "A"},\n {"id": "A"}]', "entry 2: A is given twice"),
    ('{"A": {"tester": 3}}', "\"A\": \"tester\" is not a string"),
    ('[{"id": "A"},\n  oops]', ":2: not JSON"),
    ('"SRS-001"', "holds neither a list"),
    ("[" * 100 + "]" * 100, "is nested deeper"),
])
def test_a_malformed_srs_file_is_exit_2_naming_it(start_server, tmp_path, text, message):
    server = start_server("--echo", "-v")
    srs = write(tmp_path, "srs.json", text)
    result = check("-p", server.port, "--srs", srs, transcript("echo_passing.txt"))
    verify(result.returncode, EXIT_USAGE, "SRS-354", note=result.stderr)
    verify(result.stderr, includes(f"oneline check: --srs: {srs}"), "SRS-354")
    verify(result.stderr, includes(message), "SRS-354")
    verify(connections_logged(server), 1, "SRS-354")


@verifies("SRS-354")
def test_an_srs_file_larger_than_its_bound_is_refused_unread(tmp_path):
    srs = tmp_path / "huge.json"
    with srs.open("wb") as out:
        out.truncate(16 * 1024 * 1024 + 1)
    result = check("-p", closed_port(), "--srs", srs, transcript("echo_passing.txt"))
    verify(result.returncode, EXIT_USAGE, "SRS-354", note=result.stderr)
    verify(result.stderr, includes("is larger than 16777216 bytes"), "SRS-354")


# --- trace ------------------------------------------------------------------------------------------------------

@verifies("SRS-356")
def test_trace_json_lists_each_requirement_with_its_result_and_cases(start_server, tmp_path):
    server = start_server("--echo")
    path = write(tmp_path, "some.txt", "## echoes REQ-001\n> hello\n< hello\n## wrong REQ-001 REQ-003\n> a\n< b\n")
    trace = tmp_path / "trace.json"
    result = check("-p", server.port, "--srs", transcript("requirements_list.json"), "--trace", trace, path)
    verify(result.returncode, EXIT_FAILURE, "SRS-356", note=result.stderr)
    document = json.loads(trace.read_text())
    by_id = {entry["id"]: entry for entry in document["requirements"]}
    verify(list(by_id), ["REQ-001", "REQ-002", "REQ-003"], "SRS-356")
    verify({key: by_id["REQ-001"][key] for key in ("description", "tester", "result")},
           {"description": "Each command comes back as its response.", "tester": "auto", "result": "FAIL"}, "SRS-356")
    verify([(case["location"], case["name"], case["result"]) for case in by_id["REQ-001"]["cases"]],
           [(f"{path}:1", "echoes", "PASS"), (f"{path}:4", "wrong", "FAIL")], "SRS-356")
    verify((by_id["REQ-002"]["result"], by_id["REQ-002"]["cases"]), ("unverified", []), "SRS-356")
    verify((by_id["REQ-003"]["result"], by_id["REQ-003"]["tester"]), ("FAIL", "manual"), "SRS-356")
    verify(document["summary"], {"requirements": 3, "passed": 0, "failed": 2, "unverified": 1,
                                 "unverified_automatic": 1}, "SRS-356")


@verifies("SRS-356")
def test_trace_md_is_a_table_for_people(start_server, tmp_path):
    server = start_server("--echo")
    trace = tmp_path / "trace.md"
    result = check("-p", server.port, "--srs", transcript("requirements_object.json"), "--trace", trace,
                   transcript("echo_requirements.txt"))
    verify(result.returncode, EXIT_OK, "SRS-356", note=result.stderr)
    rows = [line for line in trace.read_text().splitlines() if line.startswith("| REQ-")]
    name = f"{TRANSCRIPTS}/echo_requirements.txt"
    verify(rows, [
        f"| REQ-001 | auto | PASS | Each command comes back as its response. | {name}:4 echoes (PASS)<br>"
        f"{name}:8 one-response-each (PASS) |",
        f"| REQ-002 | auto | PASS | A command gets exactly one response. | {name}:8 one-response-each (PASS) |",
        "| REQ-003 | manual | unverified | The operator sees each response. | none |"], "SRS-356")


@verifies("SRS-356")
@pytest.mark.parametrize("args, message", [
    (["--srs", f"{TRANSCRIPTS}/requirements_list.json", "--trace", "trace.txt"],
     "--trace: 'trace.txt' must end in .json (a trace for tools) or .md (one for people)"),
    (["--trace", "trace.json"], "--trace requires --srs"),
])
def test_trace_needs_srs_and_a_known_extension(args, message):
    result = check(*args, transcript("echo_passing.txt"))
    verify(result.returncode, EXIT_USAGE, "SRS-356", note=result.stderr)
    verify(result.stderr, includes(message), "SRS-356")
    verify((ROOT / "trace.txt").exists() or (ROOT / "trace.json").exists(), False, "SRS-356",
           note="a trace was written although the command line was refused")


@verifies("SRS-353")
@pytest.mark.parametrize("answer, result", [("hi", "pass"), ("bye", "fail")])
def test_the_junit_file_is_evidence_for_the_verification_reports(start_server, tmp_path, answer, result):
    """A user's own requirements and transcript through `check --junit` into ver/report.py, as do_ver's unit
    tests go: the requirement's result in the Trace Matrix is the case's."""
    server = start_server("--echo")
    own_srs = write(tmp_path, "srs.json", json.dumps(
        [{"id": "SRS-001", "group": "cli", "tester": "auto", "description": "Echoes what it is sent."}]))
    own_transcript = write(tmp_path, "echo.txt", f"## echo SRS-001\n> hi\n< {answer}\n")
    out = tmp_path / "out"
    (out / "linux" / "gtest").mkdir(parents=True)
    checked = check("-p", server.port, "--srs", own_srs, "--junit", out / "linux" / "gtest" / "transcripts.xml",
                    own_transcript)
    verify(checked.returncode, EXIT_OK if result == "pass" else EXIT_FAILURE, "SRS-353", note=checked.stderr)
    (out / "run.json").write_text(json.dumps({
        "run_type": "dev", "run_id": "own-1", "date": "2026-01-02 03:04:05 UTC", "version": "1.0.0",
        "commit": "0" * 40, "uncommitted_changes": False, "tester": "tester"}))
    (out / "linux" / "platform.json").write_text(json.dumps({
        "name": "linux", "os": "Linux", "architecture": "x86_64", "backend": "linux", "compiler": "GNU",
        "build": "build", "tool_version": None, "binaries": []}))
    (out / "linux" / "ver_results.json").write_text(json.dumps({"protocols": [], "tests": []}))  # no suite of ours
    (tmp_path / "manual").mkdir()
    report = subprocess.run(["/usr/bin/python3", str(ROOT / "ver" / "report.py"), "--srs", str(own_srs),
                             "--out", str(out), "--manual", str(tmp_path / "manual")],
                            capture_output=True, text=True, timeout=120, check=False)
    verify(report.returncode, 0 if result == "pass" else 1, "SRS-353", "report.py exit code", note=report.stderr)
    rows = json.loads((out / "trace.json").read_text())["requirements"]
    verify([(row["id"], row["result"]) for row in rows], [("SRS-001", result)], "SRS-353", "the Trace Matrix")
