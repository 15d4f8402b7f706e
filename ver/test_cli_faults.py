"""`oneline server --fault KIND=VALUE --fault-seed N`: responses delayed, dropped or cut short, the connection
closed, reset or stalled after a client's Nth command, on purpose; built-ins never faulted, the order kept, the
same faults for the same seed, each fault logged with -v, bad kinds and values refused with exit 2.

The real binary (port 0) against plain sockets, with --echo and --exec, and `oneline client` in its exact mode.
"""

import time

import pytest
from hamcrest import greater_than_or_equal_to, is_not, less_than, matches_regexp, none

import test_cli
import wire
from test_cli import EXIT_OK, EXIT_USAGE, run, verifies
from verify import true, verify

QUIET = 0.3  # seconds to see that nothing comes


start_server = test_cli.start_server  # the fixture, shared


def fenced_answers(port, commands):
    """Sends each command followed by `ping`; returns what came before each `pong`, joined by '|'."""
    return [b"|".join(lines) for lines in wire.fenced(port, commands)]


def numbered(count, stem=b"command "):
    return [stem + str(i).encode() for i in range(1, count + 1)]


@verifies("SRS-320", "SRS-329")
def test_delay_holds_the_responses_in_order_with_the_pong_behind_them(start_server):
    server = start_server("--echo", "-v", "--fault", "delay=200", "--fault-seed", "1")
    with wire.connect(server.port) as conn:
        began = time.monotonic()
        conn.send(b"first\nping\nsecond\n")
        verify(conn.recv_line(), b"first", "SRS-320,SRS-329")
        verify(time.monotonic() - began, greater_than_or_equal_to(0.19), "SRS-320,SRS-329",
               note="the response came before its delay")
        verify(conn.recv_lines(2), [b"pong", b"second"], "SRS-320,SRS-329")
    server.wait_for_stderr("fault: command 1's responses held 200 ms")


@verifies("SRS-320", "SRS-329")
def test_delay_applies_to_exec_and_keeps_the_tools_exact_mode(start_server):
    server = start_server("--exec", 'echo "ok $1"', "--fault", "delay=50-150", "--fault-seed", "2")
    began = time.monotonic()
    result = run("client", "-p", str(server.port), "one", "two")
    verify(result.returncode, EXIT_OK, "SRS-320,SRS-329", note=result.stderr)
    verify(result.stdout, "ok one\nok two\n", "SRS-320,SRS-329")
    verify(time.monotonic() - began, greater_than_or_equal_to(0.1), "SRS-320,SRS-329",
           note="two commands held at least 50 ms each")


@verifies("SRS-321", "SRS-329")
def test_drop_loses_every_response_of_a_command(start_server):
    server = start_server("--echo", "-v", "--fault", "drop=1")
    verify(fenced_answers(server.port, [b"a", b"b"]), [b"", b""], "SRS-321,SRS-329")
    server.wait_for_stderr("fault: command 2's 1 response dropped")


@verifies("SRS-322", "SRS-329")
def test_truncate_cuts_responses_short_and_still_ends_them(start_server):
    server = start_server("--echo", "--fault", "truncate=1", "--fault-seed", "3")
    commands = numbered(10, b"a long enough response ")
    for command, answer in zip(commands, fenced_answers(server.port, commands)):
        verify(len(answer) < len(command) and command.startswith(answer), true(), "SRS-322,SRS-329",
               note=(command, answer))


@verifies("SRS-322", "SRS-329")
def test_truncate_applies_to_exec_responses(start_server):
    server = start_server("--exec", 'echo "an answer from the program to $1"', "--fault", "truncate=1")
    (answer,) = fenced_answers(server.port, [b"x"])
    verify(len(answer), less_than(len(b"an answer from the program to x")), "SRS-322,SRS-329")
    verify(b"an answer from the program to x".startswith(answer), true(), "SRS-322,SRS-329")


@verifies("SRS-323", "SRS-329")
def test_close_after_ends_the_stream_after_the_nth_commands_responses(start_server):
    server = start_server("--echo", "-v", "--fault", "close-after=2")
    with wire.connect(server.port) as conn:
        conn.send(b"one\nping\ntwo\nthree\nping\n")
        verify(conn.recv_lines(3), [b"one", b"pong", b"two"], "SRS-323,SRS-329")
        verify(conn.wait_closed(), true(), "SRS-323,SRS-329", note="the connection stayed open")
        verify(conn.buffer == b"" and not conn.reset, true(), "SRS-323,SRS-329",
               note="a reset, or more after the Nth command")
    server.wait_for_stderr("closed by a fault (close-after)")
    verify(fenced_answers(server.port, [b"again"]), [b"again"], "SRS-323,SRS-329",
           note="each client counts its own commands")


