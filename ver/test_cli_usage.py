"""Test protocols: the command-line tool's usage, help, version, bad arguments and --exec safety."""

import re

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
