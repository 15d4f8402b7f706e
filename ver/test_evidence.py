"""Tests of the verification reports themselves (ver/report.py, ver/manual.py, ver/run_details.py).

Each test writes a small srs.json, the results of a run and manual results into a temporary directory, runs
the real report.py on them, and reads what it wrote: the exit code and problems, the PDFs through pdftotext
and pdfinfo (poppler-utils), SHA256SUMS through sha256sum -c. They verify the project's tooling, not the
library or the tool, so they name no requirement of srs.json.
"""

import json
import os
import pathlib
import shutil
import subprocess

import pytest
from hamcrest import is_not

from test_cli import verifies
from verify import includes, verify

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"
REQUIREMENTS = [
    {"id": "SRS-001", "group": "server", "tester": "auto", "description": "Answers ping with pong."},
    {"id": "SRS-002", "group": "cli", "tester": "manual", "description": "Stops on Ctrl-C on a real console."},
]
CHECK = {"time": "2026-01-01T00:00:00Z", "srs": ["SRS-001"], "description": "answer", "expected": "b'pong'",
         "actual": "b'pong'", "result": "pass"}
MANUAL_STEP = {"srs": ["SRS-002"], "do": "press Ctrl-C", "expected": "exit 0", "actual": "exit 0", "result": "pass",
               "tester": "AB", "date": "2026-01-02"}


def _write_run(tmp_path, tests=None, manual_steps=None, run_type="dev"):
    """A run's inputs under tmp_path: srs.json, out/run.json, out/linux/ results, manual/mp-001.json."""
    (tmp_path / "srs.json").write_text(json.dumps(REQUIREMENTS))
    out = tmp_path / "out"
    (out / "linux" / "gtest").mkdir(parents=True)
    binary = tmp_path / "oneline"
    binary.write_bytes(b"\x7fELF not really a program")
    details = {"run_type": run_type, "run_id": "run-42", "date": "2026-01-02 03:04:05 UTC", "version": "9.8.7",
               "commit": "0" * 40, "uncommitted_changes": False, "tester": "tester"}
    (out / "run.json").write_text(json.dumps(details))
    platform = {"name": "linux", "os": "Test OS", "architecture": "x86_64", "backend": "native", "compiler": "GNU 1",
                "build": "build", "tool_version": "9.8.7", "binaries": [os.path.relpath(binary, ROOT)]}
    (out / "linux" / "platform.json").write_text(json.dumps(platform))
    protocol = {"id": "tp-001", "title": "ping", "test": "ver/t.py::test_ping", "outcome": "pass", "duration_s": 0.1,
                "steps": [{"name": "send ping", "started": CHECK["time"], "checks": [CHECK]}]}
    if tests is None:
        tests = [{"name": "ver/t.py::test_tool", "objective": "", "srs": ["SRS-001"], "result": "pass",
                  "started": CHECK["time"], "checks": [dict(CHECK, description="result.returncode", expected="<0>",
                                                            actual="0")]}]
    (out / "linux" / "ver_results.json").write_text(json.dumps({"protocols": [protocol], "tests": tests}))
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "mp-001.json").write_text(json.dumps({
        "id": "mp-001", "title": "console", "objective": "Ctrl-C on a console.", "platform": "a console",
        "steps": manual_steps if manual_steps is not None else [MANUAL_STEP]}))
    return out


def _report(tmp_path):
    result = subprocess.run([PYTHON, str(ROOT / "ver" / "report.py"), "--srs", str(tmp_path / "srs.json"),
                             "--out", str(tmp_path / "out"), "--manual", str(tmp_path / "manual")],
                            capture_output=True, text=True, timeout=120, check=False)
    return result


@verifies()
def test_a_complete_run_writes_every_report_and_passes(tmp_path):
    out = _write_run(tmp_path)
    result = _report(tmp_path)
    verify(result.returncode, 0, (), "report.py exit code", note=result.stderr)
    names = sorted(path.name for path in out.iterdir() if path.is_file())
    expected = sorted([f"{name}.{suffix}" for name in ("test_protocol", "test_report", "trace", "summary")
                       for suffix in ("md", "html", "pdf")] + ["trace.json", "summary.json", "SHA256SUMS", "run.json"])
    verify(names, expected, (), "files written")
    summary = json.loads((out / "summary.json").read_text())
    verify(summary["by_tester"]["manual"], {"total": 1, "pass": 1, "fail": 0, "not tested": 0}, ())
    page = (out / "test_report.html").read_text()
    verify(page, is_not(includes("<script")), (), "the HTML has no script")
    verify(page, is_not(includes("<link")), (), "the HTML loads no style sheet or font")


