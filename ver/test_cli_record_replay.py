"""`oneline client --record FILE` writes a session as a transcript; `oneline server --replay FILE` serves one back.

The real binary against real servers on port 0: record in exact and count modes, the file refused, replaced with
--force, never left half written; replay's answers in turn, unknown commands, load errors, option clashes and
faults; and the round trips through `oneline check` (skipped while this build has no `check` subcommand).
"""

import io
import os
import re

import pytest
from hamcrest import is_not, less_than

import test_cli
import wire
from test_cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, closed_port, run, verifies
from verify import false, includes, true, verify

start_server = test_cli.start_server  # the fixture, shared

# Answers "a" with two lines, "b" with none, "empty" with one empty line, anything else with "=" and itself.
SHAPES = 'case "$1" in a) echo A1; echo A2;; b) ;; empty) echo;; *) echo "=$1";; esac'
# A counter kept by one long-lived program: each command back with how many came so far (two responses).
COUNTER = "sh sample/handler.sh"
# Asked of the top-level help: `oneline check --help` prints that help too while `check` is no subcommand.
HAS_CHECK = re.search(r"^\s+check\s", run("--help").stdout, re.MULTILINE) is not None
needs_check = pytest.mark.skipif(not HAS_CHECK, reason="this build has no `oneline check` yet")


def header(port, note=""):
    return f"# recorded from 127.0.0.1:{port}{note}\n"


def record(port, path, *args, stdin=None):
    return run("client", "-p", str(port), "--record", str(path), *args, stdin=stdin)


def transcript(tmp_path, text, name="t.txt"):
    path = tmp_path / name
    path.write_text(text)
    return path


fenced = wire.fenced


# --- record ----------------------------------------------------------------------------------------------------

