#!/usr/bin/python3
"""The details of a verification run, written where the reports read them.

  run_details.py begin --out out/ver [--run-type dev|dryrun|formal] [--repo DIR]
      writes OUT/run.json: run type, run id, date and time (UTC), oneline version, git commit and whether
      the tree has uncommitted changes, the tester. A formal run refuses a tree with uncommitted changes
      (exit 1). The run type comes from --run-type, else ONELINE_RUN_TYPE, else dev; the run id from
      ONELINE_RUN_ID, else the UTC time and the short commit; the tester from ONELINE_TESTER, else the
      user name.
  run_details.py platform --out DIR --name NAME --build BUILD_DIR
      writes DIR/platform.json: the platform a set of results comes from (name, OS, architecture,
      compiler and its version, build directory, what the built tool says to --version) and the binaries
      tested there (tool, samples, unit tests).
"""

import argparse
import getpass
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RUN_TYPES = ("dev", "dryrun", "formal")
RUN_FILE = "run.json"
PLATFORM_FILE = "platform.json"


def _git(repo, *args):
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=30,
                                check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def version(repo=ROOT):
    """The version in CMakeLists.txt's project(... VERSION x.y.z ...)."""
    text = (repo / "CMakeLists.txt").read_text()
    match = re.search(r"project\s*\([^)]*\bVERSION\s+(\d+(?:\.\d+){0,3})", text)
    return match.group(1) if match else "unknown"


def begin(out, run_type, repo=ROOT):
    commit = _git(repo, "rev-parse", "HEAD") or "unknown"
    status = _git(repo, "status", "--porcelain")
    dirty = status is None or status != ""
    if run_type == "formal" and dirty:
        print("run_details: a formal run needs a committed tree; uncommitted changes:\n" + (status or "(git failed)"),
              file=sys.stderr)
        return 1
    now = time.gmtime()
    details = {
        "run_type": run_type,
        "run_id": os.environ.get("ONELINE_RUN_ID") or time.strftime("%Y%m%dT%H%M%SZ", now) + "-" + commit[:10],
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", now),
        "version": version(repo),
        "commit": commit,
        "uncommitted_changes": dirty,
        "tester": os.environ.get("ONELINE_TESTER") or getpass.getuser(),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / RUN_FILE).write_text(json.dumps(details, indent=2) + "\n")
    print(f"run_details: {run_type} run {details['run_id']}, oneline {details['version']}, commit {commit[:10]}"
          + (" (uncommitted changes)" if dirty else ""))
    return 0


def _os_name():
    try:
        for line in pathlib.Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}"


def _compiler(build):
    """'GNU 12.2.0 (/usr/bin/c++)' from what CMake found when it configured `build`."""
    found = sorted(build.glob("CMakeFiles/*/CMakeCXXCompiler.cmake"))
    if not found:
        return "unknown"
    text = found[-1].read_text()
    fields = dict(re.findall(r'set\(CMAKE_CXX_(COMPILER|COMPILER_ID|COMPILER_VERSION) "([^"]*)"\)', text))
    return f"{fields.get('COMPILER_ID', '?')} {fields.get('COMPILER_VERSION', '?')} ({fields.get('COMPILER', '?')})"


def _cache(build, key):
    try:
        match = re.search(rf"^{key}:[A-Z]+=(.*)$", (build / "CMakeCache.txt").read_text(), re.M)
    except OSError:
        return None
    return match.group(1) if match else None


def binaries(build):
    """The programs a run tests: the tool, the samples, every unit-test program."""
    found = []
    for pattern in ("src/cli/oneline", "src/cli/oneline.exe", "sample/sample_server", "sample/sample_client",
                    "sample/loop_server", "sample/*.exe", "ut/*_test", "ut/*_test.exe"):
        found += [path for path in sorted(build.glob(pattern)) if path.is_file() and path not in found]
    return found


def _tool_version(build):
    """What the built tool says to --version (None for a Windows build: it runs only under Wine)."""
    tool = build / "src" / "cli" / "oneline"
    if not tool.is_file():
        return None
    try:
        result = subprocess.run([str(tool), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot run: {error}"
    return result.stdout.strip()[:200]


def _wine_version():
    try:
        result = subprocess.run(["wine", "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "Wine"
    return result.stdout.strip()[:60] or "Wine"


def describe_platform(out, name, build):
    backend = _cache(build, "ONELINE_PLATFORM") or "native"
    windows = backend == "windows"
    # A cross compiler is named for its target: x86_64-w64-mingw32-g++-posix builds for x86_64.
    compiler = pathlib.Path(_cache(build, "CMAKE_CXX_COMPILER") or "").name
    details = {
        "name": name,
        "os": (f"Windows 10+ (a MinGW-w64 build, run under {_wine_version()} on {_os_name()})" if windows
               else _os_name()),
        "architecture": compiler.split("-")[0] if windows and "-" in compiler else platform.machine(),
        "backend": backend,
        "compiler": _compiler(build),
        "build": os.path.relpath(build.resolve(), ROOT),
        "tool_version": _tool_version(build),
        "binaries": [os.path.relpath(path.resolve(), ROOT) for path in binaries(build)],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / PLATFORM_FILE).write_text(json.dumps(details, indent=2) + "\n")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    first = commands.add_parser("begin")
    first.add_argument("--out", type=pathlib.Path, required=True)
    first.add_argument("--run-type", default=os.environ.get("ONELINE_RUN_TYPE") or "dev", help=", ".join(RUN_TYPES))
    first.add_argument("--repo", type=pathlib.Path, default=ROOT, help="the source tree (default: this one)")
    where = commands.add_parser("platform")
    where.add_argument("--out", type=pathlib.Path, required=True)
    where.add_argument("--name", required=True)
    where.add_argument("--build", type=pathlib.Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "begin":
        if args.run_type not in RUN_TYPES:
            parser.error(f"run type {args.run_type!r} is not one of {', '.join(RUN_TYPES)}")
        return begin(args.out, args.run_type, args.repo)
    return describe_platform(args.out, args.name, args.build)


if __name__ == "__main__":
    sys.exit(main())
