"""Test protocols: how the server frames and decodes command bytes, and the order of its responses."""

import pytest

import wire
from checks import check_answers, check_logged, check_served

# An --exec handler that shows what the callback got: "<invalid flag>|<command>".
SHOW_FLAG = 'printf "%s|%s\\n" "${ONELINE_INVALID:-0}" "$1"'


@pytest.mark.protocol("tp-006", "Commands end at 0x0A however the bytes are split")
def test_framing(tp, oneline_server):
    server = oneline_server()
    with wire.connect(server.port) as conn:
        with tp.step("one command sent in three pieces"):
            for piece in (b"ab", b"c", b"d"):
                conn.send(piece)
            tp.check("SRS-009", "no response before the 0x0A", None, conn.recv_line(0.2))
            conn.send(b"\n")
            tp.check("SRS-009", "the pieces make one command", b"abcd", conn.recv_line())
        with tp.step("several commands in one write, the last one split"):
            conn.send(b"one\ntwo\nthr")
            tp.check("SRS-009", "each 0x0A ends one command", [b"one", b"two"], conn.recv_lines(2))
            conn.send(b"ee\n")
            tp.check("SRS-009", "the rest of a split command is joined", b"three", conn.recv_line())
        with tp.step("a command split right before and right after its 0x0A"):
            conn.send(b"four")
            conn.send(b"\nfi")
            conn.send(b"ve\n")
            tp.check("SRS-009", "commands split around the 0x0A", [b"four", b"five"], conn.recv_lines(2))


@pytest.mark.protocol("tp-007", "0x0D handling: one CR before LF dropped by default, kept with --keep-cr")
def test_carriage_return(tp, oneline_server):
    with tp.step("default server"):
        server = oneline_server()
        with wire.connect(server.port) as conn:
            check_answers(tp, conn, [
                ("SRS-019", "`ping` CR LF (telnet, nc -C) is the built-in ping", b"ping\r\n", b"pong"),
                ("SRS-019", "the CR before LF is dropped", b"abc\r\n", b"abc"),
                ("SRS-019", "only one CR is dropped", b"abc\r\r\n", b"abc\r"),
                ("SRS-019", "a CR elsewhere passes through", b"a\rb\n", b"a\rb"),
            ])
    with tp.step("--keep-cr"):
        server = oneline_server("--keep-cr")
        with wire.connect(server.port) as conn:
            check_answers(tp, conn, [(["SRS-019", "SRS-032"], "with --keep-cr the CR is kept", b"abc\r\n", b"abc\r")])


@pytest.mark.protocol("tp-008", "Undecodable bytes are dropped and flagged; flagged commands are never built-ins")
def test_invalid_commands(tp, oneline_server):
    server = oneline_server("--exec", SHOW_FLAG)
    with wire.connect(server.port) as conn:
        with tp.step("a command with bytes >= 0x80"):
            check_answers(tp, conn, [
                (["SRS-007", "SRS-037"], "the bad byte is dropped and the command flagged", b"ab\xffc\n", b"1|abc"),
                ("SRS-007", "a command of bad bytes only arrives empty and flagged", b"\x80\x81\n", b"1|"),
                (["SRS-008", "SRS-037"], "a clean command arrives unflagged", b"plain\n", b"0|plain"),
            ])
        with tp.step("built-in names with a bad byte inside"):
            check_answers(tp, conn, [
                (["SRS-020", "SRS-007"], "`pi<ff>ng` goes to the callback, not answered pong", b"pi\xffng\n",
                 b"1|ping"),
                ("SRS-020", "`disconn<80>ect` goes to the callback", b"disconn\x80ect\n", b"1|disconnect"),
                ("SRS-020", "the connection is still open", b"ping\n", b"pong"),
                ("SRS-020", "`shut<c0>down` goes to the callback", b"shut\xc0down\n", b"1|shutdown"),
                ("SRS-020", "the server still serves", b"ping\n", b"pong"),
            ])
            tp.check("SRS-020", "the server process still runs", True, server.running())


