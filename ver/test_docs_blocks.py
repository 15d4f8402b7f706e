"""Every code block of README.md and docs/ held against the real build, chosen by its fence language, so that
a block added later is checked too:

- ```cpp: a block with `int main(` is a whole program: compiled with the project's warnings as errors, linked
  against the built library and run (no arguments, exit 0 within WAIT). Any other block is a fragment,
  compiled as the body of a function after `#include <oneline/oneline.hpp>` and the standard headers it
  may use, with a `oneline::ServerConfig config` in scope ("config as above").
- ```sh, ```bash: parsed by bash (`bash -n`), and each `oneline ...` in it is held against the tool's --help:
  its subcommand and every option it gives must exist. A block that starts `oneline server` is a walkthrough
  and is run as written, by bash with `set -e`, in a scratch directory with the built tool first on PATH and
  no XDG_RUNTIME_DIR (a machine without /run/user/UID): it must exit 0 within WAIT and leave nothing running.
  Walkthroughs learn their port from the server (`--port 0`), so they run on real, free ports.
- ```text (or ```console) made of `$ COMMAND` lines: a transcript; each command is run by bash with the built
  tool first on PATH, and what it prints (stdout and stderr) must be the lines shown after it.
- ```python: compiled (syntax only).

The build directory is ONELINE_BUILD_DIR, else the nearest directory above ONELINE_BIN holding CMakeCache.txt.
"""

import os
import pathlib
import re
import shlex
import signal
import subprocess
import time

import pytest
from hamcrest import none

from test_cli import BIN, ROOT, WAIT, verifies
from test_cli_docs import build_dir, options_of, SUBCOMMANDS
from verify import false, includes, true, verify

DOCUMENTS = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
CPP, SHELL, PYTHON = ("cpp", "c++", "cxx"), ("sh", "bash", "shell"), ("python", "py")
FRAGMENT_HEADERS = ["oneline/oneline.hpp", "chrono", "cstddef", "cstdint", "iostream", "optional", "string",
                    "string_view", "vector"]


class Block:
    def __init__(self, path, line, language, text):
        self.path, self.line, self.language, self.text = path, line, language, text

    @property
    def name(self):
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks_of(path):
    """Every fenced block of a Markdown file: its first line's number, its language, its text (indent removed)."""
    found = []
    lines = path.read_text().splitlines()
    opening = None
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if not stripped.startswith("```"):
            continue
        if opening is None:
            opening = (number, len(line) - len(stripped), stripped[3:].strip().split(" ")[0].lower())
            continue
        start, indent, language = opening
        body = [text[indent:] if text[:indent].strip() == "" else text for text in lines[start:number - 1]]
        found.append(Block(path, start + 1, language, "\n".join(body) + "\n"))
        opening = None
    assert opening is None, f"{path.name}:{opening[0]}: a code block is never closed"
    return found


BLOCKS = [block for path in DOCUMENTS for block in blocks_of(path)]


def blocks(languages):
    return [pytest.param(block, id=block.name) for block in BLOCKS if block.language in languages]


@verifies("SRS-251")
def test_the_documents_hold_cpp_and_shell_blocks():
    languages = {block.language for block in BLOCKS}
    verify(languages & set(CPP) and languages & set(SHELL), true(), "SRS-251", note=languages)


# --- C++ ---------------------------------------------------------------------------------------------------------

def cache_entry(name):
    cache = (build_dir() / "CMakeCache.txt").read_text()
    match = re.search(rf"^{name}:\w+=(.*)$", cache, re.MULTILINE)
    return match.group(1) if match else ""


def compiler():
    return cache_entry("CMAKE_CXX_COMPILER") or "c++"


def build_flags():
    """The instrumentation the library was built with, which a program linked against it needs too."""
    flags = []
    if cache_entry("ONELINE_COVERAGE") in ("ON", "TRUE", "1"):
        flags.append("--coverage")
    sanitizer = cache_entry("ONELINE_SANITIZER")
    if sanitizer:
        flags.append("-fsanitize=address,undefined" if sanitizer == "address" else f"-fsanitize={sanitizer}")
    return flags


def library():
    found = sorted((build_dir() / "src").glob("liboneline.*"))
    if not found:
        pytest.skip(f"the library is not built in {build_dir() / 'src'}")
    return found[0]


def compile_command(source, *extra):
    return [compiler(), "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror", f"-I{ROOT / 'include'}",
            f"-I{build_dir() / 'include'}", *build_flags(), str(source), *extra]


@verifies("SRS-251")
@pytest.mark.parametrize("block", blocks(CPP))
def test_cpp_block_compiles_and_a_whole_program_runs(block, tmp_path):
    source = tmp_path / "block.cpp"
    origin = f'#line {block.line} "{block.name.split(":")[0]}"\n'
    whole = re.search(r"\bint\s+main\s*\(", block.text) is not None
    if whole:
        source.write_text(origin + block.text)
        program = tmp_path / "block"
        command = compile_command(source, str(library()), "-pthread", "-o", str(program))
    else:
        includes = "".join(f"#include <{header}>\n" for header in FRAGMENT_HEADERS)
        source.write_text(f"{includes}\nvoid documented_fragment([[maybe_unused]] oneline::ServerConfig config) {{\n"
                          f"{{\n{origin}{block.text}}}\n}}\n")
        command = compile_command(source, "-fsyntax-only")
    # In the scratch directory: a coverage build writes its notes files where the compiler runs.
    built = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    verify(built.returncode, 0, "SRS-251", note=f"{block.name} does not compile:\n{built.stderr}")
    if whole:
        ran = subprocess.run([str(program)], capture_output=True, text=True, timeout=WAIT, cwd=tmp_path,
                             stdin=subprocess.DEVNULL, check=False)
        verify(ran.returncode, 0, "SRS-251", note=f"{block.name} exited {ran.returncode}:\n{ran.stdout}{ran.stderr}")


