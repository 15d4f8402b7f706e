#!/usr/bin/python3
"""Writes the verification reports of a run: Test Protocol, Test Report, Trace Matrix and Summary.

Reads, under OUT (out/ver), what the run left (ver/README.md describes each shape):
  - run.json: the run details (ver/run_details.py begin; written here when missing);
  - for each platform (linux, posix, windows) that has results, the directory OUT/PLATFORM with
    platform.json (ver/run_details.py platform), ver_results.json (the ver suite's test protocols and
    tool tests, written by conftest.py) and gtest/*.xml (GoogleTest XML: a test names its requirements
    with RecordProperty("srs", "SRS-001,SRS-016") or with _SRSnnn at the end of its name);
  - the manual protocols and their results, ver/manual/*.json (ver/manual.py);
  - OUT/coverage.txt (gcovr's summary), when there.
Writes OUT/test_protocol, test_report, trace and summary as .md, .html and .pdf, trace.json and
summary.json, and OUT/SHA256SUMS over them and the binaries tested (`cd OUT && sha256sum -c SHA256SUMS`).
Exits 1, naming each problem, when anything failed, an automatic requirement has no passing check, a
check names an unknown requirement, a test recorded no check, a manual file is faulty, or (in a formal
or dryrun run) a manual requirement has no result.

usage: report.py [--srs srs.json] [--out out/ver] [--manual ver/manual]
"""

import argparse
import hashlib
import json
import os
import pathlib
import re
import sys
import xml.etree.ElementTree as ElementTree

import manual
import run_details
from render import Document

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLATFORMS = ("linux", "posix", "windows")
GROUPS = ("server", "client", "cli")
TESTERS = ("auto", "manual", "both")
ID_PATTERN = re.compile(r"^SRS-\d{3}$")
NAME_ID = re.compile(r"_SRS(\d{3})(?=_|$)")  # a test named Server_AnswersPing_SRS004 verifies SRS-004
RESULTS_NAME = "ver_results.json"
NOT_TESTED = "not tested"


def load_requirements(path, problems):
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        problems.append(f"cannot read requirements {path}: {error}")
        return {}
    requirements = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        rid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(rid, str) or not ID_PATTERN.match(rid):
            problems.append(f"{path.name} entry {index}: id {rid!r} is not of the form SRS-NNN")
            continue
        if rid in requirements:
            problems.append(f"{path.name}: {rid} appears twice")
        if entry.get("group") not in GROUPS:
            problems.append(f"{rid}: group {entry.get('group')!r} is not one of {', '.join(GROUPS)}")
        if entry.get("tester") not in TESTERS:
            problems.append(f"{rid}: tester {entry.get('tester')!r} is not one of {', '.join(TESTERS)}")
        if not str(entry.get("description", "")).strip():
            problems.append(f"{rid}: no description")
        requirements[rid] = entry
    if not requirements:
        problems.append(f"{path}: no requirements")
    return requirements


def _srs_ids(text):
    return [part.strip() for part in re.split(r"[,\s]+", text or "") if part.strip()]


def load_gtest(directory, problems):
    """Every test case run in the gtest XML files under `directory`: name, result, srs ids."""
    cases = []
    for file in sorted(directory.glob("*.xml")) if directory.is_dir() else []:
        try:
            tree = ElementTree.parse(file)
        except ElementTree.ParseError as error:
            problems.append(f"cannot parse gtest output {file.name}: {error}")
            continue
        for case in tree.iter("testcase"):
            # A case with no status is a listing (--gtest_list_tests with XML output, as ctest's discovery
            # before each test writes under Wine), not a run: it is no evidence.
            if case.get("status") != "run" or case.get("result") in ("skipped", "suppressed"):
                continue
            if case.find("skipped") is not None:
                result = "skipped"
            elif case.find("failure") is not None or case.find("error") is not None:
                result = "fail"
            else:
                result = "pass"
            ids = _srs_ids(case.get("srs")) + [f"SRS-{number}" for number in NAME_ID.findall(case.get("name", ""))]
            for prop in case.iter("property"):
                if prop.get("name") == "srs":
                    ids += _srs_ids(prop.get("value"))
            cases.append({"name": f"{case.get('classname')}.{case.get('name')}", "file": file.name,
                          "result": result, "srs": sorted(set(ids)), "time_s": case.get("time", "")})
    return cases


