"""Test protocols: the command-line tool's usage, help, version, bad arguments and --exec safety."""

import re
import socket

import pytest

import wire

SUBCOMMANDS = ("server", "client", "ping", "shutdown")


@pytest.mark.protocol("tp-022", "--version and --help on the tool and every subcommand")
def test_version_and_help(tp, oneline):
    with tp.step("--version"):
        result = oneline("--version")
        tp.check("SRS-039", "prints a version number and exits 0", "exit 0, N.N.N", result,
                 result.returncode == 0 and re.search(r"\d+\.\d+\.\d+", result.stdout) is not None)
    with tp.step("--help"):
        result = oneline("--help")
        tp.check("SRS-039", "the tool's help lists every subcommand, exit 0", "exit 0, " + ", ".join(SUBCOMMANDS),
                 result, result.returncode == 0 and all(name in result.stdout for name in SUBCOMMANDS))
    for name in SUBCOMMANDS:
        with tp.step(f"{name} --help"):
            result = oneline(name, "--help")
            tp.check("SRS-039", f"`{name} --help` shows its options, exit 0", "exit 0, mentions --port", result,
                     result.returncode == 0 and "--port" in result.stdout)


@pytest.mark.protocol("tp-023", "Bad usage exits 2 with one clear message, never a hang")
def test_bad_usage(tp, oneline):
    cases = [
        (["server", "-p", "70000"], "a port out of range"),
        (["server", "-p", "abc"], "a port that is not a number"),
        (["client", "-p", "-1", "x"], "a negative port"),
        (["nosuchcommand"], "an unknown subcommand"),
        (["server", "--echo", "--exec", "true"], "--echo with --exec"),
        (["server", "--no-such-option"], "an unknown option"),
        (["ping", "-t", "0"], "a zero timeout"),
    ]
    for argv, what in cases:
        with tp.step(" ".join(argv)):
            result = oneline(*argv, timeout=10)
            tp.check("SRS-036", f"{what}: exit 2 with a message on stderr", "exit 2, stderr not empty", result,
                     result.returncode == 2 and result.stderr.strip() != "" and result.seconds < 5)
    with tp.step("no subcommand"):
        result = oneline(timeout=10)
        tp.check("SRS-036", "no subcommand is bad usage", "exit 2", result, result.returncode == 2)


@pytest.mark.protocol("tp-024", "--exec passes the command as \"$1\", never as shell text")
def test_exec_safety(tp, oneline_server, tmp_path):
    marker = tmp_path / "marker"
    server = oneline_server("--exec", 'printf "[%s]\\n" "$1"')
    tricky = [
        f"a; touch {marker}",
        f"$(touch {marker})",
        f"`touch {marker}`",
        f"' \" ; | & > {marker}",
        "-n",
        "  two  spaces  ",
        "*",
    ]
    with wire.connect(server.port) as conn:
        for command in tricky:
            with tp.step(f"command {command!r}"):
                conn.send(command.encode() + b"\n")
                tp.check("SRS-037", "arrives intact as $1", f"[{command}]".encode(), conn.recv_line(5))
        with tp.step("the empty command"):
            conn.send(b"\n")
            tp.check("SRS-037", "reaches CMD as an empty $1", b"[]", conn.recv_line(5))
    with tp.step("nothing the commands spelled out was run"):
        tp.check("SRS-037", "the marker file was never created", False, marker.exists())


# Usage errors and the exact line each one prints: (argv, the line without its 0x0A). Every subcommand and
# every kind of value is here: seconds, whole numbers, ports, addresses, text, unknown words.
def _see(command):
    return f" (see '{command} --help')"


