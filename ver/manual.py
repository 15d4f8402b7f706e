"""Manual test protocols and their results: the reviewed files ver/manual/*.json.

Each file is one protocol (see ver/README.md):

    {
      "id": "mp-001",
      "title": "...",
      "objective": "...",
      "platform": "where it is run",
      "steps": [
        {"srs": ["SRS-270"], "do": "what the tester does", "expected": "what should be seen",
         "actual": "what was seen", "result": "pass" | "fail" | "not tested",
         "tester": "initials", "date": "YYYY-MM-DD"}
      ]
    }

Every field must be there and no other. A step with a result of pass or fail names what was seen, the
tester's initials and the date; a step not (yet) tested may leave those three empty. Each id must be in
srs.json with a tester of manual or both. load() returns the valid protocols and adds a problem for each fault.
"""

import json
import re

PROTOCOL_FIELDS = ("id", "title", "objective", "platform", "steps")
STEP_FIELDS = ("srs", "do", "expected", "actual", "result", "tester", "date")
RESULTS = ("pass", "fail", "not tested")
_PROTOCOL_ID = re.compile(r"^mp-\d{3}$")
_INITIALS = re.compile(r"^[A-Z]{2,4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fields(where, entry, names, problems):
    if not isinstance(entry, dict):
        problems.append(f"{where}: not a JSON object")
        return False
    missing = [name for name in names if name not in entry]
    unknown = sorted(set(entry) - set(names))
    if missing:
        problems.append(f"{where}: missing field(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    return not missing


def _step(where, step, requirements, problems):
    if not _fields(where, step, STEP_FIELDS, problems):
        return
    for field in ("do", "expected"):
        if not isinstance(step[field], str) or not step[field].strip():
            problems.append(f"{where}: {field} is empty")
    if not isinstance(step["srs"], list) or not step["srs"]:
        problems.append(f"{where}: srs names no requirement")
    else:
        for rid in step["srs"]:
            entry = requirements.get(rid)
            if entry is None:
                problems.append(f"{where}: unknown requirement {rid!r}")
            elif entry.get("tester") not in ("manual", "both"):
                problems.append(f"{where}: {rid} is tested {entry.get('tester')}, not manual or both")
    if step["result"] not in RESULTS:
        problems.append(f"{where}: result {step['result']!r} is not one of {', '.join(RESULTS)}")
    elif step["result"] != "not tested":
        if not str(step["actual"]).strip():
            problems.append(f"{where}: a {step['result']} result with no actual value")
        if not _INITIALS.match(str(step["tester"])):
            problems.append(f"{where}: tester {step['tester']!r} is not initials (2 to 4 capital letters)")
        if not _DATE.match(str(step["date"])):
            problems.append(f"{where}: date {step['date']!r} is not YYYY-MM-DD")


def load(directory, requirements, problems):
    """The manual protocols in `directory`/*.json, validated against `requirements` (id -> srs entry)."""
    protocols = []
    seen = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        where = f"manual results {path.name}"
        before = len(problems)
        try:
            protocol = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            problems.append(f"{where}: cannot read: {error}")
            continue
        if not _fields(where, protocol, PROTOCOL_FIELDS, problems):
            continue
        if not _PROTOCOL_ID.match(str(protocol["id"])):
            problems.append(f"{where}: id {protocol['id']!r} is not of the form mp-NNN")
        elif protocol["id"] in seen:
            problems.append(f"{where}: id {protocol['id']} is also in {seen[protocol['id']]}")
        seen[protocol["id"]] = path.name
        if not isinstance(protocol["steps"], list) or not protocol["steps"]:
            problems.append(f"{where}: no steps")
            continue
        for number, step in enumerate(protocol["steps"], 1):
            _step(f"{where} step {number}", step, requirements, problems)
        if len(problems) == before:  # a faulty file is named in the problems, never half rendered
            protocol["file"] = path.name
            protocols.append(protocol)
    return protocols