@verifies()
def test_pdfs_open_with_poppler_and_hold_every_requirement_id_and_the_run_details(tmp_path):
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils is not installed (do_install installs it)")
    out = _write_run(tmp_path)
    verify(_report(tmp_path).returncode, 0, (), "report.py exit code")
    for name in ("test_protocol", "test_report", "trace", "summary"):
        info = subprocess.run(["pdfinfo", str(out / f"{name}.pdf")], capture_output=True, text=True, timeout=60,
                              check=False)
        verify(info.returncode, 0, (), f"pdfinfo {name}.pdf", note=info.stderr)
        text = subprocess.run(["pdftotext", str(out / f"{name}.pdf"), "-"], capture_output=True, text=True,
                              timeout=60, check=False).stdout
        verify(text, includes("Run run-42"), (), f"{name}.pdf: the run id in the page header")
        verify(text, includes("9.8.7"), (), f"{name}.pdf: the version")
        verify(text, includes("Page 1"), (), f"{name}.pdf: a page number")
        for requirement in REQUIREMENTS:
            verify(text, includes(requirement["id"]), (), f"{name}.pdf names {requirement['id']}")


@verifies()
def test_sha256sums_is_accepted_by_sha256sum_and_catches_a_change(tmp_path):
    out = _write_run(tmp_path)
    verify(_report(tmp_path).returncode, 0, (), "report.py exit code")
    sums = (out / "SHA256SUMS").read_text()
    verify(sums, includes("../oneline"), (), "the binary tested, relative to out/")
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, timeout=60,
                             check=False)
    verify(checked.returncode, 0, (), "sha256sum -c", note=checked.stdout + checked.stderr)
    (tmp_path / "oneline").write_bytes(b"changed")
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, timeout=60,
                             check=False)
    verify(checked.returncode, 1, (), "sha256sum -c after the binary changed")


@verifies()
@pytest.mark.parametrize("step, problem", [
    (dict(MANUAL_STEP, srs=["SRS-999"]), "unknown requirement 'SRS-999'"),
    (dict(MANUAL_STEP, srs=["SRS-001"]), "SRS-001 is tested auto, not manual or both"),
    ({key: value for key, value in MANUAL_STEP.items() if key != "date"}, "missing field(s) date"),
    (dict(MANUAL_STEP, signed="AB"), "unknown field(s) signed"),
    (dict(MANUAL_STEP, tester=""), "tester '' is not initials"),
    (dict(MANUAL_STEP, result="ok"), "result 'ok' is not one of pass, fail, not tested"),
])
def test_a_faulty_manual_results_file_fails_the_run(tmp_path, step, problem):
    _write_run(tmp_path, manual_steps=[step])
    result = _report(tmp_path)
    verify(result.returncode, 1, (), "report.py exit code")
    verify(result.stderr, includes(problem), (), "the problem named")


@verifies()
@pytest.mark.parametrize("run_type, code", [("dev", 0), ("formal", 1), ("dryrun", 1)])
def test_a_manual_requirement_without_result_is_not_tested_and_fails_only_a_formal_run(tmp_path, run_type, code):
    out = _write_run(tmp_path, manual_steps=[dict(MANUAL_STEP, result="not tested", actual="", tester="", date="")],
                     run_type=run_type)
    result = _report(tmp_path)
    verify(result.returncode, code, (), f"report.py exit code in a {run_type} run", note=result.stderr)
    row = next(row for row in json.loads((out / "trace.json").read_text())["requirements"] if row["id"] == "SRS-002")
    verify(row["result"], "not tested", (), "SRS-002 in the trace")


@verifies()
def test_a_test_that_recorded_no_check_fails_the_run(tmp_path):
    plain = {"name": "ver/t.py::test_plain_asserts", "objective": "", "srs": ["SRS-001"], "result": "pass",
             "started": CHECK["time"], "checks": []}
    _write_run(tmp_path, tests=[plain])
    result = _report(tmp_path)
    verify(result.returncode, 1, (), "report.py exit code")
    verify(result.stderr, includes("t.py::test_plain_asserts passed but recorded no check"), (), "the problem named")


@verifies()
def test_a_failure_on_one_platform_fails_the_requirement(tmp_path):
    out = _write_run(tmp_path)
    (out / "windows" / "gtest").mkdir(parents=True)
    (out / "windows" / "gtest" / "x.xml").write_text(
        '<testsuites><testsuite name="S"><testcase name="Ping_SRS001" classname="S" status="run">'
        '<failure message="no"/></testcase></testsuite></testsuites>')
    # A listing of the tests (--gtest_list_tests with XML output) is no evidence either way.
    (out / "windows" / "gtest" / "x_1.xml").write_text(
        '<testsuites><testsuite name="S"><testcase name="Ping_SRS001" file="x.cpp" line="1"/>'
        '<testcase name="Pong_SRS002" file="x.cpp" line="2"/></testsuite></testsuites>')
    result = _report(tmp_path)
    verify(result.returncode, 1, (), "report.py exit code")
    row = next(row for row in json.loads((out / "trace.json").read_text())["requirements"] if row["id"] == "SRS-001")
    verify(row["results"], {"linux": "pass", "windows": "fail"}, (), "SRS-001 per platform")
    verify(row["result"], "fail", (), "SRS-001 overall")
    unit_tests = json.loads((out / "trace.json").read_text())["gtest"]["windows"]
    verify([case["name"] for case in unit_tests], ["S.Ping_SRS001"], (), "the unit tests that ran on windows")


