#!/usr/bin/python3
"""Writes the requirements trace: which checks verified each requirement in srs.json, and the outcome.

Sources:
  - the ver suite's results (ver_results.json, written by conftest.py): protocols, steps, checks; and
    plain tests that name the requirements they verify as a whole (test_cli.py's @verifies);
  - GoogleTest XML files (e.g. from `GTEST_OUTPUT=xml:out/ver/gtest/ ctest`): a test names the
    requirements it verifies with `RecordProperty("srs", "SRS-001,SRS-016")` in its body, or with
    `_SRSnnn` parts at the end of its name (Client_SendsAndReceives_SRS013_SRS015).
Writes trace.md (for people) and trace.json (for tools) and exits 1, naming each problem, when a
requirement has no passing check, a check names an unknown requirement, or anything failed.

usage: report.py [--srs srs.json] [--out out/ver] [--results FILE] [--gtest DIR]
"""

import argparse
import json
import pathlib
import re
import sys
import time
import xml.etree.ElementTree as ElementTree

ROOT = pathlib.Path(__file__).resolve().parent.parent
GROUPS = ("server", "client", "cli")
TESTERS = ("auto", "manual")
ID_PATTERN = re.compile(r"^SRS-\d{3}$")
NAME_ID = re.compile(r"_SRS(\d{3})(?=_|$)")  # a test named Server_AnswersPing_SRS004 verifies SRS-004


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


