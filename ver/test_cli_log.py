"""Test protocols: `oneline server -v`'s line per command, and the response a failed --exec handler sends."""

import re

import pytest

import wire


def _logged(tp, server, srs, description, line, start=0):
    """Checks that the server prints exactly `line` (a whole line) after output position `start`."""
    found = server.wait_for("^" + re.escape(line) + "$", 5, start=start)
    tp.check(srs, description, line, found.string if found else server.output()[-400:], found is not None)


@pytest.mark.protocol("tp-103", "server -v logs each command, its invalid flag and its responses, in every mode")
def test_command_log(tp, oneline_server):
    echo = oneline_server("-v", "--echo")
    with wire.connect(echo.port) as conn:
        with tp.step("--echo: caf\\xc3 (an undecodable byte)"):
            conn.send(b"caf\xc3\n")
            tp.check("SRS-106", "the answer is what remains of the command", b"caf", conn.recv_line(5))
            _logged(tp, echo, "SRS-106", "logged as flagged invalid, with one response",
                    "oneline srvr: 'caf' (invalid: undecodable bytes dropped) -> 1 response")
        with tp.step("--echo: a plain command"):
            conn.send(b"hello there\n")
            tp.check("SRS-106", "echoed", b"hello there", conn.recv_line(5))
            _logged(tp, echo, "SRS-106", "logged without a flag", "oneline srvr: 'hello there' -> 1 response")
        with tp.step("--echo: control bytes"):
            conn.send(b"\x1b[31mred\tx\n")
            tp.check("SRS-106", "echoed as sent", b"\x1b[31mred\tx", conn.recv_line(5))
            _logged(tp, echo, "SRS-106", "logged with the control bytes written as \\xNN",
                    "oneline srvr: '\\x1b[31mred\\x09x' -> 1 response")
        with tp.step("built-in commands are logged too, one line each: ping with its pong"):
            mark = echo.mark()
            conn.send(b"ping\nlast\n")
            tp.check("SRS-106", "pong, then the echo", [b"pong", b"last"], conn.recv_lines(2))
            _logged(tp, echo, "SRS-106", "ping is logged as a built-in",
                    "oneline srvr: 'ping' -> 1 response (built-in)", mark)
            _logged(tp, echo, "SRS-106", "the next command is logged", "oneline srvr: 'last' -> 1 response", mark)
            pings = [text for _, text in echo.lines[mark:] if "'ping'" in text]
            tp.check("SRS-106", "one line for the one ping", ["oneline srvr: 'ping' -> 1 response (built-in)"], pings)
        with tp.step("disconnect is logged in one line, by the close"):
            mark = echo.mark()
            conn.send(b"disconnect\n")
            conn.wait_closed(5)
            found = echo.wait_for(r"^oneline srvr: client \S+ sent disconnect$", 5, start=mark)
            tp.check("SRS-106", "one line says the client sent disconnect", "client ADDRESS:PORT sent disconnect",
                     found.string if found else echo.output()[-400:], found is not None)

    lines = oneline_server("-v", "--exec", 'printf "one\\ntwo\\n"')
    with tp.step("--exec printing two lines"):
        with wire.connect(lines.port) as conn:
            conn.send(b"x\n")
            tp.check("SRS-106", "two responses", [b"one", b"two"], conn.recv_lines(2))
        _logged(tp, lines, "SRS-106", "the count is plural", "oneline srvr: 'x' -> 2 responses")

    silent = oneline_server("-v", "--exec", "true")
    with tp.step("--exec printing nothing, successfully"):
        with wire.connect(silent.port) as conn:
            conn.send(b"quiet\nping\n")
            tp.check("SRS-106", "no response, then pong", b"pong", conn.recv_line(5))
        _logged(tp, silent, "SRS-106", "zero responses logged", "oneline srvr: 'quiet' -> 0 responses")

    timed = oneline_server("-vv", "--exec", 'echo "$1"')
    with tp.step("-vv adds the time each command took"):
        with wire.connect(timed.port) as conn:
            conn.send(b"t\n")
            tp.check("SRS-106", "answered", b"t", conn.recv_line(5))
        found = timed.wait_for(r"^oneline srvr: 't' -> 1 response in \d+\.\d{3} ms$", 5)
        tp.check("SRS-106", "the line ends with the time in ms", "'t' -> 1 response in N.NNN ms",
                 found.string if found else timed.output()[-400:], found is not None)

    quiet = oneline_server("--echo")
    with tp.step("without -v no command is logged"):
        with wire.connect(quiet.port) as conn:
            conn.send(b"secret\n")
            tp.check("SRS-106", "echoed", b"secret", conn.recv_line(5))
            conn.send(b"disconnect\n")
            conn.wait_closed(5)
        seen = quiet.wait_for("secret", 0.2)
        tp.check("SRS-106", "the command appears nowhere on stderr", None, seen.string if seen else None)


