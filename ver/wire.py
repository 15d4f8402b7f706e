"""Byte-level loopback sockets for the verification suite.

RawClient talks to a server exactly as a test tells it to: any bytes, partial
lines, abrupt resets. FakeServer is a listening socket a test drives by hand,
to see the exact bytes a client sends and to answer (or not) as it likes.
Every wait has a deadline; nothing sleeps.
"""

import select
import socket
import struct
import time


class Deadline:
    """A point in time `seconds` from now."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def remaining(self):
        return max(0.0, self.end - time.monotonic())

    def passed(self):
        return time.monotonic() >= self.end


class _Socket:
    """Owns `self.sock`: closed by close() or at the end of a `with` block."""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Connection(_Socket):
    """A connected TCP socket with a receive buffer, read line by line."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.eof = False
        self.reset = False

    def send(self, data):
        """Sends all of `data` (bytes)."""
        self.sock.sendall(data)

    def _fill(self, deadline):
        """Reads what arrives before the deadline; False when nothing came (timeout or end of stream)."""
        if self.eof:
            return False
        ready, _, _ = select.select([self.sock], [], [], deadline.remaining())
        if not ready:
            return False
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            self.eof = self.reset = True
            return False
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def recv_line(self, timeout=3.0):
        """The next line without its 0x0A, or None when none completes within `timeout` or the peer closed."""
        deadline = Deadline(timeout)
        while b"\n" not in self.buffer:
            if not self._fill(deadline):
                return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def recv_lines(self, count, timeout=5.0):
        """Up to `count` lines, stopping early at the deadline or the end of the stream."""
        deadline = Deadline(timeout)
        lines = []
        while len(lines) < count:
            line = self.recv_line(deadline.remaining())
            if line is None:
                break
            lines.append(line)
        return lines

    def wait_closed(self, timeout=3.0):
        """True when the peer closes (or resets) within `timeout`; data read meanwhile stays buffered."""
        deadline = Deadline(timeout)
        while not self.eof:
            if not self._fill(deadline) and not self.eof:
                return False
        return True

    def abort(self):
        """Closes with a TCP reset (SO_LINGER 0) instead of an orderly close."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def connect(port, host="127.0.0.1", timeout=3.0):
    """A Connection to a server; `host` may be a name or an IPv4/IPv6 literal (brackets allowed)."""
    sock = socket.create_connection((host.strip("[]"), port), timeout=timeout)
    sock.settimeout(None)
    return Connection(sock)


def fenced(port, commands):
    """Each command's responses, as the ping fence attributes them: sends each command followed by `ping` over a
    plain socket and returns, per command, the lines that came before its `pong`."""
    with connect(port) as conn:
        conn.send(b"".join(command + b"\nping\n" for command in commands))
        answers = []
        for command in commands:
            lines = []
            while (line := conn.recv_line()) != b"pong":
                assert line is not None, f"no pong after {command!r}"
                lines.append(line)
            answers.append(lines)
        return answers


def send_some(conn, data, timeout):
    """Sends as much of `data` as the peer accepts within `timeout`; returns the byte count sent.

    Stops early, without raising, when the peer closes or resets the connection.
    """
    deadline = Deadline(timeout)
    sent = 0
    while sent < len(data) and not deadline.passed():
        _, ready, _ = select.select([], [conn.sock], [], deadline.remaining())
        if not ready:
            break
        try:
            sent += conn.sock.send(data[sent:sent + 65536], socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    return sent


class FakeServer(_Socket):
    """A listening socket on 127.0.0.1, port 0, whose connections the test handles itself."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]

    def accept(self, timeout=5.0):
        """The next connection, or None when none comes within `timeout`."""
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        sock, _ = self.sock.accept()
        return Connection(sock)


def unused_port():
    """A port nothing listens on: bound, then released (used only to see a refused connection)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ipv6_loopback():
    """True when this machine can listen on ::1."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False
