"""Test protocols: abrupt clients, vanished clients, idle timeout, prompt stop, bind errors."""

import select
import signal
import socket
import time

import pytest

import wire
from checks import check_answers, check_logged, check_served

# What the server logs when it drops a client for any reason (closed, reset, error, timeout).
DROPPED = r"client .*(closed|reset|error|failed|sent nothing|longer than)"


def idle_window(conn, seconds):
    """Lets `seconds` pass on purpose (a measurement window, not a wait for an event); True when `conn`
    stayed silent and open all along."""
    ready, _, _ = select.select([conn.sock], [], [], seconds)
    return not ready


@pytest.mark.protocol("tp-012", "A client that closes or resets mid-command is cleaned up")
def test_abrupt_close(tp, oneline_server):
    server = oneline_server("-v")
    with tp.step("client sends half a command and resets the connection"):
        mark = server.mark()
        first = wire.connect(server.port)
        check_answers(tp, first, [("SRS-018", "the client is served", b"ping\n", b"pong")])
        first.send(b"pin")
        first.abort()
        check_logged(tp, server, "SRS-018", "the server notices and logs the reset", DROPPED,
                     "a log line on the dropped client", start=mark)
    with tp.step("next client: the partial command was discarded"):
        with wire.connect(server.port) as second:
            check_answers(tp, second, [("SRS-018", "`pin` + `g` is not taken for `ping`", b"g\n", b"g")])
            second.send(b"half")
            mark = server.mark()
        check_logged(tp, server, "SRS-018", "an orderly close mid-command is logged", DROPPED,
                     "a log line on the dropped client", start=mark)
    with tp.step("with no client, the server does not spin"):
        with wire.connect(server.port) as probe:
            check_answers(tp, probe, [("SRS-018", "the server serves the next client", b"ping\n", b"pong")])
            before = server.cpu_seconds()
            idle_window(probe, 0.5)
            used = server.cpu_seconds() - before
        tp.check("SRS-018", "CPU time used in 0.5 s while idle", "< 0.1 s", f"{used:.2f} s", used < 0.1)


@pytest.mark.protocol("tp-013", "Writing to a vanished client never kills the server")
def test_vanished_client(tp, oneline_server):
    server = oneline_server("-v")
    with tp.step("client floods commands without reading responses, then resets"):
        mark = server.mark()
        flood = wire.connect(server.port)
        flood.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sent = wire.send_some(flood, b"x" * 200 + b"\n", timeout=1)
        sent += wire.send_some(flood, (b"y" * 200 + b"\n") * 20000, timeout=3)
        flood.abort()
        check_logged(tp, server, "SRS-031", "the server drops the vanished client", DROPPED,
                     "a log line on the dropped client", timeout=5, start=mark, otherwise=f"none (sent {sent} bytes)")
    with tp.step("the server is alive and serves the next client"):
        tp.check("SRS-031", "the server process still runs (no SIGPIPE)", True, server.running())
        check_served(tp, "SRS-031", "the next client is served", server.port)


@pytest.mark.protocol("tp-014", "The idle timeout drops a silent client, not a talking one")
def test_idle_timeout(tp, oneline_server):
    server = oneline_server("--idle-timeout", "0.5", "-v")
    with tp.step("a client that keeps sending for twice the timeout"):
        with wire.connect(server.port) as talker:
            answered = 0
            for _ in range(5):
                if not idle_window(talker, 0.2):
                    break
                talker.send(b"ping\n")
                answered += talker.recv_line() == b"pong"
            tp.check(["SRS-024", "SRS-032"], "is kept connected (pings every 0.2 s for 1 s)", 5, answered)
            talker.send(b"disconnect\n")
            talker.wait_closed(3)
    with tp.step("a client that sends nothing"):
        silent = wire.connect(server.port)
        began = time.monotonic()
        closed = silent.wait_closed(3)
        waited = time.monotonic() - began
        silent.close()
        tp.check("SRS-024", "is dropped after the timeout (0.5 s), not before", "closed after 0.4 .. 3 s",
                 f"closed={closed} after {waited:.2f} s", closed and waited >= 0.4)
        check_logged(tp, server, "SRS-024", "the reason is logged", r"sent nothing", "a log line saying `sent nothing`")


@pytest.mark.protocol("tp-015", "The server stops promptly on SIGTERM and SIGINT")
def test_prompt_stop(tp, oneline_server):
    with tp.step("SIGTERM while waiting for a client"):
        server = oneline_server()
        began = time.monotonic()
        server.signal(signal.SIGTERM)
        code = server.wait_exit(3)
        took = time.monotonic() - began
        tp.check(["SRS-025", "SRS-032"], "exits 0 within 3 s", "0", f"{code} after {took:.2f} s", code == 0)
    with tp.step("SIGINT while a client is connected"):
        server = oneline_server()
        conn = wire.connect(server.port)
        check_answers(tp, conn, [("SRS-025", "the client is served", b"ping\n", b"pong")])
        server.signal(signal.SIGINT)
        tp.check(["SRS-025", "SRS-032"], "exits 0 within 3 s", 0, server.wait_exit(3))
        tp.check("SRS-025", "the client's connection is closed", True, conn.wait_closed(3))
        conn.close()


@pytest.mark.protocol("tp-016", "Bind failures are reported at start, with the reason")
def test_bind_errors(tp, oneline_server, oneline):
    with tp.step("port already in use"):
        server = oneline_server()
        result = oneline("server", "-p", server.port, timeout=10)
        tp.check(["SRS-022", "SRS-036"], "exits 1 at once, saying the address is in use", "exit 1, `in use`",
                 result, result.returncode == 1 and "in use" in result.stderr.lower())
        tp.check("SRS-022", "the message names the port", str(server.port), result.stderr,
                 str(server.port) in result.stderr)
    with tp.step("unknown host name"):
        result = oneline("server", "-p", "0", "-a", "no-such-host.invalid", timeout=20)
        tp.check("SRS-022", "exits 1, naming the host", "exit 1, `no-such-host.invalid`", result,
                 result.returncode == 1 and "no-such-host.invalid" in result.stderr)
    with tp.step("an address of no local interface"):
        result = oneline("server", "-p", "0", "-a", "192.0.2.1", timeout=10)
        tp.check("SRS-022", "exits 1, naming the address", "exit 1, `192.0.2.1`", result,
                 result.returncode == 1 and "192.0.2.1" in result.stderr)
