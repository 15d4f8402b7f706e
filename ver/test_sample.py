"""Test protocols: the sample server (cmd01 -> ack, else nak) and the sample client's scenario."""

import pytest

import processes
import wire
from checks import check_answers


@pytest.mark.protocol("tp-025", "The sample server over a raw socket")
def test_sample_server(tp, servers, sample_server_bin):
    server = servers([sample_server_bin, "0"])
    with wire.connect(server.port) as conn:
        with tp.step("built-in and user commands"):
            check_answers(tp, conn, [
                ("SRS-004", "ping is answered with pong", b"ping\n", b"pong"),
                ("SRS-008", "cmd01 reaches the callback: ack", b"cmd01\n", b"ack"),
                ("SRS-008", "an unknown command reaches the callback: nak", b"junk\n", b"nak - unknown cmd"),
                ("SRS-008", "the empty command reaches the callback: nak", b"\n", b"nak - unknown cmd"),
            ])
        with tp.step("a command with a non-ASCII byte"):
            check_answers(tp, conn, [("SRS-007", "the rest of the command reaches the callback", b"cmd\xc301\n",
                                      b"ack")])
            found = server.wait_for(r"callback: command 'cmd01' is_invalid=true", 3)
            tp.check("SRS-007", "the callback logs it flagged invalid, the bad byte dropped",
                     "command 'cmd01' is_invalid=true", found.group(0) if found else server.output(),
                     found is not None)
        with tp.step("shutdown"):
            conn.send(b"shutdown\n")
            tp.check("SRS-006", "the connection is closed", True, conn.wait_closed(3))
    with tp.step("the sample server exits"):
        tp.check("SRS-006", "exit code 0 after shutdown", 0, server.wait_exit(5))


@pytest.mark.protocol("tp-026", "The sample client plays its scenario against the sample server")
def test_sample_scenario(tp, servers, sample_server_bin, sample_client_bin):
    server = servers([sample_server_bin, "0"])
    with tp.step("run the sample client"):
        result = processes.run([sample_client_bin, server.port], timeout=30)
        tp.check(["SRS-011", "SRS-012", "SRS-013", "SRS-015"], "every answer as the client expected",
                 "exit 0, `all answers as expected`", result,
                 result.returncode == 0 and "all answers as expected" in result.stdout)
    with tp.step("the server's side of it"):
        tp.check("SRS-006", "the sample server exits 0 after client 2's shutdown", 0, server.wait_exit(5))
        log = server.output()
        tp.check("SRS-007", "the server logged the non-ASCII command as invalid", "a line with is_invalid=true",
                 log, "is_invalid=true" in log)
        tp.check("SRS-003", "two clients were served, one after the other", 2, log.count("client connected"))
