"""`oneline server --handler CMD`: one long-lived program answers every command in JSON Lines.

The real binary with real handler programs (the samples, and small /bin/sh ones that misbehave on
purpose), over raw sockets on port 0: state kept across commands, a program that exits mid-run, one
that prints non-JSON, one that goes silent, one that dies at every start, and that nothing is left
running after a client's `shutdown`, a stop signal, or a program that ignores the end of its stdin.
Helpers come from test_cli.py.
"""

import os
import signal
import sys

import pytest
from hamcrest import is_not

import test_cli
from test_cli import EXIT_OK, EXIT_USAGE, ROOT, run, verifies
from verify import includes, true, verify

start_server = test_cli.start_server  # the fixtures, shared
raw_clients = test_cli.raw_clients
watched = test_cli.watched

PYTHON_SAMPLE = f"{sys.executable} {ROOT / 'sample' / 'handler.py'}"
SHELL_SAMPLE = f"sh {ROOT / 'sample' / 'handler.sh'}"

# Answers each command with its count; exits 3 on `die`, prints non-JSON on `garble`, hangs on `hang`.
MISBEHAVING = r"""echo "handler $$ started" >&2
n=0
while IFS= read -r line; do
    n=$((n + 1))
    case $line in
        *'"die"'*) echo "handler $$ dies" >&2; exit 3;;
        *'"garble"'*) echo "this is not JSON"; continue;;
        *'"hang"'*) sleep 600 & echo "$$ $!" >> "$PID_FILE"; echo "handler hangs" >&2; wait;;
    esac
    echo "{\"responses\": [\"$n\"]}"
done"""


def ask(client, command, count=1):
    """Sends `command` and returns the next `count` lines, as text without their line feeds."""
    client.send(command.encode() + b"\n")
    return [line.decode().rstrip("\n") for line in client.read_lines(count)]


def pids_in(path):
    """The pids a handler wrote into `path`, one per line."""
    with open(path, encoding="ascii") as file:
        return [int(word) for word in file.read().split()]


def environment(**variables):
    return {**os.environ, **variables}


@verifies("SRS-300", "SRS-301")
def test_python_sample_keeps_its_state_across_commands(start_server, raw_clients):
    server = start_server("--handler", PYTHON_SAMPLE)
    client = raw_clients(server.port)
    client.send(b"!FREQ 10\n")  # answers nothing: zero responses is an answer
    verify(ask(client, "?FREQ"), ["10"], "SRS-300,SRS-301")
    client.send(b"!FREQ 2.5e3\n")
    verify(ask(client, "?FREQ"), ["2500"], "SRS-300,SRS-301")
    verify(ask(client, "!FREQ abc"), ["error: not a number"], "SRS-300,SRS-301")
    verify(ask(client, "?FREQ"), ["2500"], "SRS-300,SRS-301")


@verifies("SRS-300", "SRS-301")
def test_shell_sample_answers_in_order_from_one_process(start_server, raw_clients):
    server = start_server("--handler", SHELL_SAMPLE)
    client = raw_clients(server.port)
    client.send(b"first\nsecond \"quoted\" \\ \nping\n")  # pipelined; `ping` stays the server's own
    lines = [line.decode() for line in client.read_lines(5)]
    verify(lines, ["first\n", "1\n", "second \"quoted\" \\ \n", "2\n", "pong\n"], "SRS-300,SRS-301")
    verify(ask(client, "third", 2), ["third", "3"], "SRS-300,SRS-301")  # the count goes on: one process answered all


@verifies("SRS-301")
def test_the_handler_is_told_which_commands_were_invalid(start_server, raw_clients):
    server = start_server("--handler", r"""while IFS= read -r line; do
        printf '{"responses": [%s]}\n' "$(printf '%s' "$line" | sed 's/"/\\"/g; s/.*/"&"/')"; done""")
    client = raw_clients(server.port)
    client.send(b"caf\xc3\xa9\n")
    verify(client.read_lines(1), [b'{"command": "caf", "invalid": true}\n'], "SRS-301")
    verify(ask(client, "plain"), ['{"command": "plain", "invalid": false}'], "SRS-301")