@verifies()
def test_a_formal_run_refuses_a_tree_with_uncommitted_changes_and_names_the_commit_and_version(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "CMakeLists.txt").write_text('project(demo VERSION 2.3.4 LANGUAGES CXX)\n')

    def git(*args):
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                       capture_output=True, timeout=60, check=True)

    def begin(run_type):
        return subprocess.run([PYTHON, str(ROOT / "ver" / "run_details.py"), "begin", "--out", str(tmp_path / "out"),
                               "--run-type", run_type, "--repo", str(repo)], capture_output=True, text=True,
                              timeout=60, check=False)

    git("init", "-q")
    git("add", "CMakeLists.txt")
    git("commit", "-q", "-m", "first")
    result = begin("formal")
    verify(result.returncode, 0, (), "a formal run of a clean tree", note=result.stderr)
    details = json.loads((tmp_path / "out" / "run.json").read_text())
    verify(details["version"], "2.3.4", (), "the version, from CMakeLists.txt")
    verify(len(details["commit"]), 40, (), "the commit")
    verify(details["uncommitted_changes"], False, ())
    (repo / "CMakeLists.txt").write_text('project(demo VERSION 2.3.5 LANGUAGES CXX)\n')
    verify(begin("formal").returncode, 1, (), "a formal run of a changed tree")
    verify(begin("dev").returncode, 0, (), "a dev run of a changed tree")
    verify(json.loads((tmp_path / "out" / "run.json").read_text())["uncommitted_changes"], True, ())
    verify(begin("final").returncode, 2, (), "an unknown run type")


@verifies()
def test_the_suite_records_verify_checks_and_a_plain_assert_test_fails_the_report(tmp_path):
    """Runs pytest with this suite's conftest on two tests, one with verify() and one with a plain assert."""
    tests = tmp_path / "test_demo.py"
    tests.write_text("from test_cli import verifies\nfrom verify import verify\n\n\n"
                     "@verifies(\"SRS-001\")\ndef test_checked():\n    verify(2 + 2, 4, \"SRS-001\", \"sum\")\n\n\n"
                     "@verifies(\"SRS-001\")\ndef test_plain():\n    assert 2 + 2 == 4\n")
    out = _write_run(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ver"), ONELINE_VER_OUT=str(out / "linux"))
    run = subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", "--rootdir",
                          str(tmp_path), str(tests)], capture_output=True, text=True, timeout=120, env=env,
                         cwd=tmp_path, check=False)
    verify(run.returncode, 0, (), "pytest exit code (both tests pass)", note=run.stdout + run.stderr)
    recorded = {test["name"].rpartition("::")[2]: test
                for test in json.loads((out / "linux" / "ver_results.json").read_text())["tests"]}
    verify([(check["description"], check["expected"], check["actual"]) for check in recorded["test_checked"]["checks"]],
           [("sum", "<4>", "4")], (), "the checks of test_checked")
    verify(recorded["test_plain"]["checks"], [], (), "the checks of test_plain")
    result = _report(tmp_path)
    verify(result.returncode, 1, (), "report.py exit code")
    verify(result.stderr, includes("test_demo.py::test_plain passed but recorded no check"), (), "the problem named")
    verify(result.stderr, is_not(includes("test_checked passed but")), (), "test_checked is evidence")


@verifies()
@pytest.mark.filterwarnings("ignore:the load_module:DeprecationWarning")  # reportlab's own import machinery
def test_a_cell_taller_than_a_pdf_page_is_cut_in_the_pdf_only(tmp_path):
    from render import Document
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed (do_install installs it)")
    document = Document("long", "Long", [("Run id", "run-1")])
    document.table(["id", "evidence"], [["SRS-001", "check " * 4000]])
    document.write(tmp_path)
    text = subprocess.run(["pdftotext", str(tmp_path / "long.pdf"), "-"], capture_output=True, text=True, timeout=60,
                          check=False).stdout
    verify(text, includes("more characters in the .md and .html"), (), "the PDF says where the rest is")
    verify((tmp_path / "long.md").read_text().count("check"), 4000, (), "the Markdown keeps the whole cell")


@verifies()
def test_a_tool_whose_version_is_not_the_sources_fails_the_run(tmp_path):
    out = _write_run(tmp_path)
    platform = json.loads((out / "linux" / "platform.json").read_text())
    (out / "linux" / "platform.json").write_text(json.dumps(dict(platform, tool_version="9.8.6")))
    result = _report(tmp_path)
    verify(result.returncode, 1, (), "report.py exit code")
    verify(result.stderr, includes("the tool tested says '9.8.6' to --version, CMakeLists.txt says 9.8.7"), (),
           "the problem named")