USAGE_ERRORS = [
    (["client", "-t", "0", "x"], "oneline client: -t,--timeout: '0' is not a number of seconds > 0"),
    (["client", "-t", "abc", "x"], "oneline client: -t,--timeout: 'abc' is not a number of seconds > 0"),
    (["client", "-t", "-1", "x"], "oneline client: -t,--timeout: '-1' is not a number of seconds > 0"),
    (["client", "-t", "inf", "x"], "oneline client: -t,--timeout: 'inf' is not a number of seconds > 0"),
    (["client", "-t"], "oneline client: -t,--timeout: SECONDS is missing"),
    (["client", "-n", "-1", "x"], "oneline client: -n,--responses: '-1' is not a number of responses 0..1000000"),
    (["client", "-n", "2000000", "x"], "oneline client: -n,--responses: '2000000' is more than 1000000 responses"),
    (["client", "--max-line", "0"], "oneline client: --max-line: '0' is not a number of bytes 1..1099511627776"),
    (["client", "-p", "abc", "x"], "oneline client: -p,--port: 'abc' is not a port number 1..65535"),
    (["client", "-p", "0", "x"],
     "oneline client: -p,--port: '0' is not a port number 1..65535; only a server can use 0"),
    (["client", "-a", "", "x"], "oneline client: -a,--address: '' is not an IPv4/IPv6 address or host name"),
    (["client", "--tiemout=5", "x"], "oneline client: unknown option '--tiemout'; did you mean '--timeout'?"),
    (["ping", "-p", "0"], "oneline ping: -p,--port: '0' is not a port number 1..65535; only a server can use 0"),
    (["ping", "-t", "0"], "oneline ping: -t,--timeout: '0' is not a number of seconds > 0"),
    (["ping", "-a", ""], "oneline ping: -a,--address: '' is not an IPv4/IPv6 address or host name"),
    (["ping", "foo"], "oneline ping: unexpected argument 'foo'"),
    (["ping", "--bogus"], "oneline ping: unknown option '--bogus'"),
    (["shutdown", "-p", "0"],
     "oneline shutdown: -p,--port: '0' is not a port number 1..65535; only a server can use 0"),
    (["shutdown", "-t", "abc"], "oneline shutdown: -t,--timeout: 'abc' is not a number of seconds > 0"),
    (["server", "--idle-timeout", "-1"], "oneline server: --idle-timeout: '-1' is not a number of seconds >= 0"),
    (["server", "--exec-timeout", "0"], "oneline server: --exec-timeout: '0' is not a number of seconds > 0"),
    (["server", "-p", "abc"], "oneline server: -p,--port: 'abc' is not a port number 0..65535"),
    (["server", "-p", "70000"], "oneline server: -p,--port: '70000' is not a port number 0..65535"),
    (["server", "-a", ""], "oneline server: -a,--address: '' is not an IPv4/IPv6 address or host name"),
    (["server", "--max-line", "0"], "oneline server: --max-line: '0' is not a number of bytes 1..1099511627776"),
    (["server", "--echo", "--exec", "true"], "oneline server: --echo excludes --exec"),
    (["server", "--exec", "  "], "oneline server: --exec: CMD is empty"),
    (["server", "--failure-response", "x"],
     "oneline server: --failure-response requires --exec, --handler or --replay"),
    (["server", "--exec-timeout", "1"], "oneline server: --exec-timeout requires --exec or --handler"),
    (["server", "--exec", "oneline-no-such-program"],
     "oneline server: --exec: program 'oneline-no-such-program' not found"),
    (["client", "disconnect", "x"], "oneline client: 'x' comes after 'disconnect' and would never be answered"),
    (["client", "a\nb"], "oneline client: a command cannot contain a line feed (0x0A ends a command)"),
    (["server", "--exec", "true", "--failure-response", "a\nb"],
     "oneline server: --failure-response: a line feed cannot be part of it (0x0A ends a line)"),
    (["server", "--exec-timout", "3"],
     "oneline server: unknown option '--exec-timout'; did you mean '--exec-timeout'?"),
    (["bench", "-p", "0"], "oneline bench: -p,--port: '0' is not a port number 1..65535; only a server can use 0"),
    (["bench", "-n", "-1"], "oneline bench: -n,--count: '-1' is not a number of round trips 1..1000000000"),
    (["bench", "--churn", "0"], "oneline bench: --churn: '0' is not a number of cycles 1..1000000000"),
    (["bench", "--command", "a\nb"], "oneline bench: --command: a line feed cannot be part of it (0x0A ends a line)"),
    (["clinet"], "oneline: 'clinet' is not a subcommand; did you mean 'client'?"),
    (["shutdwn"], "oneline: 'shutdwn' is not a subcommand; did you mean 'shutdown'?"),
    (["serv"], "oneline: 'serv' is not a subcommand; did you mean 'server'?"),
    (["xyz"], "oneline: 'xyz' is not a subcommand"),
    (["--bogus"], "oneline: unknown option '--bogus'"),
    ([], "oneline: a subcommand is required: server, client, ping, shutdown, check, bench"),
]