@verifies("SRS-302")
def test_a_handler_that_exits_mid_run_fails_that_command_and_is_started_again(start_server, raw_clients, tmp_path):
    server = start_server("--handler", MISBEHAVING, env=environment(PID_FILE=str(tmp_path / "pids")))
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["1"], "SRS-302")
    verify(ask(client, "b"), ["2"], "SRS-302")
    verify(ask(client, "die"), ["error: handler exited with status 3"], "SRS-302")
    verify(ask(client, "c"), ["1"], "SRS-302")  # a new program: its count begins again
    server.wait_for_stderr("oneline server: --handler: it exited with status 3")


@verifies("SRS-302")
def test_failure_response_applies_to_the_handler(start_server, raw_clients, tmp_path):
    server = start_server("--handler", MISBEHAVING, "--failure-response", "ERR {reason}!",
                          env=environment(PID_FILE=str(tmp_path / "pids")))
    client = raw_clients(server.port)
    verify(ask(client, "die"), ["ERR exited with status 3!"], "SRS-302")
    verify(ask(client, "x"), ["1"], "SRS-302")


@verifies("SRS-305")
def test_a_handler_that_prints_non_json_gets_a_failure_response_and_a_log_line(start_server, raw_clients, tmp_path):
    server = start_server("--handler", MISBEHAVING, env=environment(PID_FILE=str(tmp_path / "pids")))
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["1"], "SRS-305")
    [failure] = ask(client, "garble")
    verify(failure.startswith("error: handler answered with a bad line (not JSON: "), true(), "SRS-305", note=failure)
    verify(ask(client, "b"), ["3"], "SRS-305")  # the same program, still in step
    server.wait_for_stderr('"this is not JSON"')  # the log line shows what it sent
    verify(server.stderr(), includes("oneline server: --handler: answered with a bad line (not JSON: "), "SRS-305")


@verifies("SRS-305")
def test_a_line_without_responses_or_with_a_line_feed_inside_is_a_bad_line(start_server, raw_clients):
    server = start_server("--handler", r"""while IFS= read -r line; do case $line in
        *'"a"'*) echo '{"answer": []}';;
        *'"b"'*) printf '%s\n' '{"responses": ["one\ntwo"]}';;
        *) echo '{"responses": [3]}';;
        esac; done""")
    client = raw_clients(server.port)
    verify(ask(client, "a"), ['error: handler answered with a bad line (no "responses" member)'], "SRS-305")
    verify(ask(client, "b"), ["error: handler answered with a bad line (response 1 holds a line feed)"], "SRS-305")
    verify(ask(client, "c"), ["error: handler answered with a bad line (response 1 is not a string)"], "SRS-305")


@verifies("SRS-304")
def test_a_silent_handler_is_killed_after_the_timeout_and_started_again(start_server, raw_clients, watched, tmp_path):
    pid_file = tmp_path / "pids"
    server = start_server("--handler", MISBEHAVING, "--exec-timeout", "0.5",
                          env=environment(PID_FILE=str(pid_file)))
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["1"], "SRS-304")
    verify(ask(client, "hang"), ["error: handler timed out after 0.5 s"], "SRS-304")
    for pid in pids_in(pid_file):
        watched.watch(pid)  # the program and the sleep it started: killed with its group
    verify(watched.ended_in_time(), true(), "SRS-304")
    verify(ask(client, "b"), ["1"], "SRS-304")  # a new program: its count begins again


@verifies("SRS-303")
def test_a_handler_that_dies_at_every_start_is_restarted_with_a_backoff(start_server, raw_clients):
    server = start_server("--handler", 'echo "handler started" >&2; exit 1')
    client = raw_clients(server.port)
    commands = 300
    client.send(b"x\n" * commands)
    answers = [line.decode() for line in client.read_lines(commands)]
    verify(all(answer.startswith("error: handler ") for answer in answers), true(), "SRS-303", note=set(answers))
    verify(answers, includes("error: handler exited with status 1\n"), "SRS-303")
    verify(any(answer.startswith("error: handler is restarting (it ended ") for answer in answers), true(), "SRS-303",
           note=set(answers))
    verify(ask(client, "ping"), ["pong"], "SRS-303")  # serving goes on
    # Logged at its second end in a row, so after two starts (the stderr lines come from two processes).
    server.wait_for_stderr("it ended 2 times in a row: the next start waits 0.1 s")
    # Without a backoff each command would start it once more; with it, the starts are a handful.
    starts = server.stderr().count("handler started")
    verify(2 <= starts <= 12, true(), "SRS-303", note=starts)


