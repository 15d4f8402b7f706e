"""verify(actual, expected, reqids): one check of a test, recorded with its expected and actual values.

    @verifies("SRS-039")
    def test_version():
        result = run("--version")
        verify(result.returncode, EXIT_OK, "SRS-039", "exit code")
        verify(result.stdout, matches_regexp(r"^oneline \\d+\\.\\d+\\.\\d+"), "SRS-039")

`expected` is a value (the check passes when actual == expected) or a PyHamcrest matcher (less_than(5),
matches_regexp(...), is_not(...), includes(...) below, ...), whose description is recorded as the
expected value. `reqids` names the requirements the check verifies: "SRS-001", "SRS-001,SRS-002" or a
list. `what` says what is checked (default: the source line of the call); `note` is added to the message
of a failure (the program's stderr, for instance).

A failed check raises CheckFailed (an AssertionError), so the test stops there, as an assert would.
While the ver suite's conftest records a test, every check is kept and written to the results; run
without it (ctest's --noconftest runs), verify() only checks. A test that records no check is a failure
in the report: a plain assert is no evidence.
"""

import ast
import linecache
import re
import sys
import threading

from hamcrest import equal_to
from hamcrest.core.base_matcher import BaseMatcher
from hamcrest.core.matcher import Matcher
from hamcrest.core.string_description import StringDescription

from verifier import Check, CheckFailed, text_of

_lock = threading.Lock()
_recorded = None  # the running test's checks while the conftest records it, else None


def start_recording():
    global _recorded
    with _lock:
        _recorded = []


def stop_recording():
    """The checks recorded since start_recording(), as JSON-ready dicts; recording stops."""
    global _recorded
    with _lock:
        taken, _recorded = _recorded or [], None
    return taken


def _ids(reqids):
    if isinstance(reqids, str):
        return [part for part in re.split(r"[,\s]+", reqids) if part]
    return list(reqids)


def _call_site(depth):
    """The source of the `actual` argument of the verify() call `depth` frames up, else its whole line."""
    frame = sys._getframe(depth)
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    try:
        call = ast.parse(line).body[0].value
        return ast.get_source_segment(line, call.args[0])
    except (SyntaxError, IndexError, AttributeError):
        return line or frame.f_code.co_name


def verify(actual, expected, reqids, what=None, note=None):
    """Checks `actual` against `expected` for requirements `reqids`; returns actual, raises CheckFailed."""
    matcher = expected if isinstance(expected, Matcher) else equal_to(expected)
    passed = matcher.matches(actual)
    check = Check(_ids(reqids), what or _call_site(2), str(StringDescription().append_description_of(matcher)),
                  actual, passed)
    with _lock:
        if _recorded is not None:
            _recorded.append(check.to_json())
    if not passed:
        mismatch = StringDescription()
        matcher.describe_mismatch(actual, mismatch)
        raise CheckFailed(f"{check.description}: expected {check.expected}, {mismatch}"
                          + (f"\n{text_of(note, 2000)}" if note is not None else ""))
    return actual


class _Includes(BaseMatcher):
    def __init__(self, part):
        self.part = part

    def _matches(self, item):
        try:
            return self.part in item
        except TypeError:
            return False

    def describe_to(self, description):
        description.append_text("includes ").append_description_of(self.part)


def includes(part):
    """Matches text, bytes or a collection that holds `part` (`part in actual`)."""
    return _Includes(part)


class _FullMatch(BaseMatcher):
    def __init__(self, pattern):
        self.pattern = re.compile(pattern)

    def _matches(self, item):
        return isinstance(item, (str, bytes)) and self.pattern.fullmatch(item) is not None

    def describe_to(self, description):
        description.append_text("all of it matches ").append_description_of(self.pattern.pattern)


def fully_matches(pattern):
    """Matches text (or bytes, for a bytes pattern) that `pattern` matches from its start to its end."""
    return _FullMatch(pattern)


class _Truthy(BaseMatcher):
    def __init__(self, wanted):
        self.wanted = wanted

    def _matches(self, item):
        return bool(item) == self.wanted

    def describe_to(self, description):
        description.append_text("true" if self.wanted else "false")


def true():
    """Matches what Python takes as true (True, a non-empty text or list, a match)."""
    return _Truthy(True)


def false():
    """Matches what Python takes as false (False, None, 0, an empty text or list)."""
    return _Truthy(False)