SRS_OF_CASE = {  # besides SRS-100, which every case verifies
    "unknown": "SRS-103", "subcommand": "SRS-103", "unexpected": "SRS-103",
    "port": "SRS-102", "address": "SRS-102",
}


def _usage_srs(expected):
    """The requirements a usage case verifies, from the words of its message."""
    srs = ["SRS-100"]
    for word, extra in SRS_OF_CASE.items():
        if word in expected and extra not in srs:
            srs.append(extra)
    if "is not a number" in expected or "is more than" in expected or "is missing" in expected:
        srs.append("SRS-101")
    return srs


@pytest.mark.protocol("tp-100", "Each usage error is one exact line naming the option and the subcommand's --help")
def test_usage_error_lines(tp, oneline):
    listener = socket.socket()  # a live port: a usage error must never connect to it
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = str(listener.getsockname()[1])
    try:
        for argv, line in USAGE_ERRORS:
            # A client, ping, shutdown or bench with a usage error aims at the live port, unless it names its own.
            aimed = list(argv)
            if argv and argv[0] in ("client", "ping", "shutdown", "bench") and "-p" not in argv:
                aimed[1:1] = ["-p", port]
            with tp.step(repr(" ".join(aimed))):
                result = oneline(*aimed, timeout=10)
                command = line.split(":")[0]
                expected = line + _see(command) + "\n"
                tp.check(_usage_srs(line), "exit 2, nothing on stdout, exactly this line on stderr",
                         f"exit 2, {expected!r}", result,
                         result.returncode == 2 and result.stdout == "" and result.stderr == expected)
        with tp.step("none of them connected to the live port"):
            try:
                accepted, _ = listener.accept()
                accepted.close()
                connected = True
            except BlockingIOError:
                connected = False
            tp.check("SRS-100", "a usage error does nothing: no connection was made", False, connected)
    finally:
        listener.close()


def _help_line(text, option):
    """The line of a --help text that describes `option` (e.g. "-t,--timeout"), or ''."""
    for line in text.splitlines():
        if line.strip().startswith(option + " ") or line.strip() == option:
            return line.strip()
    return ""