def _tool_test_protocol(test):
    """A test of the tool (verify.py checks) in the shape of a test protocol with one step."""
    name = test["name"].removeprefix("ver/")
    function = name.rpartition("::")[2]
    readable = function.removeprefix("test_").replace("_", " ")
    return {"id": name, "title": test.get("objective") or readable, "test": test["name"], "kind": "tool test",
            "outcome": test["result"], "srs": test.get("srs", []),
            "steps": [{"name": "", "started": test.get("started", ""), "checks": test.get("checks", [])}]}


def load_platform(name, directory, problems):
    """The results of one platform's run, or None when it has none."""
    results = directory / RESULTS_NAME
    gtest_dir = directory / "gtest"
    if not results.is_file() and not gtest_dir.is_dir():
        return None
    local = []
    protocols = []
    if results.is_file():
        try:
            data = json.loads(results.read_text())
            protocols = [dict(protocol, kind="test protocol") for protocol in data.get("protocols", [])]
            protocols += [_tool_test_protocol(test) for test in data.get("tests", [])]
        except (OSError, ValueError, KeyError) as error:
            local.append(f"cannot read {results}: {error}")
    else:
        local.append(f"no ver suite results ({results})")
    try:
        details = json.loads((directory / run_details.PLATFORM_FILE).read_text())
    except (OSError, ValueError):
        details = {"name": name}
    gtests = load_gtest(gtest_dir, local)
    problems += [f"[{name}] {problem}" for problem in local]
    return {"name": name, "details": details, "protocols": protocols, "gtests": gtests}


def _add(evidence, rid, item, where, problems):
    if rid not in evidence:
        problems.append(f"{where} names unknown requirement {rid}")
        return
    evidence[rid].append(item)


def platform_evidence(requirements, platform, problems):
    """requirement id -> [{kind, ref, result}] from one platform's protocols and unit tests."""
    evidence = {rid: [] for rid in requirements}
    tag = f"[{platform['name']}]"
    for protocol in platform["protocols"]:
        if protocol.get("outcome") not in ("pass", "skipped"):
            problems.append(f"{tag} {protocol['id']} ({protocol['test']}) {protocol.get('outcome')}")
        if protocol.get("outcome") == "skipped":
            continue
        checks = [check for step in protocol["steps"] for check in step["checks"]]
        if not checks and protocol.get("outcome") == "pass":
            problems.append(f"{tag} {protocol['id']} passed but recorded no check (plain asserts are no evidence: "
                            "record each one with verify(), ver/README.md)")
        for number, step in enumerate(protocol["steps"], 1):
            for check in step["checks"]:
                ref = f"{protocol['id']}/{number}" if protocol["kind"] == "test protocol" else protocol["id"]
                where = f"{tag} {ref} check \"{check['description']}\""
                if check["result"] != "pass":
                    problems.append(f"{where} failed: expected {check['expected']}, got {check['actual']}")
                for rid in check["srs"]:
                    _add(evidence, rid, {"kind": protocol["kind"], "ref": ref, "result": check["result"]}, where,
                         problems)
    for case in platform["gtests"]:
        if case["result"] == "fail":
            problems.append(f"{tag} gtest {case['name']} failed")
        if case["result"] == "skipped":
            continue
        for rid in case["srs"]:
            _add(evidence, rid, {"kind": "unit test", "ref": case["name"], "result": case["result"]},
                 f"{tag} gtest {case['name']}", problems)
    return evidence


def manual_evidence(requirements, protocols):
    evidence = {rid: [] for rid in requirements}
    for protocol in protocols:
        for number, step in enumerate(protocol["steps"], 1):
            for rid in step["srs"]:
                evidence[rid].append({"kind": "manual", "ref": f"{protocol['id']}/{number}", "result": step["result"]})
    return evidence


def _result_of(items):
    if not items:
        return None
    if any(item["result"] == "fail" for item in items):
        return "fail"
    if any(item["result"] == NOT_TESTED for item in items):
        return NOT_TESTED
    return "pass"


