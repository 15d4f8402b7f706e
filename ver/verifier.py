"""Test protocols, steps and checks: what the verification suite records.

A test protocol (tp-001, tp-002, ...) is one pytest test. It is made of named
steps, and every step of checks. A check names the requirement ids (srs.json)
it verifies and records what was expected, what was seen and the result. The
report (report.py) traces requirements to checks from the JSON written here.

    def test_ping(tp, echo_server):
        with tp.step("send ping"):
            ...
            tp.check(["SRS-004"], "ping is answered with pong", expected=b"pong", actual=line)

A failed check raises CheckFailed (an AssertionError), so the test stops there;
an exception anywhere else inside a step is recorded as a failed check too.
"""

import contextlib
import json
import re
import time

_ID_PATTERN = re.compile(r"^tp-\d{3}$")


def _utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class CheckFailed(AssertionError):
    """A check whose actual value did not meet its expectation."""


def text_of(value, limit=300):
    """A short, JSON-friendly text for an expected or actual value."""
    if isinstance(value, (bytes, bytearray)):
        text = repr(bytes(value))
    elif isinstance(value, str):
        text = value
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Check:
    """One comparison of an actual value with its expectation."""

    def __init__(self, srs, description, expected, actual, passed):
        self.srs = list(srs)
        self.description = description
        self.expected = text_of(expected)
        self.actual = text_of(actual)
        self.result = "pass" if passed else "fail"
        self.time = _utc_now()

    def to_json(self):
        return {
            "time": self.time,
            "srs": self.srs,
            "description": self.description,
            "expected": self.expected,
            "actual": self.actual,
            "result": self.result,
        }


class Step:
    """A named part of a protocol and the checks made in it."""

    def __init__(self, name):
        self.name = name
        self.checks = []
        self.started = _utc_now()

    def to_json(self):
        return {"name": self.name, "started": self.started, "checks": [check.to_json() for check in self.checks]}


class Protocol:
    """The record of one test protocol: its steps, their checks, its outcome."""

    def __init__(self, protocol_id, title, test):
        if not _ID_PATTERN.match(protocol_id):
            raise ValueError(f"protocol id {protocol_id!r} is not of the form tp-NNN")
        self.id = protocol_id
        self.title = title
        self.test = test
        self.steps = []
        self.outcome = "not run"
        self.started = time.time()
        self.duration = 0.0
        self._current = None

    @contextlib.contextmanager
    def step(self, name):
        """Runs the body as the step `name`; an exception in it is recorded as a failed check."""
        step = Step(name)
        self.steps.append(step)
        self._current = step
        try:
            yield step
        except CheckFailed:
            raise
        except Exception as error:
            step.checks.append(Check([], "step runs to completion", "no error", f"{type(error).__name__}: {error}",
                                     False))
            raise
        finally:
            self._current = None

    def check(self, srs, description, expected, actual, passed=None):
        """Records a check of requirements `srs`; raises CheckFailed when it fails.

        Passes when `passed` is true or, when `passed` is None, when actual == expected.
        """
        if self._current is None:
            raise RuntimeError("tp.check() called outside a step")
        if isinstance(srs, str):
            srs = [srs]
        if passed is None:
            passed = actual == expected
        check = Check(srs, description, expected, actual, bool(passed))
        self._current.checks.append(check)
        if not passed:
            raise CheckFailed(f"{self.id} / {self._current.name}: {description}: "
                              f"expected {check.expected}, got {check.actual}")
        return actual

    def record_error(self, phase, text):
        """Records a failure outside any check (fixture set-up or tear-down, an error between steps)."""
        if any(check.result == "fail" for step in self.steps for check in step.checks):
            return
        step = Step(f"pytest {phase}")
        step.checks.append(Check([], f"test {phase} succeeds", "no error", text, False))
        self.steps.append(step)

    def failed(self):
        return any(check.result == "fail" for step in self.steps for check in step.checks)

    def to_json(self):
        return {
            "id": self.id,
            "title": self.title,
            "test": self.test,
            "outcome": self.outcome,
            "duration_s": round(self.duration, 3),
            "steps": [step.to_json() for step in self.steps],
        }


class Registry:
    """Every protocol of a run, and every plain test naming requirements; written as JSON at the end."""

    def __init__(self):
        self.protocols = {}
        self.tests = {}

    def open(self, protocol_id, title, test):
        if protocol_id in self.protocols:
            raise ValueError(f"{protocol_id} is declared by both {self.protocols[protocol_id].test} and {test}")
        protocol = Protocol(protocol_id, title, test)
        self.protocols[protocol_id] = protocol
        return protocol

    def record_test(self, name, srs, report, checks, objective=""):
        """Records one phase's pytest report of test `name`, which names requirements `srs`, and the checks
        (verify.py) it made in that phase.

        The test fails when any phase fails; it passes when its call passed and no phase failed.
        """
        test = self.tests.setdefault(name, {"name": name, "objective": objective, "srs": sorted(srs),
                                            "result": "not run", "started": _utc_now(), "checks": []})
        test["checks"] += checks
        if report.failed:
            test["result"] = "fail"
            if not any(check["result"] == "fail" for check in test["checks"]):
                text = str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "failed"
                test["checks"].append(Check([], f"test {report.when} succeeds", "no error", text, False).to_json())
        elif report.skipped and test["result"] != "fail":
            test["result"] = "skipped"
        elif report.when == "call" and report.passed and test["result"] == "not run":
            test["result"] = "pass"

    def write(self, path):
        data = {
            "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "protocols": [self.protocols[key].to_json() for key in sorted(self.protocols)],
            "tests": [self.tests[key] for key in sorted(self.tests)],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(path)
