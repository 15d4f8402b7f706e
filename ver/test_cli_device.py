"""Test protocols: `oneline server --device`, a pyvisa-sim device file served over a real socket.

Driven with PyVISA (pyvisa-py, a TCPIP SOCKET resource) and with `oneline client`; bad files are refused
before the server starts. The device files are the project's own (test/devices). When ONELINE_PYVISA_SIM
names a checkout of pyvisa-sim (tag 0.6.0 runs on Debian's PyVISA; ONELINE_STRINGPARSER may name a
checkout of its stringparser dependency), random command sequences are also compared with its engine;
when ONELINE_PYVISA_SIM_FILES names a checkout of its current release (0.7), PyVISA asks the served example
files what pyvisa-sim's own test suite asserts of them.
"""

import os
import pathlib
import random
import sys

import pytest

import wire

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEVICES = ROOT / "test" / "devices"
POWER_SUPPLY = DEVICES / "power_supply.yaml"
BENCH = DEVICES / "bench.yaml"


def exchange(conn, command, timeout=5.0):
    """The responses to `command`: the lines before the `pong` of a `ping` sent after it."""
    conn.send(command.encode("latin-1") + b"\nping\n")
    lines = []
    while True:
        line = conn.recv_line(timeout)
        if line is None or line == b"pong":
            return lines if line is not None else lines + ["<timeout>"]
        lines.append(line.decode("latin-1"))


@pytest.mark.protocol("tp-200", "PyVISA (pyvisa-py, TCPIP SOCKET) drives a simulated power supply")
def test_pyvisa_drives_the_device(tp, oneline_server):
    pyvisa = pytest.importorskip("pyvisa")
    pytest.importorskip("pyvisa_py")
    server = oneline_server("--device", str(POWER_SUPPLY))
    rm = pyvisa.ResourceManager("@py")
    inst = rm.open_resource(f"TCPIP::127.0.0.1::{server.port}::SOCKET", read_termination="\n",
                            write_termination="\n", timeout=5000)
    try:
        steps = [
            ("SRS-210", "*IDN?", "Oneline Instruments,PS-2000,SN0042,1.0"),
            ("SRS-200", "OUTP?", "0"),
            ("SRS-200", "OUTP 1", "OK"),
            ("SRS-200", "OUTP?", "1"),
            ("SRS-205", "CH1:VOLT 12.50", "OK"),
            ("SRS-205", "CH1:VOLT?", "12.500"),
            ("SRS-205", "CH2:VOLT?", "0.000"),
            ("SRS-201", "CH2:VOLT 31.0", "ERR voltage is 0 to 30"),
            ("SRS-201", "OUTP 7", "ERR unknown command"),
            ("SRS-201", "*ESR?", "32"),
            ("SRS-201", "*ESR?", "0"),
            ("SRS-201", "SYST:ERR?", "-100,Command error"),
            ("SRS-201", "SYST:ERR?", "0,No error"),
            ("SRS-206", "MODE CC;MODE?", "CC"),
        ]
        for srs, query, expected in steps:
            with tp.step(f"query {query!r}"):
                tp.check(srs, "the answer pyvisa-sim's engine gives", expected, inst.query(query))
        with tp.step("a write that answers nothing, then a query"):
            inst.write("*CLS")
            tp.check("SRS-206", "zero responses, so the next query gets its own answer", "1", inst.query("*OPC?"))
    finally:
        inst.close()
        rm.close()


@pytest.mark.protocol("tp-201", "`oneline client` drives the device; several queries in one command")
def test_oneline_client_drives_the_device(tp, oneline_server, oneline):
    server = oneline_server("--device", str(POWER_SUPPLY), "--device-seed", "42")
    with tp.step("commands from stdin, exact mode"):
        result = oneline("client", "-p", str(server.port),
                         stdin_text="*IDN?\nCH2:VOLT 5.00;CH2:VOLT?\n*CLS\nMEAS:NOISE?\nBOGUS\n")
        expected = ("Oneline Instruments,PS-2000,SN0042,1.0\nOK\n5.000\n"
                    "0.00639, 0.00025, 0.00275\nERR unknown command\n")
        tp.check("SRS-210", "each command's responses in order, exit 0", (0, expected),
                 (result.returncode, result.stdout))
        tp.check("SRS-207", "--device-seed 42 draws Python's random.seed(42) values",
                 True, "0.00639, 0.00025, 0.00275" in result.stdout)
    with tp.step("the device keeps its state across clients"):
        result = oneline("client", "-p", str(server.port), "CH2:VOLT?")
        tp.check("SRS-210", "the value set by the previous client", (0, "5.000\n"), (result.returncode, result.stdout))