@verifies("SRS-306")
def test_the_handlers_stderr_goes_to_the_servers_stderr(start_server, raw_clients):
    server = start_server("--handler", """echo "a note from the handler" >&2
        while read -r line; do echo '{"responses": ["ok"]}'; done""")
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["ok"], "SRS-306")
    server.wait_for_stderr("a note from the handler")


def start_watched_handler(start_server, tmp_path):
    """A server whose handler writes its pid and a sleep's it starts; returns (server, that file)."""
    pid_file = tmp_path / "pids"
    server = start_server("--handler", """echo $$ >> "$PID_FILE"; sleep 600 & echo $! >> "$PID_FILE"
        while read -r line; do echo '{"responses": ["ok"]}'; done; echo "handler saw the end of its stdin" >&2""",
                          env=environment(PID_FILE=str(pid_file)))
    return server, pid_file


@verifies("SRS-307")
def test_nothing_is_left_running_after_a_clients_shutdown(start_server, raw_clients, watched, tmp_path):
    server, pid_file = start_watched_handler(start_server, tmp_path)
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["ok"], "SRS-307")
    for pid in pids_in(pid_file):
        watched.watch(pid)
    client.send(b"shutdown\n")
    verify(server.wait(), EXIT_OK, "SRS-307")
    verify(watched.ended_in_time(), true(), "SRS-307")
    verify(server.stderr(), includes("handler saw the end of its stdin"),
           "SRS-307")  # it was given the chance to finish


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
@verifies("SRS-307")
def test_nothing_is_left_running_after_a_stop_signal(start_server, raw_clients, watched, tmp_path, signal_number):
    server, pid_file = start_watched_handler(start_server, tmp_path)
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["ok"], "SRS-307")
    for pid in pids_in(pid_file):
        watched.watch(pid)
    server.proc.send_signal(signal_number)
    verify(server.wait(), EXIT_OK, "SRS-307")
    verify(watched.ended_in_time(), true(), "SRS-307")
    verify(server.stderr(), includes("handler saw the end of its stdin"), "SRS-307")


@verifies("SRS-307")
def test_a_handler_that_ignores_the_end_of_its_stdin_is_killed_after_the_grace(
        start_server, raw_clients, watched, tmp_path):
    # It ignores the stop signals too, and never reads its stdin: only the kill ends it.
    pid_file = tmp_path / "pids"
    server = start_server("--handler", """trap '' TERM INT HUP; echo $$ >> "$PID_FILE"
        read -r line; echo '{"responses": ["ok"]}'; exec sleep 600""", env=environment(PID_FILE=str(pid_file)))
    client = raw_clients(server.port)
    verify(ask(client, "a"), ["ok"], "SRS-307")
    for pid in pids_in(pid_file):
        watched.watch(pid)
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), EXIT_OK, "SRS-307")  # within WAIT: the grace is a second
    verify(watched.ended_in_time(), true(), "SRS-307")


@verifies("SRS-307")
def test_a_signal_while_the_handler_works_on_a_command_stops_the_server_promptly(
        start_server, raw_clients, watched, tmp_path):
    pid_file = tmp_path / "pids"
    server = start_server("--handler", MISBEHAVING, env=environment(PID_FILE=str(pid_file)))
    client = raw_clients(server.port)
    client.send(b"hang\n")
    server.wait_for_stderr("handler hangs")
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), EXIT_OK, "SRS-307")
    for pid in pids_in(pid_file):
        watched.watch(pid)
    verify(watched.ended_in_time(), true(), "SRS-307")


@pytest.mark.parametrize("args, message", [
    (["--handler", "cat", "--exec", "cat"], "excludes --handler"),
    (["--handler", "cat", "--echo"], "--echo excludes --handler"),
    (["--handler", " "], "CMD is empty"),
    (["--exec-timeout", "2"], "--exec-timeout requires --exec or --handler"),
    (["--failure-response", "x"], "--failure-response requires --exec, --handler or --replay"),
])
@verifies("SRS-308")
def test_handler_option_misuse_is_a_usage_error(args, message):
    result = run("server", "--port", "0", *args)
    verify(result.returncode, EXIT_USAGE, "SRS-308", note=result.stderr)
    verify(result.stderr, includes(message), "SRS-308", note=result.stderr)
    verify(result.stderr, is_not(includes("listening")), "SRS-308")
