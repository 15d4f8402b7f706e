"""Test protocols: the server's built-in commands and its one-client-at-a-time session rules."""

import re

import pytest

import wire
from checks import check_answers, check_served


@pytest.mark.protocol("tp-001", "Port 0, ping and echo over a raw socket")
def test_ping_and_echo(tp, oneline_server):
    with tp.step("start `oneline server -p 0` and read back the port"):
        server = oneline_server()
        tp.check(["SRS-023", "SRS-038"], "a bound port above 0 is printed on stderr as `listening on ADDRESS:PORT`",
                 "port > 0 on stderr", f"{server.address}:{server.port}", server.port > 0 and
                 server.wait_for(r"^listening on \S+:\d+$", 0, stream="stderr") is not None)
    with tp.step("connect to the printed port and send ping"):
        with wire.connect(server.port) as conn:
            check_answers(tp, conn, [(["SRS-004", "SRS-023"], "ping is answered with pong", b"ping\n", b"pong")])
            with tp.step("send other commands: each goes to the callback (echo)"):
                check_answers(tp, conn, [
                    (["SRS-008", "SRS-032"], "a plain command reaches the (echo) callback", b"hello world\n",
                     b"hello world"),
                    ("SRS-008", "the empty command reaches the callback", b"\n", b""),
                    ("SRS-008", "built-ins match exactly: `PING` goes to the callback", b"PING\n", b"PING"),
                    ("SRS-008", "bytes below 0x80, 0x00 included, pass through", b"a\x00b\x01\n", b"a\x00b\x01"),
                    ("SRS-008", "`ping ` (trailing space) is not the built-in", b"ping \n", b"ping "),
                ])


@pytest.mark.protocol("tp-002", "disconnect ends the session; the next client is served")
def test_disconnect(tp, oneline_server):
    server = oneline_server()
    with tp.step("first client sends disconnect"):
        first = wire.connect(server.port)
        check_answers(tp, first, [("SRS-004", "the first client is served", b"ping\n", b"pong")])
        first.send(b"disconnect\n")
        tp.check("SRS-005", "the server closes the connection after `disconnect`", True, first.wait_closed(3))
        tp.check("SRS-005", "`disconnect` gets no response", b"", first.buffer)
        first.close()
    with tp.step("a second client connects and is served"):
        check_served(tp, ["SRS-003", "SRS-005"], "after a disconnect another client may connect", server.port)
        tp.check("SRS-005", "the server is still running", True, server.running())


@pytest.mark.protocol("tp-003", "shutdown stops the server and closes the listening socket")
def test_shutdown(tp, oneline_server):
    server = oneline_server()
    with tp.step("client sends a command, then shutdown"):
        conn = wire.connect(server.port)
        conn.send(b"before\nshutdown\nafter\n")
        tp.check("SRS-008", "the command before shutdown is answered", b"before", conn.recv_line())
        tp.check("SRS-006", "the connection is closed", True, conn.wait_closed(3))
        tp.check("SRS-006", "the command after shutdown is not served", b"", conn.buffer)
        conn.close()
    with tp.step("the server process ends"):
        tp.check(["SRS-006", "SRS-032"], "`oneline server` exits 0 after shutdown", 0, server.wait_exit(5))
    with tp.step("new clients are refused"):
        try:
            wire.connect(server.port, timeout=2).close()
            outcome = "connected"
        except ConnectionRefusedError:
            outcome = "refused"
        tp.check("SRS-006", "a connect after shutdown is refused", "refused", outcome)


@pytest.mark.protocol("tp-004", "A second client is closed at once; the first one goes on")
def test_second_client(tp, oneline_server):
    server = oneline_server()
    with tp.step("first client connects"):
        first = wire.connect(server.port)
        check_answers(tp, first, [("SRS-003", "the first client is served", b"ping\n", b"pong")])
    with tp.step("second client connects while the first is served"):
        second = wire.connect(server.port)
        second.send(b"ping\n")
        tp.check(["SRS-003", "SRS-017"], "the second connection is closed at once", True, second.wait_closed(2))
        tp.check("SRS-017", "nothing is read from it: its ping gets no pong", b"", second.buffer)
        second.close()
    with tp.step("the first client is still served"):
        check_answers(tp, first, [(["SRS-003", "SRS-017"], "the first client's session goes on", b"still here\n",
                                   b"still here")])
        first.send(b"disconnect\n")
        first.wait_closed(3)
        first.close()
    with tp.step("after the first client leaves, a third connects"):
        check_served(tp, "SRS-003", "the next client is served", server.port)


@pytest.mark.protocol("tp-005", "Address forms: IPv4 literal, host name, IPv6 literal")
def test_address_forms(tp, oneline_server):
    with tp.step("-a 127.0.0.1"):
        server = oneline_server("-a", "127.0.0.1")
        check_served(tp, "SRS-030", "served on an IPv4 literal", server.port, "127.0.0.1")
    with tp.step("-a localhost"):
        server = oneline_server("-a", "localhost")
        check_served(tp, "SRS-030", "served on a host name", server.port, "localhost")
    if not wire.ipv6_loopback():
        return  # this machine has no IPv6 loopback: the two forms above stand
    with tp.step("-a ::1"):
        server = oneline_server("-a", "::1")
        tp.check("SRS-030", "the printed address is the bracketed IPv6 literal", True,
                 re.fullmatch(r"\[?::1\]?", server.address) is not None)
        check_served(tp, "SRS-030", "served on an IPv6 literal", server.port, "::1")
