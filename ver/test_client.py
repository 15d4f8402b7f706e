"""Test protocols: the client (`oneline client`, `ping`, `shutdown`), seen byte by byte from a fake server."""

import re

import pytest

import wire


def answer_handshake(tp, conn, srs=("SRS-011", "SRS-014")):
    tp.check(list(srs), "the client opens with `ping` 0x0A", b"ping", conn.recv_line())
    conn.send(b"pong\n")


@pytest.mark.protocol("tp-017", "`oneline client` on the wire: handshake, commands, responses, disconnect")
def test_client_wire(tp, oneline_bin, background):
    with wire.FakeServer() as fake:
        client = background([oneline_bin, "client", "-p", fake.port, "-t", "5", "-n", "1", "hello",
                             "with space"])
        with tp.step("connect: the client confirms the connection with ping/pong"):
            conn = fake.accept()
            tp.check("SRS-011", "the client connects to the given port", True, conn is not None)
            answer_handshake(tp, conn)
        with tp.step("commands: each sent as given plus 0x0A"):
            tp.check(["SRS-013", "SRS-014", "SRS-033"], "first command", b"hello", conn.recv_line())
            conn.send(b"world\n")
            tp.check(["SRS-013", "SRS-014", "SRS-033"], "second command, its space kept", b"with space",
                     conn.recv_line())
            conn.send(b"two\r\n")
        with tp.step("the end: disconnect, then close"):
            tp.check(["SRS-012", "SRS-033"], "the client says `disconnect` at the end", b"disconnect",
                     conn.recv_line())
            tp.check("SRS-014", "nothing else is sent", None, conn.recv_line(0.2))
            conn.close()  # as a server does on `disconnect`; the tool waits for it
        with tp.step("the client prints each response on its own line"):
            result = client.finish()
            tp.check(["SRS-015", "SRS-033"], "responses without 0x0A and one 0x0D", "world\ntwo\n", result.stdout)
            tp.check(["SRS-033", "SRS-036"], "exit code 0", 0, result.returncode)


@pytest.mark.protocol("tp-018", "Receive timeout versus an empty response; partial responses")
def test_client_recv(tp, oneline_bin, background):
    with wire.FakeServer() as fake:
        with tp.step("an empty response is printed as an empty line"):
            client = background([oneline_bin, "client", "-p", fake.port, "-t", "1", "-n", "1", "empty",
                                 "silent"])
            conn = fake.accept()
            answer_handshake(tp, conn)
            tp.check("SRS-013", "first command", b"empty", conn.recv_line())
            conn.send(b"\n")
            tp.check("SRS-013", "second command", b"silent", conn.recv_line())
        with tp.step("no response within -t 1: the client says it timed out"):
            result = client.finish(10)
            conn.close()
            tp.check(["SRS-027", "SRS-015"], "stdout holds the empty response only", "\n", result.stdout)
            tp.check(["SRS-027", "SRS-036"], "exit 1 after about 1 s", "exit 1 in 0.9 .. 5 s",
                     f"exit {result.returncode} in {result.seconds:.2f} s",
                     result.returncode == 1 and 0.9 <= result.seconds < 5)
            tp.check(["SRS-027", "SRS-036"], "one stderr line naming the address", f"127.0.0.1:{fake.port}",
                     result.stderr, len(result.stderr.strip().splitlines()) == 1 and
                     f"127.0.0.1:{fake.port}" in result.stderr)
        with tp.step("a response arriving in pieces is joined"):
            client = background([oneline_bin, "client", "-p", fake.port, "-t", "5", "-n", "1", "cmd"])
            conn = fake.accept()
            answer_handshake(tp, conn)
            tp.check("SRS-013", "the command", b"cmd", conn.recv_line())
            for piece in (b"par", b"ti", b"al\n"):
                conn.send(piece)
            result = client.finish()
            conn.close()
            tp.check(["SRS-027", "SRS-015"], "the pieces make one response", "partial\n", result.stdout)
        with tp.step("the server closes the connection instead of answering"):
            client = background([oneline_bin, "client", "-p", fake.port, "-t", "5", "-n", "1", "cmd"])
            conn = fake.accept()
            answer_handshake(tp, conn)
            conn.recv_line()
            conn.close()
            result = client.finish()
            tp.check("SRS-036", "exit 1 at once, one stderr line naming the address",
                     f"exit 1 in < 3 s, `127.0.0.1:{fake.port}`", result,
                     result.returncode == 1 and result.seconds < 3 and f"127.0.0.1:{fake.port}" in result.stderr)


