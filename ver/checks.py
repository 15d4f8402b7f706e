"""Checks that many test protocols make: the answers to commands, a log line, the next client served."""

import wire


def check_answers(tp, conn, exchanges, timeout=3.0):
    """For each (srs, description, sent, expected): sends the bytes `sent` on `conn` and checks that the
    next line (without its 0x0A) is `expected`."""
    for srs, description, sent, expected in exchanges:
        conn.send(sent)
        tp.check(srs, description, expected, conn.recv_line(timeout))


def check_logged(tp, server, srs, description, pattern, expected, timeout=3.0, start=0, otherwise="none"):
    """Checks that `server` prints a line matching `pattern` within `timeout`, after output position `start`;
    `otherwise` is what is recorded as seen when no line does."""
    found = server.wait_for(pattern, timeout, start=start)
    tp.check(srs, description, expected, found.string if found else otherwise, found is not None)


def check_served(tp, srs, description, port, host="127.0.0.1"):
    """Checks that a new client of the server on `port` gets `pong` for `ping`; it disconnects again."""
    with wire.connect(port, host) as conn:
        check_answers(tp, conn, [(srs, description, b"ping\n", b"pong")])