def trace(requirements, platforms, manual_protocols, run_type, problems):
    """Each requirement's result per platform, from the manual results, and overall."""
    per_platform = {platform["name"]: platform_evidence(requirements, platform, problems) for platform in platforms}
    by_hand = manual_evidence(requirements, manual_protocols)
    strict = run_type in ("formal", "dryrun")
    rows = []
    for rid, entry in requirements.items():
        results = {name: _result_of(evidence[rid]) for name, evidence in per_platform.items()}
        automatic = [result for result in results.values() if result]
        by_hand_result = _result_of(by_hand[rid])
        tester = entry.get("tester")
        if tester in ("manual", "both") and by_hand_result is None:
            by_hand_result = NOT_TESTED
        if "fail" in automatic or by_hand_result == "fail":
            result = "fail"
        elif tester in ("auto", "both") and "pass" not in automatic:
            result = NOT_TESTED
            problems.append(f"{rid} has no passing automatic check ({entry['description']})")
        elif by_hand_result == NOT_TESTED:
            result = NOT_TESTED
            if strict:
                problems.append(f"{rid} is a manual requirement with no result: a {run_type} run needs one "
                                "(ver/manual/*.json)")
        else:
            result = "pass"
        evidence = [dict(item, platform=name) for name, platform_items in per_platform.items()
                    for item in platform_items[rid]] + [dict(item, platform="manual") for item in by_hand[rid]]
        rows.append(dict(entry, results=results, manual=by_hand_result, result=result, evidence=evidence))
    return rows


def _upper(result):
    return result.upper() if result else "—"


def _summarise_evidence(items):
    refs = {}
    for item in items:
        refs.setdefault(item["ref"], []).append(item["result"])
    parts = []
    for ref, results in refs.items():
        failed = results.count("fail")
        note = f" ({len(results)} checks" + (f", {failed} failed)" if failed else ")") if len(results) > 1 else ""
        parts.append(ref + note + (" FAILED" if failed and len(results) == 1 else ""))
    return ", ".join(parts) if parts else "—"


def details_rows(details, platforms):
    rows = [("Run type", details["run_type"]), ("Run id", details["run_id"]), ("Date and time", details["date"]),
            ("oneline version", details["version"]), ("Git commit", details["commit"]),
            ("Uncommitted changes", "yes" if details["uncommitted_changes"] else "no")]
    for platform in platforms:
        info = platform["details"]
        rows.append((f"Platform {platform['name']}",
                     f"{info.get('os', '?')}, {info.get('architecture', '?')}, backend {info.get('backend', '?')}, "
                     f"compiler {info.get('compiler', '?')}, build {info.get('build', '?')}"
                     + (f", its oneline --version: {info['tool_version']}" if info.get("tool_version") else "")))
    rows.append(("Tester", details["tester"]))
    return rows


def _short_time(stamp):
    return stamp[11:19] if len(stamp) >= 19 else stamp


def _expected_text(step, check):
    return f"{step['name']}: {check['description']}" if step["name"] else check["description"]


def test_protocol(details, platforms, manual_protocols):
    document = Document("test_protocol", "Test Protocol", details)
    document.paragraph("What each test protocol does and expects, step by step, for review before a run. The "
                       "automatic protocols are listed as the ver suite recorded them; the results are in the Test "
                       "Report.")
    source = platforms[0] if platforms else None
    if source:
        document.heading(f"Automatic protocols (as recorded on {source['name']})")
        for protocol in source["protocols"]:
            document.heading(f"{protocol['id']}: {protocol['title']}", 3)
            document.paragraph(f"Objective: {protocol['title']}. Kind: {protocol['kind']}; test {protocol['test']}.")
            rows = []
            for number, step in enumerate(protocol["steps"], 1):
                for index, check in enumerate(step["checks"], 1):
                    rows.append([f"{number}.{index}", ", ".join(check["srs"]) or "—", _expected_text(step, check),
                                 check["expected"]])
            if rows:
                document.table(["Step", "Requirements", "What is done", "Expected"], rows, [1, 2, 8, 6])
            else:
                document.paragraph("No check recorded (the protocol was skipped here, or failed before its first).")
        document.heading("Unit tests naming requirements")
        document.table(["Unit test", "Requirements"],
                       [[case["name"], ", ".join(case["srs"])] for case in source["gtests"] if case["srs"]], [8, 3])
    document.heading("Manual protocols")
    for protocol in manual_protocols:
        document.heading(f"{protocol['id']}: {protocol['title']}", 3)
        document.paragraph(f"Objective: {protocol['objective']} Platform: {protocol['platform']}. "
                           f"File: ver/manual/{protocol['file']}.")
        document.table(["Step", "Requirements", "What is done", "Expected"],
                       [[str(number), ", ".join(step["srs"]), step["do"], step["expected"]]
                        for number, step in enumerate(protocol["steps"], 1)], [1, 2, 8, 6])
    if not manual_protocols:
        document.paragraph("None.")
    return document