@pytest.mark.protocol("tp-101", "--help shows each option's value, rule and default, and says what it does there")
def test_help_texts(tp, oneline):
    expectations = [
        ("server", "-p,--port", "-p,--port PORT", "(0..65535, default 5001)"),
        ("server", "--exec-timeout", "--exec-timeout SECONDS", "only with --exec or --handler (> 0, default 30)"),
        ("server", "--idle-timeout", "--idle-timeout SECONDS", "(>= 0, default 0)"),
        ("server", "--max-line", "--max-line BYTES", "(1..1099511627776, default 1048576)"),
        ("server", "--failure-response", "--failure-response TEXT",
         "only with --exec, --handler or --replay (default 'error: handler {reason}')"),
        ("server", "--echo", "--echo", "(not with --exec, not with --handler, not with --device, not with --replay)"),
        ("server", "-v,--verbose", "-v,--verbose", "-vv: with timings"),
        ("client", "-p,--port", "-p,--port PORT", "(1..65535, default 5001)"),
        ("client", "-t,--timeout", "-t,--timeout SECONDS", "for each response and for the server to close (> 0, "
                                                           "default 5)"),
        ("client", "-n,--responses", "-n,--responses RESPONSES", "(0..1000000)"),
        ("ping", "-p,--port", "-p,--port PORT", "(1..65535, default 5001)"),
        ("ping", "-t,--timeout", "-t,--timeout SECONDS", "for the connection and for each answer (> 0, default 5)"),
        ("shutdown", "-p,--port", "-p,--port PORT", "(1..65535, default 5001)"),
        ("shutdown", "-t,--timeout", "-t,--timeout SECONDS",
         "for the connection and for the server to close it (> 0, default 5)"),
        ("bench", "-n,--count", "-n,--count COUNT", "(1..1000000000, default 20000)"),
    ]
    texts = {}
    for name, option, start, end in expectations:
        with tp.step(f"{name} --help: {option}"):
            if name not in texts:
                result = oneline(name, "--help")
                texts[name] = result.stdout if result.returncode == 0 else ""
            line = _help_line(texts[name], option)
            tp.check("SRS-104", f"the {option} line names its value and ends with its rule and default",
                     f"{start} ... {end}", line, line.startswith(start) and line.endswith(end))
    with tp.step("no CLI11 type names or raw ranges are left"):
        leftovers = [f"{name}: {word}" for name, text in texts.items()
                     for word in (r"\bFLOAT\b", r"\bUINT\b", r"\bINT\b", "POSITIVE", "NONNEGATIVE", "Excludes:",
                                  r"in \[")
                     if re.search(word, text)]
        tp.check("SRS-104", "help speaks in the tool's words only", [], leftovers)
    with tp.step("shutdown -t does not speak of answers"):
        timeout_line = _help_line(texts["shutdown"], "-t,--timeout")
        tp.check("SRS-104", "shutdown gets no answer to wait for", False, "answer" in timeout_line)


@pytest.mark.protocol("tp-102", "A long command is cut to 60 bytes and its length wherever a message repeats it")
def test_long_command_is_cut_in_messages(tp, oneline, oneline_server):
    big = "a" * 2_000_000
    cut = "'" + "a" * 60 + "...' (2000000 bytes)"
    server = oneline_server()
    with tp.step("a 2 MB command the server drops (its --max-line is 1 MiB)"):
        result = oneline("client", "-p", str(server.port), "--max-line", "4000000", stdin_text=big + "\n", timeout=20)
        tp.check("SRS-105", "exit 1 and one short line that quotes the command cut", f"exit 1, ... {cut}", result,
                 result.returncode == 1 and result.stderr.endswith(f" {cut}\n") and result.stderr.count("\n") == 1
                 and len(result.stderr) < 200)
    handler = oneline_server("-v", "--max-line", "3000000", "--exec", "exit 3")
    with tp.step("a 100 kB command whose --exec handler fails: the server's stderr and log"):
        command = "b" * 100_000
        result = oneline("client", "-p", str(handler.port), "--max-line", "200000", stdin_text=command + "\n")
        tp.check("SRS-105", "the client gets the failure response", "exit 0, error: handler exited with status 3",
                 result, result.returncode == 0 and result.stdout == "error: handler exited with status 3\n")
        shown = "'" + "b" * 60 + "...' (100000 bytes)"
        found = handler.wait_for(re.escape(f"oneline server: --exec: the program for {shown} exited with status 3"))
        tp.check("SRS-105", "the report on stderr quotes it cut", shown, found.string if found else None,
                 found is not None)
        found = handler.wait_for(re.escape(f"oneline srvr: {shown} -> 1 response (handler exited with status 3)"))
        tp.check(["SRS-105", "SRS-106"], "the log line quotes it cut", shown, found.string if found else None,
                 found is not None)
        longest = max(len(text) for _, text in handler.lines)
        tp.check("SRS-105", "no line of the server's output repeats the command whole", "< 300", longest,
                 longest < 300)