def load_results(path, problems):
    """The ver suite's protocols and its plain tests naming requirements."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        problems.append(f"no ver suite results: cannot read {path}: {error}")
        return [], []
    return data.get("protocols", []), data.get("tests", [])


def _srs_ids(text):
    return [part.strip() for part in re.split(r"[,\s]+", text or "") if part.strip()]


def load_gtest(directory, problems):
    """Every test case run in the gtest XML files under `directory`: name, result, srs ids."""
    cases = []
    files = sorted(directory.glob("*.xml")) if directory.is_dir() else []
    for file in files:
        try:
            tree = ElementTree.parse(file)
        except ElementTree.ParseError as error:
            problems.append(f"cannot parse gtest output {file.name}: {error}")
            continue
        for case in tree.iter("testcase"):
            if case.get("status", "run") != "run" or case.get("result") in ("skipped", "suppressed"):
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
                          "result": result, "srs": sorted(set(ids))})
    return cases


def trace(requirements, protocols, tests, gtests, problems):
    """Maps each requirement id to the evidence for it and collects the problems of the run."""
    evidence = {rid: [] for rid in requirements}

    def add(rid, kind, ref, result, where):
        if rid not in evidence:
            problems.append(f"{where} names unknown requirement {rid}")
            return
        evidence[rid].append({"kind": kind, "ref": ref, "result": result})

    for protocol in protocols:
        if protocol.get("outcome") not in ("pass", "skipped"):
            problems.append(f"{protocol['id']} ({protocol['test']}) {protocol.get('outcome')}")
        if protocol.get("outcome") == "skipped":
            continue
        for number, step in enumerate(protocol["steps"], 1):
            for check in step["checks"]:
                where = f"{protocol['id']} step {number} \"{step['name']}\" check \"{check['description']}\""
                if check["result"] != "pass":
                    problems.append(f"{where} failed: expected {check['expected']}, got {check['actual']}")
                for rid in check["srs"]:
                    add(rid, "protocol", f"{protocol['id']}/{number}", check["result"], where)
    for test in tests:
        if test["result"] not in ("pass", "skipped"):
            problems.append(f"test {test['name']} {test['result']}")
        if test["result"] == "skipped":
            continue
        for rid in test["srs"]:
            add(rid, "pytest", test["name"], "pass" if test["result"] == "pass" else "fail", f"test {test['name']}")
    for case in gtests:
        if case["result"] == "fail":
            problems.append(f"gtest {case['name']} failed")
        if case["result"] == "skipped":
            continue
        for rid in case["srs"]:
            add(rid, "gtest", case["name"], case["result"], f"gtest {case['name']}")

    status = {}
    for rid, items in evidence.items():
        if any(item["result"] != "pass" for item in items):
            status[rid] = "fail"
        elif items:
            status[rid] = "pass"
        else:
            status[rid] = "unverified"
            problems.append(f"{rid} has no passing check ({requirements[rid]['description']})")
    return evidence, status


def _cell(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _summarise_evidence(items):
    refs = {}
    for item in items:
        refs.setdefault(item["ref"], []).append(item["result"])
    parts = []
    for ref, results in refs.items():
        failed = results.count("fail")
        suffix = f" ({len(results)} checks" + (f", {failed} failed)" if failed else ")") if len(results) > 1 else ""
        parts.append(f"{ref}{suffix}" + (" FAILED" if failed and len(results) == 1 else ""))
    return ", ".join(parts) if parts else "—"


def summary_line(requirements, status, protocols, tests, gtests, problems):
    checks = [c for p in protocols for s in p["steps"] for c in s["checks"]]
    failed_checks = sum(1 for c in checks if c["result"] != "pass")
    verified = sum(1 for s in status.values() if s == "pass")
    return (f"{len(requirements)} requirements: {verified} verified, "
            f"{sum(1 for s in status.values() if s == 'fail')} failed, "
            f"{sum(1 for s in status.values() if s == 'unverified')} unverified; "
            f"{len(protocols)} protocols, {len(checks)} checks ({failed_checks} failed); "
            f"{len(tests)} tool tests ({sum(1 for t in tests if t['srs'])} with srs ids, "
            f"{sum(1 for t in tests if t['result'] == 'skipped')} skipped, "
            f"{sum(1 for t in tests if t['result'] not in ('pass', 'skipped'))} not passed); "
            f"{len(gtests)} gtest tests ({sum(1 for g in gtests if g['srs'])} with srs ids, "
            f"{sum(1 for g in gtests if g['result'] == 'fail')} failed); "
            f"result: {'FAIL' if problems else 'PASS'}")


def project_version():
    """The version set once, in CMakeLists.txt's project(); "unknown" when it cannot be read."""
    try:
        found = re.search(r"^project\(oneline VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text(), re.M)
    except OSError:
        found = None
    return found.group(1) if found else "unknown"


def write_markdown(path, requirements, evidence, status, protocols, tests, gtests, problems, summary):
    lines = [f"# Verification trace: oneline {project_version()}", "",
             f"Generated {time.strftime('%Y-%m-%d %H:%M:%S')}.", "",
             f"**{summary}**", ""]
    if problems:
        lines += ["## Problems", ""] + [f"- {_cell(problem)}" for problem in problems] + [""]
    lines += ["## Requirements", "",
              "Verified by: `tp-NNN/S` is step S of test protocol tp-NNN; `ver/FILE.py::test` is a test of the "
              "tool, passing as a whole; `Suite.Test` is a unit test.", "",
              "| id | group | tester | result | description | verified by |", "|---|---|---|---|---|---|"]
    for rid, entry in requirements.items():
        lines.append(f"| {rid} | {entry['group']} | {entry['tester']} | {status[rid].upper()} | "
                     f"{_cell(entry['description'])} | {_cell(_summarise_evidence(evidence[rid]))} |")
    lines += ["", "## Test protocols", ""]
    for protocol in protocols:
        lines += [f"### {protocol['id']}: {_cell(protocol['title'])} — {protocol['outcome'].upper()}", "",
                  f"`{protocol['test']}`, {protocol.get('duration_s', 0)} s", ""]
        for number, step in enumerate(protocol["steps"], 1):
            lines += [f"Step {number}: {_cell(step['name'])}", "",
                      "| srs | check | expected | actual | result |", "|---|---|---|---|---|"]
            for check in step["checks"]:
                lines.append(f"| {', '.join(check['srs']) or '—'} | {_cell(check['description'])} | "
                             f"`{_cell(check['expected'])}` | `{_cell(check['actual'])}` | "
                             f"{check['result'].upper()} |")
            lines.append("")
    lines += ["## Tests of the tool naming requirements", ""]
    if tests:
        lines += ["| test | srs | result |", "|---|---|---|"]
        lines += [f"| {_cell(test['name'])} | {', '.join(test['srs']) or '—'} | {test['result'].upper()} |"
                  for test in tests]
    else:
        lines.append("None.")
    lines.append("")
    traced = [case for case in gtests if case["srs"]]
    lines += ["## Unit tests naming requirements", ""]
    if traced:
        lines += ["| test | srs | result |", "|---|---|---|"]
        lines += [f"| {case['name']} | {', '.join(case['srs'])} | {case['result'].upper()} |" for case in traced]
    else:
        lines.append("None.")
    lines += ["", f"{len(gtests) - len(traced)} further unit tests ran without naming requirements; "
              f"{sum(1 for case in gtests if case['result'] == 'fail')} unit tests failed.", "",
              "## Summary", "", summary, ""]
    path.write_text("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--srs", type=pathlib.Path, default=ROOT / "srs.json")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "ver")
    parser.add_argument("--results", type=pathlib.Path, help="ver suite results (default OUT/ver_results.json)")
    parser.add_argument("--gtest", type=pathlib.Path, help="directory of gtest XML files (default OUT/gtest)")
    args = parser.parse_args(argv)
    results = args.results or args.out / "ver_results.json"
    gtest_dir = args.gtest or args.out / "gtest"

    problems = []
    requirements = load_requirements(args.srs, problems)
    protocols, tests = load_results(results, problems)
    gtests = load_gtest(gtest_dir, problems)
    evidence, status = trace(requirements, protocols, tests, gtests, problems)
    summary = summary_line(requirements, status, protocols, tests, gtests, problems)

    args.out.mkdir(parents=True, exist_ok=True)
    write_markdown(args.out / "trace.md", requirements, evidence, status, protocols, tests, gtests, problems,
                   summary)
    data = {
        "version": project_version(),
        "summary": summary,
        "result": "fail" if problems else "pass",
        "problems": problems,
        "requirements": [dict(entry, result=status[rid], evidence=evidence[rid])
                         for rid, entry in requirements.items()],
        "protocols": protocols,
        "tests": tests,
        "gtest": gtests,
    }
    (args.out / "trace.json").write_text(json.dumps(data, indent=2) + "\n")

    for problem in problems:
        print(f"report: {problem}", file=sys.stderr)
    print(f"report: {summary}")
    print(f"report: written {args.out / 'trace.md'} and {args.out / 'trace.json'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