@pytest.mark.protocol("tp-009", "UTF-8 mode (--utf8) versus the default ASCII decoding")
def test_utf8_mode(tp, oneline_server):
    with tp.step("default decoding: every byte >= 0x80 is invalid"):
        server = oneline_server("--exec", SHOW_FLAG)
        with wire.connect(server.port) as conn:
            check_answers(tp, conn, [
                ("SRS-026", "well-formed UTF-8 is flagged and its bytes dropped", "h\u00e9!\n".encode(), b"1|h!"),
            ])
    with tp.step("--utf8"):
        server = oneline_server("--utf8", "--exec", SHOW_FLAG)
        with wire.connect(server.port) as conn:
            text = "h\u00e9 \u20ac \U0001f600"
            check_answers(tp, conn, [
                (["SRS-026", "SRS-032"], "well-formed UTF-8 passes unflagged", text.encode() + b"\n",
                 b"0|" + text.encode()),
                ("SRS-026", "a truncated sequence is dropped and flagged", b"a\xc3(b\n", b"1|a(b"),
                ("SRS-026", "a byte that never starts UTF-8 is dropped and flagged", b"x\xffy\n", b"1|xy"),
                ("SRS-026", "a sequence cut off by the 0x0A is dropped and flagged", b"z\xe2\x82\n", b"1|z"),
                ("SRS-026", "the next command is clean again", b"ok\n", b"0|ok"),
            ])


@pytest.mark.protocol("tp-010", "Maximum line length drops the client, with bounded memory")
def test_max_line(tp, oneline_server):
    with tp.step("--max-line 16: a command of exactly 16 bytes is served"):
        server = oneline_server("--max-line", "16", "-v")
        conn = wire.connect(server.port)
        check_answers(tp, conn, [(["SRS-016", "SRS-032"], "16 bytes are within the limit", b"a" * 16 + b"\n",
                                  b"a" * 16)])
    with tp.step("a 17th byte without 0x0A drops the client"):
        mark = server.mark()
        conn.send(b"b" * 17)
        tp.check("SRS-016", "the connection is closed", True, conn.wait_closed(3))
        conn.close()
        check_logged(tp, server, "SRS-016", "the reason is logged", r"longer than 16",
                     "a log line saying `longer than 16`", start=mark, otherwise="no such line")
    with tp.step("the next client is served"):
        check_served(tp, "SRS-016", "the server waits for the next client", server.port)
    with tp.step("default limit (1 MiB): a command of exactly 1 MiB is served"):
        server = oneline_server()
        mib = 1024 * 1024
        conn = wire.connect(server.port)
        conn.send(b"x" * mib + b"\n")
        line = conn.recv_line(10)
        tp.check("SRS-016", "the 1 MiB command is echoed whole", f"{mib} bytes",
                 "nothing" if line is None else f"{len(line)} bytes", line == b"x" * mib)
    with tp.step("default limit: a flood of 3 MiB without 0x0A"):
        sent = wire.send_some(conn, b"y" * (3 * mib), timeout=10)
        closed = conn.wait_closed(5)
        conn.close()
        tp.check("SRS-016", "the client is dropped once past 1 MiB", "closed, more than 1 MiB sent",
                 f"closed={closed}, sent={sent}", closed and sent > mib)
        rss = server.resident_kib()
        tp.check("SRS-016", "the server's memory stays bounded", "resident < 64 MiB", f"{rss} KiB",
                 rss < 64 * 1024)
        check_served(tp, "SRS-016", "the next client is served", server.port)


@pytest.mark.protocol("tp-011", "Responses keep the order of the commands")
def test_response_order(tp, oneline_server):
    with tp.step("2000 commands in one write to the echo server"):
        server = oneline_server()
        with wire.connect(server.port) as conn:
            commands = [b"c%04d" % number for number in range(2000)]
            conn.send(b"".join(command + b"\n" for command in commands))
            tp.check("SRS-029", "responses come back in command order", commands, conn.recv_lines(2000, 10))
    with tp.step("three responses per command from --exec"):
        server = oneline_server("--exec", 'printf "%s-1\\n%s-2\\n%s-3\\n" "$1" "$1" "$1"')
        with wire.connect(server.port) as conn:
            conn.send(b"a\nping\nb\nc\n")
            expected = [b"a-1", b"a-2", b"a-3", b"pong", b"b-1", b"b-2", b"b-3", b"c-1", b"c-2", b"c-3"]
            tp.check(["SRS-029", "SRS-037"], "each command's responses, in order, before the next command's",
                     expected, conn.recv_lines(len(expected), 10))