# --- shell -------------------------------------------------------------------------------------------------------

def logical_lines(text):
    """The block's lines with backslash continuations joined."""
    return text.replace("\\\n", " ").splitlines()


def invocations(text):
    """(subcommand or "", [option words]) of every `oneline ...` command in a shell text."""
    found = []
    for line in logical_lines(text):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.commenters = "#"
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError as error:
            raise AssertionError(f"cannot split {line!r}: {error}") from None
        for index, word in enumerate(words):
            if word != "oneline":
                continue
            rest = []
            for following in words[index + 1:]:
                if following and following[0] in ";|&()<>":
                    break
                rest.append(following)
            subcommand = rest[0] if rest and not rest[0].startswith("-") else ""
            options = []
            for word_after in rest[1 if subcommand else 0:]:
                if word_after == "--":
                    break
                if word_after.startswith("-") and word_after != "-":
                    options.append(word_after.split("=")[0])
            found.append((subcommand, options))
    return found


def is_walkthrough(block):
    return any(re.match(r"^\s*(?:exec \d<\s*<\()?oneline server\b", line) for line in logical_lines(block.text))


@verifies("SRS-251")
@pytest.mark.parametrize("block", blocks(SHELL))
def test_shell_block_parses_and_names_only_what_the_tool_has(block):
    parsed = subprocess.run(["bash", "-n"], input=block.text, capture_output=True, text=True, timeout=WAIT,
                            check=False)
    verify(parsed.returncode, 0, "SRS-251", note=f"{block.name}: bash cannot parse it: {parsed.stderr}")
    for subcommand, options in invocations(block.text):
        verify(subcommand == "" or subcommand in SUBCOMMANDS, true(), "SRS-251",
               note=f"{block.name}: `oneline {subcommand}` is no subcommand")
        names = {name for option in options_of(*([subcommand] if subcommand else [])) for name in option.names}
        for option in options:
            verify(names, includes(option), "SRS-251",
                   note=f"{block.name}: `oneline {subcommand}` has no option {option}")


def wait_until_group_gone(group, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@verifies("SRS-251")
@pytest.mark.parametrize("block", [block for block in blocks(SHELL) if is_walkthrough(block.values[0])])
def test_shell_walkthrough_runs_as_written_on_real_ports(block, tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
    env.update(PATH=f"{pathlib.Path(BIN).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}", HOME=str(tmp_path),
               LC_ALL="C")
    # As from a clone's top directory: the repository's sample/ and test/ files are where the docs name them.
    for name in ("sample", "test"):
        (tmp_path / name).symlink_to(ROOT / name)
    process = subprocess.Popen(["bash", "-e", "-c", block.text], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=WAIT * 3)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise AssertionError(f"{block.name} did not finish in {WAIT * 3} s:\n{stdout}{stderr}") from None
    finally:
        left = not wait_until_group_gone(process.pid, WAIT)
        if left:
            os.killpg(process.pid, signal.SIGKILL)
    verify(process.returncode, 0, "SRS-251", note=f"{block.name} exited {process.returncode}:\n{stdout}{stderr}")
    verify(left, false(), "SRS-251", note=f"{block.name} left a process running")


@verifies("SRS-251")
def test_walkthroughs_are_found():
    verify([block for block in BLOCKS if block.language in SHELL and is_walkthrough(block)], true(), "SRS-251",
           note="no shell block starts `oneline server`: the walkthroughs would go unchecked")


# --- transcripts -------------------------------------------------------------------------------------------------

def transcript(block):
    """[(command, the lines shown after it)] of a text block made of `$ COMMAND` lines and their output."""
    steps = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


@verifies("SRS-251")
@pytest.mark.parametrize("block", [block for block in blocks(("text", "console"))
                                   if block.values[0].text.startswith("$ ")])
def test_transcript_block_shows_what_the_tool_prints(block, tmp_path):
    env = {**os.environ, "PATH": f"{pathlib.Path(BIN).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
           "LC_ALL": "C"}
    for command, shown in transcript(block):
        result = subprocess.run(["bash", "-c", command + " 2>&1"], capture_output=True, text=True, timeout=WAIT,
                                cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, check=False)
        verify(result.stdout.splitlines(), shown, "SRS-251",
               note=f"{block.name}: `{command}` printed {result.stdout!r}")


# --- Python ------------------------------------------------------------------------------------------------------

@verifies("SRS-251")
@pytest.mark.parametrize("block", blocks(PYTHON))
def test_python_block_compiles(block):
    try:
        compile(block.text, block.name, "exec")
        problem = None
    except SyntaxError as error:
        problem = f"{error.msg} at line {error.lineno}"
    verify(problem, none(), "SRS-251", "the block compiles as Python")