@pytest.mark.protocol("tp-202", "Several devices in one file: --device-name picks one; none is a usage error")
def test_device_names(tp, oneline_server, oneline):
    with tp.step("two devices, no name"):
        result = oneline("server", "-p", "0", "--device", str(BENCH), timeout=10)
        tp.check("SRS-211", "exit 2, one line listing the names", (2, 1, True),
                 (result.returncode, len(result.stderr.strip().splitlines()),
                  "'supply', 'meter'" in result.stderr and "--device-name" in result.stderr))
    with tp.step("--device-name meter"):
        server = oneline_server("--device", str(BENCH), "--device-name", "meter")
        with wire.connect(server.port) as conn:
            tp.check("SRS-202", "the named device answers", ["Oneline Instruments,meter,1"], exchange(conn, "*IDN?"))
    with tp.step("--device-name that the file lacks"):
        result = oneline("server", "-p", "0", "--device", str(BENCH), "--device-name", "scope", timeout=10)
        tp.check("SRS-211", "exit 2 naming the devices it has", (2, True),
                 (result.returncode, "it has 'supply', 'meter'" in result.stderr))


BAD_FILES = [
    # (what, text, line, words in the message)
    ("YAML syntax", 'spec: "1.1"\ndevices:\n  d:\n    dialogues:\n      - q: [a\n', 6, "YAML syntax"),
    ("an unknown key", 'spec: "1.1"\ndevices:\n  d:\n    dialogs: []\n', 4, "unknown key 'dialogs'"),
    ("a wrong type", 'spec: "1.1"\ndevices:\n  d:\n    dialogues:\n      - q: {a: b}\n', 5, "must be a string"),
    ("a spec that cannot hold", 'spec: "1.1"\ndevices:\n  d:\n    properties:\n      v:\n        default: 9\n'
     '        specs:\n          max: 5\n          type: int\n', 6, "more than the maximum"),
    ("a format that cannot format", 'spec: "1.1"\ndevices:\n  d:\n    properties:\n      v:\n        default: 1.5\n'
     '        getter:\n          q: V?\n          r: "{:d}"\n        specs:\n          type: float\n', 9,
     "cannot format a float"),
    ("a bad RANDOM", 'spec: "1.1"\ndevices:\n  d:\n    dialogues:\n      - q: R?\n        r: "{RANDOM(0, 1):.2f}"\n',
     6, "RANDOM"),
    ("BYTES the line cannot carry", 'spec: "1.1"\ndevices:\n  d:\n    dialogues:\n      - q: B?\n'
     '        r: "BYTES(\\x0a)"\n', 6, "line feed"),
    ("a newer spec", 'spec: "2.0"\ndevices:\n  d:\n    error: E\n', 1, "spec version"),
]


@pytest.mark.protocol("tp-203", "A bad device file never starts the server: one line FILE:LINE, exit 2")
def test_bad_device_files(tp, oneline, tmp_path):
    for what, text, line, words in BAD_FILES:
        path = tmp_path / "bad.yaml"
        path.write_text(text)
        with tp.step(what):
            result = oneline("server", "-p", "0", "--device", str(path), timeout=10)
            lines = result.stderr.strip().splitlines()
            tp.check("SRS-211", f"exit 2, one line naming {path.name}:{line} and saying '{words}'", (2, 1, True, True),
                     (result.returncode, len(lines), f"{path}:{line}: " in result.stderr, words in result.stderr))
            tp.check("SRS-203", "the server never listened", False, "listening on" in result.stderr)
    with tp.step("a file that cannot be read"):
        result = oneline("server", "-p", "0", "--device", str(tmp_path / "missing.yaml"), timeout=10)
        tp.check("SRS-211", "exit 1 saying it cannot be read", (1, True),
                 (result.returncode, "cannot read" in result.stderr))
    with tp.step("--device with --echo"):
        result = oneline("server", "-p", "0", "--device", str(POWER_SUPPLY), "--echo", timeout=10)
        tp.check("SRS-211", "one behaviour at a time: exit 2", 2, result.returncode)


@pytest.mark.protocol("tp-204", "-v logs which rule of the file answered each query")
def test_verbose_names_the_rule(tp, oneline_server):
    server = oneline_server("--device", str(POWER_SUPPLY), "-v")
    with wire.connect(server.port) as conn:
        exchange(conn, "OUTP?;BOGUS")
    with tp.step("the log"):
        getter = server.wait_for(r"'OUTP\?' -> getter of 'output' \(line \d+\)", timeout=5, stream="stderr")
        error = server.wait_for(r"'BOGUS' -> no rule: the command error", timeout=5, stream="stderr")
        tp.check("SRS-209", "a line per query naming its rule and line", (True, True), (bool(getter), bool(error)))