@verifies("SRS-360")
def test_record_writes_each_command_with_the_responses_attributed_to_it_in_exact_mode(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    path = tmp_path / "session.txt"
    plain = run("client", "-p", str(server.port), "a", "b", "empty", "x y")
    result = record(server.port, path, "a", "b", "empty", "x y")
    verify(result.returncode, EXIT_OK, "SRS-360", note=result.stderr)
    verify(result.stdout, plain.stdout, "SRS-360", note="recording changed what the client prints")
    verify(path.read_text(), header(server.port) + "> a\n< A1\n< A2\n> b\n> empty\n<\n> x y\n< =x y\n", "SRS-360",
           note="no `> disconnect`: the client's own goodbye is not the session's")


@verifies("SRS-360")
def test_record_writes_the_goodbye_that_ended_the_commands_last(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    path = tmp_path / "session.txt"
    result = record(server.port, path, stdin="q\nshutdown\nnever sent\n")
    verify(result.returncode, EXIT_OK, "SRS-360", note=result.stderr)
    verify(path.read_text(), header(server.port) + "> q\n< =q\n> shutdown\n", "SRS-360")
    verify(server.wait(), EXIT_OK, "SRS-360", note="the recorded shutdown reached the server")


@verifies("SRS-360")
def test_record_in_count_mode_writes_n_responses_per_command_and_says_so(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    path = tmp_path / "counted.txt"
    result = record(server.port, path, "-n", "2", "a", "a", "disconnect")
    verify(result.returncode, EXIT_OK, "SRS-360", note=result.stderr)
    verify(path.read_text(), header(server.port, " with -n 2") + "> a\n< A1\n< A2\n> a\n< A1\n< A2\n> disconnect\n",
           "SRS-360")
    silent = tmp_path / "silent.txt"
    result = record(server.port, silent, "-n", "0", "b", "b")
    verify(result.returncode, EXIT_OK, "SRS-360", note=result.stderr)
    verify(silent.read_text(), header(server.port, " with -n 0") + "> b\n> b\n", "SRS-360")


@verifies("SRS-363")
def test_record_drops_one_trailing_carriage_return_of_a_command(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    path = tmp_path / "crlf.txt"
    result = record(server.port, path, stdin="q\r\nempty\r\n")
    verify(result.returncode, EXIT_OK, "SRS-363", note=result.stderr)
    verify(path.read_text(), header(server.port) + "> q\n< =q\n> empty\n<\n", "SRS-363")


@verifies("SRS-363")
def test_record_refuses_a_response_that_a_transcript_line_cannot_hold(start_server, tmp_path):
    # Two 0x0D before the 0x0A: the client drops one, and a transcript line cannot end in the other.
    server = start_server("--exec", r'printf "x\r\r\n"')
    path = tmp_path / "cr.txt"
    result = record(server.port, path, "q")
    verify(result.returncode, EXIT_FAILURE, "SRS-363")
    verify(result.stderr, "oneline client: --record: a response ending in a carriage return cannot be written "
                          "(command 'q')\n", "SRS-363")
    verify(sorted(os.listdir(tmp_path)), [], "SRS-363", note="a file was left")


@verifies("SRS-360")
def test_record_on_a_terminal_reads_the_commands_without_the_prompt(start_server, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    server = start_server("--exec", SHAPES)
    path = tmp_path / "typed.txt"
    child = pexpect.spawn(test_cli.BIN, ["client", "-p", str(server.port), "--record", str(path)], encoding="utf-8",
                          timeout=test_cli.WAIT, env={**os.environ, "HOME": str(tmp_path), "TERM": "dumb"})
    child.logfile_read = io.StringIO()  # everything shown on the terminal
    try:
        child.sendline("a")
        child.expect("A2")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    shown = child.logfile_read.getvalue()
    verify(child.exitstatus, EXIT_OK, "SRS-360", note=shown)
    verify(shown, is_not(includes(f"127.0.0.1:{server.port}>")), "SRS-360", note="the prompt was shown")
    verify(path.read_text(), header(server.port) + "> a\n< A1\n< A2\n", "SRS-360")


@verifies("SRS-361")
def test_record_refuses_an_existing_file_before_connecting(tmp_path):
    path = transcript(tmp_path, "> mine\n")
    result = run("client", "-p", str(closed_port()), "--record", str(path), "x")
    verify(result.returncode, EXIT_USAGE, "SRS-361", note=result.stderr)
    verify(result.stderr, f"oneline client: --record: '{path}' exists; --force replaces it "
                          "(see 'oneline client --help')\n", "SRS-361", note="not one line, or it connected first")
    verify(path.read_text(), "> mine\n", "SRS-361")
    (tmp_path / "dir").mkdir()
    result = run("client", "-p", str(closed_port()), "--record", str(tmp_path / "dir"), "x")
    verify(result.returncode, EXIT_USAGE, "SRS-361", note=result.stderr)


@verifies("SRS-361")
def test_record_force_replaces_an_existing_file(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    path = transcript(tmp_path, "> old\n< old\n")
    result = record(server.port, path, "--force", "b")
    verify(result.returncode, EXIT_OK, "SRS-361", note=result.stderr)
    verify(path.read_text(), header(server.port) + "> b\n", "SRS-361")
    verify(run("client", "-p", str(server.port), "--force", "b").returncode, EXIT_USAGE, "SRS-361",
           note="--force without --record")


@verifies("SRS-362")
def test_a_failed_session_leaves_no_file_and_keeps_the_one_it_would_replace(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    new = tmp_path / "new.txt"
    result = record(server.port, new, "-n", "1", "q", "a", "q")  # "a" answers two lines: one is left over
    verify(result.returncode, EXIT_FAILURE, "SRS-362", note=result.stderr)
    verify(result.stderr, includes("more than expected"), "SRS-362")
    old = transcript(tmp_path, "> kept\n", "old.txt")
    result = record(server.port, old, "--force", "-n", "1", "a")
    verify(result.returncode, EXIT_FAILURE, "SRS-362", note=result.stderr)
    verify(old.read_text(), "> kept\n", "SRS-362")
    verify(sorted(os.listdir(tmp_path)), ["old.txt"], "SRS-362", note="a new or partial file was left")


@verifies("SRS-362")
def test_a_session_closed_by_the_server_leaves_no_file(start_server, tmp_path):
    server = start_server("--exec", SHAPES, "--fault", "close-after=1")
    path = tmp_path / "closed.txt"
    result = record(server.port, path, "q", "r")
    verify(result.returncode, EXIT_FAILURE, "SRS-362", note=result.stderr)
    verify(result.stderr, includes("closed the connection"), "SRS-362")
    verify(sorted(os.listdir(tmp_path)), [], "SRS-362")
    result = run("client", "-p", str(closed_port()), "--record", str(path), "q")
    verify(result.returncode, EXIT_FAILURE, "SRS-362", note="no server")
    verify(sorted(os.listdir(tmp_path)), [], "SRS-362")


@verifies("SRS-362")
def test_record_into_a_directory_that_is_not_there_exits_1_naming_the_file(tmp_path):
    path = tmp_path / "no" / "such.txt"
    result = run("client", "-p", str(closed_port()), "--record", str(path), "q")
    verify(result.returncode, EXIT_FAILURE, "SRS-362")
    verify(result.stderr, includes(f"--record: cannot create '{path}.partial'"), "SRS-362")


# --- replay ----------------------------------------------------------------------------------------------------

@verifies("SRS-364")
def test_replay_answers_each_recorded_command_with_its_responses(start_server, tmp_path):
    path = transcript(tmp_path, "# a device\n> *IDN?\n< Acme,1\n> READ?\n< 1\n<\n< 3\n> SET 5\n")
    server = start_server("--replay", str(path))
    result = run("client", "-p", str(server.port), "*IDN?", "READ?", "SET 5", "*IDN?")
    verify(result.returncode, EXIT_OK, "SRS-364", note=result.stderr)
    verify(result.stdout, "Acme,1\n1\n\n3\nAcme,1\n", "SRS-364")
    verify(fenced(server.port, [b"SET 5"]), [[]], "SRS-364", note="a command recorded without responses gets none")


@verifies("SRS-364")
def test_replay_gives_a_commands_answers_in_turn_then_the_last_across_clients(start_server, tmp_path):
    path = transcript(tmp_path, "## first\n> n\n< 1\n> other\n< x\n## second\n> n\n< 2\n< 2b\n> n\n< 3\n")
    server = start_server("--replay", str(path))
    result = run("client", "-p", str(server.port), "n", "n", "other")
    verify(result.stdout, "1\n2\n2b\nx\n", "SRS-364", note=result.stderr)
    result = run("client", "-p", str(server.port), "n", "n", "other")
    verify(result.stdout, "3\n3\nx\n", "SRS-364", note="the turns belong to the server, not to a client")


@verifies("SRS-364")
def test_replay_leaves_the_built_ins_to_the_server_and_ignores_settings(start_server, tmp_path):
    path = transcript(tmp_path, "> ping\n< not pong\n@ pause 30\n@ timeout 0.1\n> a\n< 1\n> disconnect\n")
    server = start_server("--replay", str(path))
    with wire.connect(server.port) as conn:
        conn.send(b"ping\na\nping\n")
        verify(conn.recv_lines(3), [b"pong", b"1", b"pong"], "SRS-364")
        conn.send(b"disconnect\n")
        verify(conn.wait_closed(), true(), "SRS-364")


@verifies("SRS-365")
def test_replay_answers_a_command_it_lacks_with_the_failure_response(start_server, tmp_path):
    path = transcript(tmp_path, "> a\n< 1\n> caf\n< caf\n")
    server = start_server("--replay", str(path), "-v")
    result = run("client", "-p", str(server.port), "zz", "a", "A")
    verify(result.returncode, EXIT_OK, "SRS-365", note=result.stderr)
    verify(result.stdout, "error: handler has no recorded answer\n1\nerror: handler has no recorded answer\n",
           "SRS-365")
    server.wait_for_stderr("'zz' -> 1 response (handler has no recorded answer)")
    # Undecodable bytes dropped: "caf" flagged invalid is not the "caf" the transcript sends.
    verify(fenced(server.port, [b"caf\xe9", b"caf"]), [[b"error: handler has no recorded answer"], [b"caf"]],
           "SRS-365")


@verifies("SRS-365", "SRS-367")
def test_replay_takes_the_failure_response_option(start_server, tmp_path):
    path = transcript(tmp_path, "> a\n< 1\n")
    custom = start_server("--replay", str(path), "--failure-response", "ERR {reason}!")
    verify(run("client", "-p", str(custom.port), "b", "a").stdout, "ERR has no recorded answer!\n1\n",
           "SRS-365,SRS-367")
    silent = start_server("--replay", str(path), "--failure-response", "")
    verify(fenced(silent.port, [b"b", b"a"]), [[], [b"1"]], "SRS-365,SRS-367")


@verifies("SRS-366")
@pytest.mark.parametrize("text, line, problem", [
    ("> a\n< 1\n> b\n<~ [0-9]+\n", 4, "a '<~' line cannot be replayed: it says what a response may be, not what "
                                      "to send"),
    ("> a\n<*\n", 2, "a '<*' line cannot be replayed: it does not say which responses to send"),
    ("> a\n< 1\nbogus\n", 3, "a line must start with '>', '<', '<~', '<*', '@', '#' or '##': 'bogus'"),
])
def test_replay_refuses_a_transcript_it_cannot_serve_before_listening(tmp_path, text, line, problem):
    path = transcript(tmp_path, text)
    result = run("server", "--port", "0", "--replay", str(path))
    verify(result.returncode, EXIT_USAGE, "SRS-366", note=result.stderr)
    verify(result.stderr, f"oneline server: --replay: {path}:{line}: {problem} (see 'oneline server --help')\n",
           "SRS-366", note="one line naming FILE:LINE, and nothing about listening")


@verifies("SRS-366")
def test_replay_of_a_file_that_cannot_be_read_exits_1(tmp_path):
    path = tmp_path / "absent.txt"
    result = run("server", "--port", "0", "--replay", str(path))
    verify(result.returncode, EXIT_FAILURE, "SRS-366", note=result.stderr)
    verify(result.stderr, f"oneline server: --replay: {path}: cannot be opened: No such file or directory\n",
           "SRS-366")


@verifies("SRS-367")
@pytest.mark.parametrize("other, message", [
    (["--echo"], "--echo excludes --replay"),
    (["--exec", "cat"], "--exec excludes --replay"),
    (["--handler", "cat"], "--handler excludes --replay"),
    (["--device", "test/devices/power_supply.yaml"], "--device excludes --replay"),
    (["--exec-timeout", "2"], "--exec-timeout requires --exec or --handler"),
])
def test_replay_goes_with_no_other_behaviour(tmp_path, other, message):
    path = transcript(tmp_path, "> a\n< 1\n")
    result = run("server", "--port", "0", "--replay", str(path), *other)
    verify(result.returncode, EXIT_USAGE, "SRS-367", note=result.stderr)
    verify(result.stderr, includes(message), "SRS-367")
    verify(result.stderr, is_not(includes("listening")), "SRS-367")


@verifies("SRS-368")
def test_faults_apply_to_replay(start_server, tmp_path):
    long = "a long enough recorded response"
    path = transcript(tmp_path, f"> a\n< {long}\n> b\n< B\n")
    dropped = start_server("--replay", str(path), "--fault", "drop=1", "-v")
    verify(fenced(dropped.port, [b"a", b"b"]), [[], []], "SRS-368")
    dropped.wait_for_stderr("fault: command 2's 1 response dropped")
    cut = start_server("--replay", str(path), "--fault", "truncate=1", "--fault-seed", "3")
    ((answer,),) = fenced(cut.port, [b"a"])
    verify(len(answer), less_than(len(long)), "SRS-368")
    verify(long.encode().startswith(answer), true(), "SRS-368", note=answer)
    closing = start_server("--replay", str(path), "--fault", "close-after=1")
    with wire.connect(closing.port) as conn:
        conn.send(b"b\na\n")
        verify(conn.recv_line(), b"B", "SRS-368")
        verify(conn.wait_closed(), true(), "SRS-368")
        verify(conn.buffer, b"", "SRS-368", note="the command after the Nth was answered")


# --- the round trips through `oneline check` ---------------------------------------------------------------------

@needs_check
@verifies("SRS-369")
def test_a_recorded_session_checks_against_the_server_it_was_recorded_from(start_server, tmp_path):
    server = start_server("--exec", SHAPES)
    path = tmp_path / "session.txt"
    result = record(server.port, path, "a", "b", "empty", "x y")
    verify(result.returncode, EXIT_OK, "SRS-369", note=result.stderr)
    checked = run("check", "-p", str(server.port), str(path))
    verify(checked.returncode, EXIT_OK, "SRS-369", note=checked.stdout + checked.stderr)
    other = start_server("--echo")
    checked = run("check", "-p", str(other.port), str(path))
    verify(checked.returncode, EXIT_FAILURE, "SRS-369", note="a server that answers otherwise passed")


@needs_check
@verifies("SRS-369")
def test_a_replayed_session_checks_against_the_replay(start_server, tmp_path):
    counter = start_server("--handler", COUNTER, cwd=test_cli.ROOT)
    path = tmp_path / "counted.txt"
    result = record(counter.port, path, "n", "n", "m", "n")
    verify(result.returncode, EXIT_OK, "SRS-369", note=result.stderr)
    verify(path.read_text(), header(counter.port) + "> n\n< n\n< 1\n> n\n< n\n< 2\n> m\n< m\n< 3\n> n\n< n\n< 4\n",
           "SRS-369", note="the answers that the replay must give in turn")
    replay = start_server("--replay", str(path))
    checked = run("check", "-p", str(replay.port), str(path))
    verify(checked.returncode, EXIT_OK, "SRS-369", note=checked.stdout + checked.stderr)
    verify(os.path.exists(str(path) + ".partial"), false(), "SRS-369")
