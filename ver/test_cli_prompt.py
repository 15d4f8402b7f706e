"""Tests of `oneline client`'s interactive prompt, typed through a real pseudo-terminal (pexpect).

Each test talks to a real `oneline server` on port 0 (test_cli's ServerProcess) and runs the real tool
with HOME in a temporary directory, so that the user's own history is never read or written. The keys
are the bytes a terminal sends: "\r" for Enter, "\x04" for Ctrl-D, "\x03" for Ctrl-C, ESC [ A for Up.
"""

import os
import signal
import subprocess

import pexpect
import pytest

from test_cli import BIN, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, HOST, WAIT, ServerProcess, run, verifies
from verify import verify, false, true

UP = "\x1b[A"
CTRL_C, CTRL_D = "\x03", "\x04"
ANSWER = 'echo "answer to $1"'


class Prompt:
    """`oneline client -p PORT ARGS` on a pseudo-terminal; killed at the end of the test if still running."""

    def __init__(self, port, *args, home, env=None, command=None):
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm", "LANG": "C.UTF-8",
                       "HOME": str(home)}
        environment.update(env or {})
        environment = {name: value for name, value in environment.items() if value is not None}
        self.port = port
        self.prompt = f"oneline {HOST}:{port}> "
        if command is None:
            self.child = pexpect.spawn(BIN, ["client", "-p", str(port), *args], env=environment,
                                       encoding="utf-8", timeout=WAIT, dimensions=(24, 200))
        else:
            self.child = pexpect.spawn("/bin/sh", ["-c", command], env=environment, encoding="utf-8",
                                       timeout=WAIT, dimensions=(24, 200))

    def expect(self, text):
        self.child.expect_exact(text)

    def expect_prompt(self):
        self.expect(self.prompt)

    def type(self, keys):
        self.child.send(keys)

    def enter(self, line):
        """Types `line` and Enter."""
        self.child.send(line + "\r")

    def exit_code(self):
        """Waits for the end of the tool (fails the test after WAIT) and returns its exit code."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus

    def output(self):
        """Everything shown since the last expectation was met."""
        return self.child.before

    def kill(self):
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def start_server():
    """start(*options, env=None): `oneline server` on port 0; each one stopped at teardown."""
    started = []

    def start(*options, env=None):
        server = ServerProcess(*options, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def prompts(tmp_path):
    """start(port, *args, env=None, home=None): a Prompt, with HOME in a temporary directory by default."""
    started = []

    def start(port, *args, env=None, home=None, command=None):
        prompt = Prompt(port, *args, home=home or tmp_path, env=env, command=command)
        started.append(prompt)
        return prompt

    yield start
    for prompt in started:
        prompt.kill()


def history_lines(path):
    """The lines of a history file, without libedit's first line (its format's name)."""
    lines = path.read_text().splitlines()
    assert lines and lines[0] == "_HiStOrY_V2_", lines
    return lines[1:]


@verifies("SRS-090", "SRS-094")
def test_prompt_names_the_server_sends_lines_and_shows_responses(start_server, prompts):
    server = start_server("--exec", ANSWER)
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.enter("hello")
    prompt.expect("answer to hello\r\n")
    prompt.expect_prompt()
    prompt.enter("")  # an empty line is a command too, as on stdin
    prompt.expect("answer to \r\n")
    prompt.expect_prompt()
    prompt.type(CTRL_D)
    prompt.expect("disconnect")
    verify(prompt.exit_code(), EXIT_OK, "SRS-090,SRS-094")
    # `disconnect`, not a dropped connection: the server serves the next client.
    verify(run("client", "-p", str(server.port), "next").stdout, "answer to next\n", "SRS-090,SRS-094")


@verifies("SRS-091")
def test_up_recalls_a_line_and_the_history_file_is_kept_for_the_next_session(start_server, prompts, tmp_path):
    server = start_server("--exec", ANSWER)
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.enter("first")
    prompt.expect("answer to first\r\n")
    prompt.expect_prompt()
    prompt.type(UP)
    prompt.expect("first")
    prompt.type("-again\r")
    prompt.expect("answer to first-again\r\n")
    prompt.expect_prompt()
    prompt.enter("disconnect")
    verify(prompt.exit_code(), EXIT_OK, "SRS-091")
    verify(history_lines(tmp_path / ".oneline_history"), ["first", "first-again", "disconnect"], "SRS-091")

    again = prompts(server.port)
    again.expect_prompt()
    again.type(UP + UP + "\r")  # two lines back from the last session: `first-again`
    again.expect("answer to first-again\r\n")
    again.expect_prompt()
    again.type(CTRL_D)
    verify(again.exit_code(), EXIT_OK, "SRS-091")


@verifies("SRS-091")
def test_the_history_file_keeps_only_the_newest_lines_up_to_its_cap(start_server, prompts, tmp_path):
    server = start_server("--exec", ANSWER)
    path = tmp_path / "elsewhere" / "history"
    path.parent.mkdir()
    path.write_text("_HiStOrY_V2_\nold1\nold2\n")
    prompt = prompts(server.port, env={"ONELINE_HISTORY": str(path), "ONELINE_HISTORY_SIZE": "3"})
    prompt.expect_prompt()
    for number in range(1, 5):
        prompt.enter(f"cmd{number}")
        prompt.expect(f"answer to cmd{number}\r\n")
        prompt.expect_prompt()
    prompt.type(CTRL_D)
    verify(prompt.exit_code(), EXIT_OK, "SRS-091")
    verify(history_lines(path), ["cmd2", "cmd3", "cmd4"], "SRS-091")
    verify((tmp_path / ".oneline_history").exists(), false(), "SRS-091")  # ONELINE_HISTORY moved it


@verifies("SRS-092")
def test_no_home_means_no_history_file_and_an_unwritable_one_is_only_a_warning(start_server, prompts, tmp_path):
    server = start_server("--exec", ANSWER)
    without_home = prompts(server.port, env={"HOME": None})
    without_home.expect_prompt()
    without_home.enter("kept in memory")
    without_home.expect("answer to kept in memory\r\n")
    without_home.expect_prompt()
    without_home.type(UP + "\r")  # the session's own lines are still recalled
    without_home.expect("answer to kept in memory\r\n")
    without_home.expect_prompt()
    without_home.type(CTRL_D)
    verify(without_home.exit_code(), EXIT_OK, "SRS-092")
    verify(list(tmp_path.iterdir()), [], "SRS-092")

    unwritable = tmp_path / "no such directory" / "history"
    prompt = prompts(server.port, env={"ONELINE_HISTORY": str(unwritable)})
    prompt.expect_prompt()
    prompt.enter("x")
    prompt.expect("answer to x\r\n")
    prompt.expect_prompt()
    prompt.type(CTRL_D)
    prompt.expect("oneline client: cannot save the history in " + str(unwritable))
    verify(prompt.exit_code(), EXIT_OK, "SRS-092")


@verifies("SRS-092")
def test_a_bad_history_size_is_a_usage_error(start_server, prompts):
    server = start_server("--echo")
    prompt = prompts(server.port, env={"ONELINE_HISTORY_SIZE": "lots"})
    prompt.expect("ONELINE_HISTORY_SIZE must be a number of lines from 0 to 1000000, not 'lots'")
    verify(prompt.exit_code(), EXIT_USAGE, "SRS-092")


@verifies("SRS-093")
def test_a_response_arriving_while_a_line_is_typed_shows_at_once_and_is_redrawn(start_server, prompts, tmp_path):
    gate = tmp_path / "gate"
    # The answer waits until the test opens the gate, i.e. until a line is half typed.
    server = start_server("--exec", 'while [ ! -e "$GATE" ]; do sleep 0.01; done; echo "late $1"',
                          env={**os.environ, "GATE": str(gate)})
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.enter("slow")
    prompt.expect_prompt()
    prompt.type("half typ")
    prompt.expect("half typ")
    gate.touch()
    prompt.expect("late slow\r\n")  # no key pressed since
    prompt.expect(prompt.prompt + "half typ")  # the line, redrawn below the response
    prompt.type("ed\r")
    prompt.expect("late half typed\r\n")
    prompt.expect_prompt()
    prompt.type(CTRL_D)
    verify(prompt.exit_code(), EXIT_OK, "SRS-093")


@verifies("SRS-095")
def test_the_server_stopping_ends_the_prompt_at_once_with_exit_1(start_server, prompts):
    server = start_server("--echo")
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.type("never sent")
    prompt.expect("never sent")
    server.proc.send_signal(signal.SIGTERM)
    verify(server.wait(), 0, "SRS-095")
    prompt.expect(f"oneline client: {HOST}:{server.port} closed the connection")  # no key pressed
    verify(prompt.exit_code(), EXIT_FAILURE, "SRS-095")


@verifies("SRS-094")
def test_typing_shutdown_stops_the_server_and_exits_0(start_server, prompts):
    server = start_server("--echo")
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.enter("shutdown")
    verify(prompt.exit_code(), EXIT_OK, "SRS-094")
    verify(server.wait(), 0, "SRS-094")


@verifies("SRS-096")
def test_ctrl_c_abandons_the_line_being_typed(start_server, prompts):
    server = start_server("--exec", ANSWER)
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.type("junk")
    prompt.expect("junk")
    prompt.type(CTRL_C)
    prompt.expect_prompt()
    prompt.enter("good")
    prompt.expect("answer to ")
    prompt.expect("\r\n")
    verify(prompt.output(), "good", "SRS-096", note="the abandoned text reached the server")
    prompt.expect_prompt()
    prompt.type(CTRL_D)
    verify(prompt.exit_code(), EXIT_OK, "SRS-096")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
@verifies("SRS-096")
def test_a_stop_signal_disconnects_restores_the_terminal_and_exits_1(start_server, prompts, stop):
    server = start_server("--echo", "-v")
    # A shell runs the tool, then shows the terminal's modes after it: edit mode must be gone.
    prompt = prompts(server.port, command=f"{BIN} client -p {server.port}; echo exit=$?; stty -a")
    prompt.expect_prompt()
    prompt.type("half")
    prompt.expect("half")
    tool = subprocess.run(["pgrep", "-P", str(prompt.child.pid), "-x", "oneline"], capture_output=True, text=True,
                          check=False).stdout.split()
    verify(len(tool), 1, "SRS-096", note=tool)
    os.kill(int(tool[0]), stop)
    prompt.expect(f"oneline client: stopped by {signal.Signals(stop).name}")
    prompt.expect("exit=1")
    prompt.child.expect(pexpect.EOF)
    modes = prompt.output().split()
    verify("icanon" in modes and "echo" in modes, true(), "SRS-096", note=modes)
    server.wait_for_stderr("sent disconnect")  # the server was told, not dropped


@verifies("SRS-097")
def test_control_bytes_of_a_response_are_shown_in_caret_notation(start_server, prompts):
    server = start_server("--exec", r'printf "a\033[2Jb\tc\177\n"')
    prompt = prompts(server.port)
    prompt.expect_prompt()
    prompt.enter("x")
    prompt.expect("a^[[2Jb\tc^?\r\n")
    prompt.expect_prompt()
    prompt.type(CTRL_D)
    verify(prompt.exit_code(), EXIT_OK, "SRS-097")


@verifies("SRS-098")
def test_no_prompt_when_stdout_is_not_a_terminal(start_server, prompts, tmp_path):
    server = start_server("--exec", ANSWER)
    out = tmp_path / "out"
    prompt = prompts(server.port, command=f"{BIN} client -p {server.port} > '{out}'; echo exit=$?")
    prompt.enter("typed")
    prompt.type(CTRL_D)
    prompt.expect("exit=0")
    verify(prompt.output().find("oneline "), -1, "SRS-098", note=prompt.output())
    verify(out.read_text(), "answer to typed\n", "SRS-098")


@verifies("SRS-099")
def test_a_typed_line_longer_than_max_line_is_not_sent(start_server, prompts):
    server = start_server("--exec", ANSWER)
    prompt = prompts(server.port, "--max-line", "5")
    prompt.expect_prompt()
    prompt.enter("123456")
    prompt.expect("oneline client: not sent: the line is longer than 5 bytes (--max-line)\r\n")
    prompt.expect_prompt()
    prompt.enter("12345")
    prompt.expect("answer to ")
    prompt.expect("\r\n")
    verify(prompt.output(), "12345", "SRS-099")
    prompt.expect_prompt()
    prompt.type(CTRL_D)
    verify(prompt.exit_code(), EXIT_OK, "SRS-099")