# ---- the differential check against pyvisa-sim's own engine ----

def _pyvisa_sim():
    checkout = os.environ.get("ONELINE_PYVISA_SIM")
    if not checkout:
        pytest.skip("set ONELINE_PYVISA_SIM to a pyvisa-sim checkout to compare with its engine")
    for path in (checkout, os.environ.get("ONELINE_STRINGPARSER")):
        if path and path not in sys.path:
            sys.path.insert(0, path)
    yaml = pytest.importorskip("yaml")
    parser = pytest.importorskip("pyvisa_sim.parser")
    return pathlib.Path(checkout), yaml, parser


def _commands(device, rng, count):
    """Random commands built from a device's own queries and setters, with good and bad values."""
    queries, templates = [], []

    def gather(component, ids):
        for dialogue in component.get("dialogues", []) or []:
            if "RANDOM" not in str(dialogue.get("r", "")):
                queries.append(dialogue["q"].strip(" "))
        for prop in (component.get("properties", {}) or {}).values():
            if "getter" in prop and "RANDOM" not in prop["getter"].get("r", ""):
                queries.append(prop["getter"]["q"].strip(" "))
            if "setter" in prop:
                templates.append(prop["setter"]["q"].strip(" "))
        if ids:
            queries[:] = [q.replace("{ch_id}", rng.choice(ids + ["9"])) if "{ch_id}" in q else q for q in queries]

    gather(device, [])
    error = device.get("error", {})
    if isinstance(error, dict):
        for item in error.get("status_register", []) + error.get("error_queue", []):
            queries.append(item["q"])
    channel_ids = []
    for group in (device.get("channels", {}) or {}).values():
        channel_ids += group.get("ids", [])
        gather(group, group.get("ids", []))
    values = ["0", "1", "2", "5", "7", "23", "-1.0", "0.5", "1.2", "3.80", "10.3", "12.50", "99.9", "P25V", "CV", "CC",
              "xyz", "", "1e3"]

    def fill(template):
        text = template.replace("{ch_id}", rng.choice(channel_ids + ["9"]) if channel_ids else "1")
        start = text.find("{")
        end = text.find("}", start)
        return text if start < 0 else text[:start] + rng.choice(values) + text[end + 1:]

    commands = []
    for _ in range(count):
        parts = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            kind = rng.random()
            if kind < 0.45 and templates:
                parts.append(fill(rng.choice(templates)))
            elif kind < 0.95 and queries:
                part = rng.choice(queries)
                parts.append(part.replace("{ch_id}", rng.choice(channel_ids + ["9"])) if channel_ids else part)
            else:
                parts.append(rng.choice(["BOGUS", "", "?", "*IDN"]))
        commands.append(";".join(parts))
    return commands


@pytest.mark.protocol("tp-205", "Random command sequences get the answers pyvisa-sim's engine gives")
def test_differential_against_pyvisa_sim(tp, oneline_server, tmp_path):
    checkout, yaml, parser = _pyvisa_sim()
    cases = [(POWER_SUPPLY, "PS-2000"), (BENCH, "supply")]
    for name in ("device 1", "device 2", "device 3", "device 4"):
        cases.append((checkout / "pyvisa_sim" / "default.yaml", name))
    for name in ("device 1", "device 2"):
        cases.append((checkout / "pyvisa_sim" / "testsuite" / "fixtures" / "channels.yaml", name))
    rng = random.Random(2026)
    for path, name in cases:
        data = yaml.load(path.read_text(), Loader=yaml.loader.BaseLoader)
        device = data["devices"][name]
        # pyvisa-sim serves a device only through a resource; an LF-terminated one is added to a copy.
        device.setdefault("eom", {})["ASRL INSTR"] = {"q": "\n", "r": "\n"}
        data["resources"] = {"ASRL1::INSTR": {"device": name}}
        copy = tmp_path / f"sim-{len(list(tmp_path.iterdir()))}.yaml"
        copy.write_text(yaml.dump(data))
        commands = _commands(device, rng, 300)
        with tp.step(f"{path.name} {name!r}: {len(commands)} commands"):
            sim = parser.get_devices(str(copy), False)["ASRL1::INSTR"]
            server = oneline_server("--device", str(path), "--device-name", name)
            mismatches, compared, raised = [], 0, 0
            with wire.connect(server.port) as conn:
                for command in commands:
                    try:
                        sim.write(command.encode() + b"\n")
                    except Exception:  # pyvisa-sim raises where a str meets a numeric format
                        raised += 1
                        sim._output_buffer.clear()
                        exchange(conn, command)
                        continue
                    expected = bytes(sim._output_buffer).decode("latin-1").split("\n")[:-1]
                    sim._output_buffer.clear()
                    actual = exchange(conn, command)
                    compared += 1
                    if actual != expected and len(mismatches) < 5:
                        mismatches.append((command, expected, actual))
            tp.check("SRS-200", f"the same answers for {compared} commands ({raised} that pyvisa-sim raised on "
                     "not compared)", [], mismatches)