@verifies("SRS-324", "SRS-329")
def test_reset_after_resets_the_connection(start_server):
    server = start_server("--echo", "-v", "--fault", "reset-after=1")
    with wire.connect(server.port) as conn:
        conn.send(b"one\ntwo\n")
        verify(conn.wait_closed(), true(), "SRS-324,SRS-329")
        verify(conn.reset, true(), "SRS-324,SRS-329", note="an orderly end of stream instead of a reset")
    server.wait_for_stderr("reset by a fault (reset-after)")


@verifies("SRS-325", "SRS-329")
def test_stall_after_answers_nothing_more_until_the_idle_timeout(start_server):
    server = start_server("--echo", "-v", "--fault", "stall-after=1", "--idle-timeout", "0.5")
    with wire.connect(server.port) as conn:
        conn.send(b"one\n")
        verify(conn.recv_line(), b"one", "SRS-325,SRS-329")
        conn.send(b"ping\n")
        verify(conn.recv_line(QUIET), none(), "SRS-325,SRS-329", note="a stalled server answered")
        verify(conn.wait_closed(), true(), "SRS-325,SRS-329", note="the idle timeout did not drop the stalled client")
    server.wait_for_stderr("stalled by a fault (stall-after)")


@verifies("SRS-326")
def test_builtins_are_never_faulted(start_server):
    server = start_server("--echo", "--fault", "drop=1", "--fault", "truncate=1", "--fault", "close-after=1",
                          "--fault", "delay=5000")
    with wire.connect(server.port) as conn:
        began = time.monotonic()
        conn.send(b"ping\nping\nping\n")
        verify(conn.recv_lines(3), [b"pong"] * 3, "SRS-326")
        verify(time.monotonic() - began, less_than(5), "SRS-326", note="a pong with nothing before it was held")
        conn.send(b"disconnect\n")
        verify(conn.wait_closed() and not conn.reset, true(), "SRS-326")


@verifies("SRS-327")
def test_the_same_seed_gives_the_same_faults_for_the_same_commands(start_server):
    faults = ["--echo", "--fault", "drop=0.3", "--fault", "truncate=0.3"]
    commands = numbered(30, b"the same command, number ")
    first = fenced_answers(start_server(*faults, "--fault-seed", "9").port, commands)
    again = fenced_answers(start_server(*faults, "--fault-seed", "9").port, commands)
    other = fenced_answers(start_server(*faults, "--fault-seed", "10").port, commands)
    verify(first, again, "SRS-327", note="the same seed gave other faults")
    verify(first, is_not(other), "SRS-327", note="another seed gave the same faults")
    verify(first, is_not(commands), "SRS-327", note="no fault at all")


@verifies("SRS-327", "SRS-329")
def test_without_a_seed_the_one_drawn_is_logged(start_server):
    server = start_server("--echo", "-v", "--fault", "drop=0.5")
    fenced_answers(server.port, [b"x"])
    server.wait_for_stderr("faults on for this client, seed ")
    verify(server.stderr(), matches_regexp(r"faults on for this client, seed \d+\n"), "SRS-327,SRS-329")


@verifies("SRS-328")
@pytest.mark.parametrize("option, value, named", [
    ("--fault", "bogus=1", "'bogus'"),
    ("--fault", "delay", "'delay'"),
    ("--fault", "delay=-5", "'-5'"),
    ("--fault", "delay=5-1", "'5-1'"),
    ("--fault", "delay=soon", "'soon'"),
    ("--fault", "delay=3600001", "'3600001'"),
    ("--fault", "drop=1.5", "'1.5'"),
    ("--fault", "drop=-0.1", "'-0.1'"),
    ("--fault", "truncate=nan", "'nan'"),
    ("--fault", "close-after=0", "'0'"),
    ("--fault", "reset-after=x", "'x'"),
    ("--fault", "stall-after=-1", "'-1'"),
    ("--fault-seed", "abc", "'abc'"),
])
def test_a_bad_fault_is_a_usage_error_naming_it(option, value, named):
    result = run("server", "--port", "0", option, value)
    verify(result.returncode, EXIT_USAGE, "SRS-328", note=result.stderr)
    lines = result.stderr.splitlines()
    verify(len(lines) == 1 and option in lines[0] and named in lines[0], true(), "SRS-328", note=result.stderr)