@pytest.mark.protocol("tp-019", "Connecting fails promptly: absent, busy, silent server")
def test_connect_failures(tp, oneline, oneline_server):
    with tp.step("absent server (connection refused)"):
        port = wire.unused_port()
        result = oneline("ping", "-p", port, "-t", "3")
        tp.check(["SRS-028", "SRS-036"], "exit 1 within 2 s, naming the address and `refused`",
                 f"exit 1, `127.0.0.1:{port}`, `refused`", result,
                 result.returncode == 1 and result.seconds < 2 and f"127.0.0.1:{port}" in result.stderr
                 and "refused" in result.stderr.lower())
    with tp.step("busy server (another client is connected)"):
        server = oneline_server()
        with wire.connect(server.port) as first:
            first.send(b"ping\n")
            tp.check("SRS-003", "the first client is served", b"pong", first.recv_line())
            result = oneline("client", "-p", server.port, "-t", "3", "hello")
            tp.check(["SRS-028", "SRS-036", "SRS-017"], "exit 1 within 2 s, saying the server is busy",
                     "exit 1, `busy`", result,
                     result.returncode == 1 and result.seconds < 2 and "busy" in result.stderr.lower())
    with tp.step("silent server (accepts, never answers)"):
        with wire.FakeServer() as fake:
            result = oneline("ping", "-p", fake.port, "-t", "1")
        tp.check(["SRS-028", "SRS-036"], "exit 1 after the 1 s timeout, not much later",
                 "exit 1 in 0.9 .. 3 s", result,
                 result.returncode == 1 and 0.9 <= result.seconds < 3 and f"127.0.0.1:{fake.port}" in result.stderr)


@pytest.mark.protocol("tp-020", "`oneline client` with a real server: stdin, -n, shutdown")
def test_client_with_server(tp, oneline, oneline_server):
    server = oneline_server("--exec", 'printf "%s\\n%s!\\n" "$1" "$1"')
    with tp.step("commands from stdin, two responses each (-n 2)"):
        result = oneline("client", "-p", server.port, "-n", "2", stdin_text="one\ntwo\n")
        tp.check("SRS-033", "every response printed in order", "one\none!\ntwo\ntwo!\n", result.stdout)
        tp.check(["SRS-033", "SRS-036"], "exit code 0", 0, result.returncode)
    with tp.step("`ping` subcommand"):
        result = oneline("ping", "-p", server.port)
        tp.check("SRS-034", "prints `pong from ADDRESS:PORT in N ms`", f"pong from 127.0.0.1:{server.port} in N ms",
                 result.stdout.strip(),
                 re.fullmatch(rf"pong from 127\.0\.0\.1:{server.port} in \d+(\.\d+)? ms", result.stdout.strip())
                 is not None)
        tp.check(["SRS-034", "SRS-036"], "exit code 0", 0, result.returncode)
    with tp.step("`client ... shutdown` stops the server"):
        result = oneline("client", "-p", server.port, "hello", "shutdown")
        tp.check("SRS-033", "every response to hello, none awaited after shutdown", "hello\nhello!\n",
                 result.stdout)
        tp.check("SRS-033", "exit code 0", 0, result.returncode)
        tp.check(["SRS-006", "SRS-033"], "the server exits 0", 0, server.wait_exit(5))


@pytest.mark.protocol("tp-021", "`oneline shutdown` and a client sequence against a fake server")
def test_shutdown_command(tp, oneline, oneline_bin, oneline_server, background):
    with tp.step("`oneline shutdown` against a real server"):
        server = oneline_server()
        result = oneline("shutdown", "-p", server.port)
        tp.check(["SRS-035", "SRS-036"], "exit code 0", 0, result.returncode)
        tp.check(["SRS-035", "SRS-006"], "the server exits 0", 0, server.wait_exit(5))
    with tp.step("`oneline shutdown` on the wire"):
        with wire.FakeServer() as fake:
            client = background([oneline_bin, "shutdown", "-p", fake.port])
            conn = fake.accept()
            answer_handshake(tp, conn)
            tp.check(["SRS-035", "SRS-014"], "sends `shutdown` 0x0A", b"shutdown", conn.recv_line())
            conn.close()
            result = client.finish()
            tp.check("SRS-035", "exit code 0", 0, result.returncode)