def _signature_table(document, manual_protocols):
    rows = []
    for protocol in manual_protocols:
        for number, step in enumerate(protocol["steps"], 1):
            rows.append([protocol["id"], str(number), step["result"].upper(), step["tester"] or "—",
                         step["date"] or "—", ""])
    document.heading("Signatures of the testers", 3)
    document.paragraph("Each tester initials and signs the steps they ran; a step not tested has no tester.")
    document.table(["Protocol", "Step", "Result", "Tester (initials)", "Date", "Signature"], rows, [2, 1, 2, 2, 2, 5])


def test_report(details, platforms, manual_protocols):
    document = Document("test_report", "Test Report", details)
    for platform in platforms:
        document.heading(f"Platform {platform['name']}")
        for protocol in platform["protocols"]:
            document.heading(f"{protocol['id']}: {protocol['title']} — {protocol['outcome'].upper()}", 3)
            rows = []
            for number, step in enumerate(protocol["steps"], 1):
                for index, check in enumerate(step["checks"], 1):
                    rows.append([f"{number}.{index}", ", ".join(check["srs"]) or "—", _expected_text(step, check),
                                 check["expected"], check["actual"], check["result"].upper(),
                                 _short_time(check.get("time", step.get("started", "")))])
            if rows:
                document.table(["Step", "Requirements", "Check", "Expected", "Actual", "Result", "Time (UTC)"], rows,
                               [1, 2, 6, 5, 5, 1.3, 1.6])
            else:
                document.paragraph("No check recorded.")
        gtests = platform["gtests"]
        document.heading(f"Unit tests on {platform['name']}", 3)
        document.paragraph(f"{len(gtests)} unit tests ran: {sum(1 for g in gtests if g['result'] == 'pass')} passed, "
                           f"{sum(1 for g in gtests if g['result'] == 'fail')} failed, "
                           f"{sum(1 for g in gtests if g['result'] == 'skipped')} skipped. Those naming requirements:")
        document.table(["Unit test", "Requirements", "Result"],
                       [[g["name"], ", ".join(g["srs"]), g["result"].upper()] for g in gtests if g["srs"]], [8, 3, 1])
    document.heading("Manual protocols")
    for protocol in manual_protocols:
        document.heading(f"{protocol['id']}: {protocol['title']}", 3)
        document.paragraph(f"Platform: {protocol['platform']}.")
        document.table(["Step", "Requirements", "What is done", "Expected", "Actual", "Result", "Tester", "Date"],
                       [[str(number), ", ".join(step["srs"]), step["do"], step["expected"], step["actual"] or "—",
                         step["result"].upper(), step["tester"] or "—", step["date"] or "—"]
                        for number, step in enumerate(protocol["steps"], 1)], [1, 2, 5, 4, 4, 1.5, 1.2, 1.8])
    if manual_protocols:
        _signature_table(document, manual_protocols)
    else:
        document.paragraph("None.")
    return document


def trace_document(details, rows, platform_names, problems):
    document = Document("trace", "Trace Matrix", details)
    document.paragraph(f"Result: {'FAIL' if problems else 'PASS'}. A requirement passes when every check of it "
                       "passed on each platform it was tested on (— : not tested there); a failure anywhere fails it.")
    if problems:
        document.heading("Problems")
        document.items(problems)
    document.heading("Requirements")
    header = ["Requirement", "Group", "Tester", *platform_names, "Manual", "Result", "Checks", "Description"]
    table = []
    for row in rows:
        per_platform = [_upper(row["results"].get(name)) for name in platform_names]
        table.append([row["id"], row["group"], row["tester"], *per_platform, _upper(row["manual"]),
                      row["result"].upper(), str(len(row["evidence"])), row["description"]])
    document.table(header, table, [1.6, 1, 1] + [1.1] * len(platform_names) + [1.2, 1.3, 1, 14])
    # Outside the table: a widely tested requirement has more checks than a table row can hold on a page.
    document.heading("What verifies each requirement")
    document.paragraph("tp-NNN/S is step S of test protocol tp-NNN; FILE.py::test is a test of the tool (its "
                       "checks); Suite.Test is a unit test; mp-NNN/S is step S of a manual protocol.")
    lines = []
    for row in rows:
        parts = []
        for name in [*platform_names, "manual"]:
            items = [item for item in row["evidence"] if item["platform"] == name]
            if items:
                parts.append(f"{name}: {_summarise_evidence(items)}")
        lines.append(f"{row['id']} ({row['result'].upper()}): " + ("; ".join(parts) if parts else "nothing"))
    document.items(lines)
    return document