@pytest.mark.protocol("tp-104", "A failed --exec handler is answered with the failure response")
def test_failure_responses(tp, oneline, oneline_server):
    killed = oneline_server("-v", "--exec", "sleep 5", "--exec-timeout", "1")
    with tp.step("--exec 'sleep 5' --exec-timeout 1"):
        result = oneline("client", "-p", str(killed.port), "x")
        tp.check("SRS-107", "the client prints the failure response, exit 0", "error: handler timed out after 1 s",
                 result, result.returncode == 0 and result.stdout == "error: handler timed out after 1 s\n"
                 and 0.9 < result.seconds < 4)
        _logged(tp, killed, ["SRS-106", "SRS-107"], "the log says why",
                "oneline srvr: 'x' -> 1 response (handler timed out after 1 s)")

    partial = oneline_server("--exec", "echo partial; sleep 5", "--exec-timeout", "0.5")
    with tp.step("a handler killed after printing a line"):
        with wire.connect(partial.port) as conn:
            conn.send(b"x\nping\n")
            tp.check("SRS-107", "its line, then the failure response, then the next answer",
                     [b"partial", b"error: handler timed out after 0.5 s", b"pong"], conn.recv_lines(3))

    status = oneline_server("-v", "--exec", "exit 3")
    with tp.step("--exec 'exit 3'"):
        result = oneline("client", "-p", str(status.port), "x")
        tp.check("SRS-108", "the client prints the failure response, exit 0", "error: handler exited with status 3",
                 result, result.returncode == 0 and result.stdout == "error: handler exited with status 3\n")
        _logged(tp, status, ["SRS-106", "SRS-108"], "the log says why",
                "oneline srvr: 'x' -> 1 response (handler exited with status 3)")

    signalled = oneline_server("--exec", "kill -9 $$")
    with tp.step("a handler killed by a signal"):
        with wire.connect(signalled.port) as conn:
            conn.send(b"x\n")
            tp.check("SRS-108", "says which signal", b"error: handler was killed by signal 9", conn.recv_line(5))

    printed = oneline_server("-v", "--exec", "echo out; exit 4")
    with tp.step("a handler that printed, then exited with status 4"):
        with wire.connect(printed.port) as conn:
            conn.send(b"x\nping\n")
            tp.check("SRS-108", "its output only, then the next answer", [b"out", b"pong"], conn.recv_lines(2))
        _logged(tp, printed, ["SRS-106", "SRS-108"], "the log still says it failed",
                "oneline srvr: 'x' -> 1 response (handler exited with status 4)")

    custom = oneline_server("--exec", "exit 3", "--failure-response", "ERR[{reason}] {reason}!")
    with tp.step("--failure-response with {reason} twice"):
        with wire.connect(custom.port) as conn:
            conn.send(b"x\n")
            tp.check("SRS-109", "each {reason} replaced", b"ERR[exited with status 3] exited with status 3!",
                     conn.recv_line(5))

    fixed = oneline_server("--exec", "sleep 5", "--exec-timeout", "0.3", "--failure-response", "busy")
    with tp.step("--failure-response without a placeholder"):
        with wire.connect(fixed.port) as conn:
            conn.send(b"x\n")
            tp.check("SRS-109", "sent as it is", b"busy", conn.recv_line(5))

    silenced = oneline_server("-v", "--exec", "exit 3", "--failure-response", "")
    with tp.step("--failure-response ''"):
        with wire.connect(silenced.port) as conn:
            conn.send(b"x\nping\n")
            tp.check("SRS-109", "no response for the failed command: the next line is pong", b"pong",
                     conn.recv_line(5))
        _logged(tp, silenced, "SRS-109", "logged with zero responses",
                "oneline srvr: 'x' -> 0 responses (handler exited with status 3)")