# What pyvisa-sim's own test suite asserts of its example files (test_all.py, test_channel.py), asked
# here through PyVISA over the socket: (file under the checkout, device, [(query or None for a write,
# the command, the answer)]).
SUITE_ASSERTIONS = [
    ("pyvisa_sim/default.yaml", "device 1", [
        ("q", "?IDN", "LSG Serial #1234"), ("w", "*RST", None),
        ("q", "?FREQ", "100.00"), ("q", "!FREQ 10.3", "OK"), ("q", "?FREQ", "10.30"),
        ("q", "?AMP", "1.00"), ("q", "!AMP 3.8", "OK"), ("q", "?AMP", "3.80"),
        ("q", "?OFF", "0.00"), ("q", "!OFF 1.2", "OK"), ("q", "?OFF", "1.20"),
        ("q", "?OUT", "0"), ("q", "!OUT 1", "OK"), ("q", "?OUT", "1"),
        ("q", "?WVF", "0"), ("q", "!WVF 1", "OK"), ("q", "?WVF", "1"), ("q", "!CAL", "OK"),
        ("q", "!WVF 23", "ERROR"), ("q", "!AMP -1.0", "ERROR"), ("q", "!AMP 11.0", "ERROR"),
        ("q", "!FREQ 0.0", "FREQ_ERROR"), ("q", "BOGUS_COMMAND", "ERROR")]),
    ("pyvisa_sim/default.yaml", "device 2", [
        ("w", "FAKE_COMMAND", None), ("q", "*ESR?", "32"), ("w", ":VOLT:IMM:AMPL 2.00", None),
        ("q", "*ESR?", "0"), ("w", ":VOLT:IMM:AMPL 0.5", None), ("q", "*ESR?", "32"),
        ("w", ":VOLT:IMM:AMPL 6.5", None), ("q", "*ESR?", "32")]),
    ("pyvisa_sim/default.yaml", "device 3", [("q", "FAKE_COMMAND", "INVALID_COMMAND"), ("q", "*ESR?", "32")]),
    ("pyvisa_sim/default.yaml", "device 4", [
        ("q", ":SYST:ERR?", "0, No Error"), ("w", "FAKE COMMAND", None), ("q", ":SYST:ERR?", "1, Command error"),
        ("w", ":VOLT:IMM:AMPL 0", None), ("q", ":SYST:ERR?", "1, Command error")]),
    ("pyvisa_sim/testsuite/fixtures/channels.yaml", "device 1", [
        ("q", "I?", "1"), ("q", "F?", "1.000"), ("w", "F 5.0", None), ("q", "F?", "5.000"),
        ("q", "I 2;F?", "1.000")]),
    ("pyvisa_sim/testsuite/fixtures/channels.yaml", "device 2", [
        ("q", "CH 1:VOLT:IMM:AMPL?", "+1.00000000E+00"), ("w", "CH 1:VOLT:IMM:AMPL 2.0", None),
        ("q", "CH 1:VOLT:IMM:AMPL?", "+2.00000000E+00"), ("q", "CH 2:VOLT:IMM:AMPL?", "+1.00000000E+00")]),
]


@pytest.mark.protocol("tp-206", "PyVISA against --device with pyvisa-sim's own files: its test suite's assertions")
def test_pyvisa_sim_suite_assertions(tp, oneline_server):
    checkout = os.environ.get("ONELINE_PYVISA_SIM_FILES")
    if not checkout:
        pytest.skip("set ONELINE_PYVISA_SIM_FILES to a checkout of pyvisa-sim's current release (0.7) to use its files")
    pyvisa = pytest.importorskip("pyvisa")
    pytest.importorskip("pyvisa_py")
    rm = pyvisa.ResourceManager("@py")
    try:
        for file, name, steps in SUITE_ASSERTIONS:
            server = oneline_server("--device", str(pathlib.Path(checkout) / file), "--device-name", name)
            inst = rm.open_resource(f"TCPIP::127.0.0.1::{server.port}::SOCKET", read_termination="\n",
                                    write_termination="\n", timeout=5000)
            try:
                for kind, command, expected in steps:
                    with tp.step(f"{pathlib.Path(file).name} {name!r}: {command!r}"):
                        if kind == "w":
                            inst.write(command)
                            continue
                        tp.check("SRS-200", "the answer pyvisa-sim's test suite asserts", expected, inst.query(command))
            finally:
                inst.close()
    finally:
        rm.close()