def _percent(count, total):
    return f"{count} ({100.0 * count / total:.1f}%)" if total else "0"


def summary_data(rows, platforms, manual_protocols, coverage, digests, problems):
    by_tester = {}
    for kind in TESTERS:
        chosen = [row for row in rows if row["tester"] == kind]
        by_tester[kind] = {"total": len(chosen), "pass": sum(1 for row in chosen if row["result"] == "pass"),
                           "fail": sum(1 for row in chosen if row["result"] == "fail"),
                           NOT_TESTED: sum(1 for row in chosen if row["result"] == NOT_TESTED)}
    protocols = {}
    for platform in platforms:
        outcomes = [protocol["outcome"] for protocol in platform["protocols"]]
        gtests = [case["result"] for case in platform["gtests"]]
        protocols[platform["name"]] = {
            "protocols": len(outcomes), "passed": outcomes.count("pass"), "skipped": outcomes.count("skipped"),
            "failed": len(outcomes) - outcomes.count("pass") - outcomes.count("skipped"),
            "checks": sum(len(step["checks"]) for protocol in platform["protocols"] for step in protocol["steps"]),
            "unit_tests": len(gtests), "unit_tests_failed": gtests.count("fail")}
    steps = [step["result"] for protocol in manual_protocols for step in protocol["steps"]]
    return {"result": "fail" if problems else "pass", "requirements": len(rows), "by_tester": by_tester,
            "rows": [{"id": row["id"], "tester": row["tester"], "result": row["result"]} for row in rows],
            "platforms": protocols,
            "manual": {"protocols": len(manual_protocols), "steps": len(steps), "passed": steps.count("pass"),
                       "failed": steps.count("fail"), NOT_TESTED: steps.count(NOT_TESTED)},
            "line_coverage": coverage, "binaries": digests, "problems": problems}


def summary_document(details, summary):
    document = Document("summary", "Summary", details)
    document.paragraph(f"Result: {summary['result'].upper()}, {summary['requirements']} requirements.")
    document.heading("Requirements by tester kind")
    rows = []
    for kind, counts in summary["by_tester"].items():
        total = counts["total"]
        rows.append([kind, str(total), _percent(counts["pass"], total), _percent(counts["fail"], total),
                     _percent(counts[NOT_TESTED], total)])
    document.table(["Tester", "Requirements", "PASS", "FAIL", "Not tested"], rows)
    document.heading("Protocols")
    document.table(["Platform", "Protocols and tool tests", "Passed", "Failed", "Skipped", "Checks", "Unit tests",
                    "Unit tests failed"],
                   [[name, str(item["protocols"]), str(item["passed"]), str(item["failed"]), str(item["skipped"]),
                     str(item["checks"]), str(item["unit_tests"]), str(item["unit_tests_failed"])]
                    for name, item in summary["platforms"].items()])
    by_hand = summary["manual"]
    document.paragraph(f"Manual: {by_hand['protocols']} protocols, {by_hand['steps']} steps: {by_hand['passed']} "
                       f"passed, {by_hand['failed']} failed, {by_hand[NOT_TESTED]} not tested.")
    document.heading("Requirements")
    document.table(["Requirement", "Tester", "Result"],
                   [[row["id"], row["tester"], row["result"].upper()] for row in summary["rows"]], [1, 1, 1])
    document.heading("Line coverage")
    coverage = summary["line_coverage"] or "not measured in this run"
    document.paragraph(f"Line coverage of src/ (linux, gcovr): {coverage}.")
    document.heading("Digests")
    document.paragraph("SHA-256 of the binaries tested. SHA256SUMS beside this report holds these and the digests "
                       "of every report file (check with: cd out/ver && sha256sum -c SHA256SUMS).")
    document.table(["Binary", "SHA-256"], [[item["path"], item["sha256"]] for item in summary["binaries"]], [3, 4])
    if summary["problems"]:
        document.heading("Problems")
        document.items(summary["problems"])
    return document


def read_coverage(path):
    try:
        match = re.search(r"^lines: ([0-9.]+%[^\n]*)", path.read_text(), re.M)
    except OSError:
        return None
    return match.group(1).strip() if match else None


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def binary_digests(platforms, problems):
    digests = []
    for platform in platforms:
        for relative in platform["details"].get("binaries", []):
            path = ROOT / relative
            if path.is_file():
                digests.append({"platform": platform["name"], "path": relative, "file": path,
                                "sha256": _sha256(path)})
            else:
                problems.append(f"[{platform['name']}] binary tested {relative} is gone")
    return digests


def write_sums(out, files, digests):
    """OUT/SHA256SUMS, each path relative to OUT, so that `sha256sum -c` works from there."""
    lines = [f"{_sha256(path)}  {os.path.relpath(path, out)}" for path in files]
    lines += [f"{item['sha256']}  {os.path.relpath(item['file'], out)}" for item in digests]
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--srs", type=pathlib.Path, default=ROOT / "srs.json")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "ver")
    parser.add_argument("--manual", type=pathlib.Path, default=ROOT / "ver" / "manual")
    args = parser.parse_args(argv)
    out = args.out.resolve()

    if not (out / run_details.RUN_FILE).is_file() and run_details.main(["begin", "--out", str(out)]) != 0:
        return 1
    details = json.loads((out / run_details.RUN_FILE).read_text())
    problems = []
    requirements = load_requirements(args.srs, problems)
    manual_protocols = manual.load(args.manual, requirements, problems)
    platforms = [platform for name in PLATFORMS
                 if (platform := load_platform(name, out / name, problems)) is not None]
    if not platforms:
        problems.append(f"no results of any platform under {out} ({', '.join(PLATFORMS)})")
    for platform in platforms:
        said = platform["details"].get("tool_version")
        if said is not None and details["version"] not in said.split():
            problems.append(f"[{platform['name']}] the tool tested says {said!r} to --version, CMakeLists.txt says "
                            f"{details['version']} (a stale build?)")
    if details["run_type"] == "formal" and details["uncommitted_changes"]:
        problems.append("a formal run of a tree with uncommitted changes")
    rows = trace(requirements, platforms, manual_protocols, details["run_type"], problems)
    digests = binary_digests(platforms, problems)
    summary = summary_data(rows, platforms, manual_protocols, read_coverage(out / "coverage.txt"),
                           [{key: item[key] for key in ("platform", "path", "sha256")} for item in digests], problems)
    header = details_rows(details, platforms)
    names = [platform["name"] for platform in platforms]

    written = []
    for document in (test_protocol(header, platforms, manual_protocols),
                     test_report(header, platforms, manual_protocols),
                     trace_document(header, rows, names, problems), summary_document(header, summary)):
        written += document.write(out)
    trace_json = {"run": details, "result": summary["result"], "problems": problems,
                  "platforms": {platform["name"]: platform["details"] for platform in platforms},
                  "requirements": rows,
                  "protocols": {platform["name"]: platform["protocols"] for platform in platforms},
                  "gtest": {platform["name"]: platform["gtests"] for platform in platforms},
                  "manual": manual_protocols}
    (out / "trace.json").write_text(json.dumps(trace_json, indent=2) + "\n")
    (out / "summary.json").write_text(json.dumps(dict(summary, run=details), indent=2) + "\n")
    written += [out / "trace.json", out / "summary.json"]
    write_sums(out, written, digests)

    for problem in problems:
        print(f"report: {problem}", file=sys.stderr)
    counts = summary["by_tester"]
    print("report: " + "; ".join(f"{kind} {c['total']}: {c['pass']} pass, {c['fail']} fail, {c[NOT_TESTED]} not tested"
                                 for kind, c in counts.items()) + f"; platforms {', '.join(names) or 'none'}")
    print(f"report: {details['run_type']} run {details['run_id']}: {summary['result'].upper()}; "
          f"written {len(written)} reports and SHA256SUMS in {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
