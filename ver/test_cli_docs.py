"""Tests of what tells people and scripts about the `oneline` tool: its --help, its man pages, its bash
completion and the documentation, each held against the --help of the real binary.

The binary comes from ONELINE_BIN (default build/src/cli/oneline). The build writes the man pages into
man/ and the bash completion into bash-completion/oneline beside the binary, each time the tool is linked.
The installation tests run `cmake --install` of the build directory (ONELINE_BUILD_DIR, else the nearest
directory above the binary that holds CMakeCache.txt) into a scratch prefix. The --help is parsed here on
its own, not with the build's parser, so a fault of that parser shows up as a difference.
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess

import pytest

from test_cli import BIN, ROOT, WAIT, run, verifies
from verify import verify, includes, true

TOOL_DIR = pathlib.Path(BIN).parent
MAN_DIR = TOOL_DIR / "man"
COMPLETION = TOOL_DIR / "bash-completion" / "oneline"
GENERATOR = ROOT / "cmake" / "cli-docs" / "bash-completion.sh"
BASH = shutil.which("bash")
# Value kinds (as --help names them, or one of their ":" parts) after which the completion offers file names,
# command names.
FILE_VALUES = ("FILE", "PATH")
COMMAND_VALUES = ("CMD", "COMMAND")


# --- the --help, parsed ------------------------------------------------------------------------------------------

class Option:
    """One option of a --help: its names, the kind of value it takes (None for a flag), its description."""

    def __init__(self, names, value, description, many=False):
        self.names = names
        self.value = value
        self.description = description
        self.many = many  # its value may be given again ("VALUE ...")

    def takes(self, kinds):
        """Whether its value is one of `kinds`, alone or as a ":" part ("TEXT:FILE", "PATH(existing)")."""
        return self.value is not None and any(part.split("(")[0] in kinds for part in self.value.split(":"))

    def __repr__(self):
        return "/".join(self.names)


def help_of(*subcommand):
    result = run(*subcommand, "--help")
    assert result.returncode == 0, result.stderr
    return result.stdout


ENTRY = re.compile(r"^  (?P<head>\S(?:\S| (?! ))*)(?: {2,}(?P<description>\S.*))?$")


def entries(text, section):
    """(head, description) of each entry under the heading `section` ("Options:", "Subcommands:").

    An entry is "  HEAD  DESCRIPTION", or "  HEAD" with the description on the next, more indented line.
    """
    found = []
    inside = False
    for line in text.splitlines():
        if not line.startswith(" "):
            inside = line == section
            continue
        if not inside:
            continue
        match = ENTRY.match(line)
        if match:
            found.append([match.group("head"), match.group("description")])
        elif found and found[-1][1] is None and line.startswith("   "):
            found[-1][1] = line.strip()
        else:
            raise AssertionError(f"a line of {section!r} that is neither an entry nor its description: {line!r}")
    return [(head, description) for head, description in found]


def options_of(*subcommand):
    options = []
    for head, description in entries(help_of(*subcommand), "Options:"):
        words = head.split(" ")
        match = re.match(r"^([A-Z][A-Z0-9_]*(?:[:(][^=]*)?)(?:=|$)", words[1]) if len(words) > 1 else None
        options.append(Option(words[0].split(","), match.group(1) if match else None, description, "..." in words[2:]))
    return options


def subcommands():
    return [(head, description) for head, description in entries(help_of(), "Subcommands:")]


SUBCOMMANDS = [name for name, _ in subcommands()]


def every_help():
    """(subcommand words, options) of the tool and of each subcommand."""
    return [((), options_of())] + [((name,), options_of(name)) for name in SUBCOMMANDS]


@verifies("SRS-115")
@pytest.mark.parametrize("subcommand", [()] + [(name,) for name in SUBCOMMANDS], ids=lambda s: " ".join(s) or "-")
def test_help_gives_each_option_and_subcommand_its_description_apart_from_its_name(subcommand):
    text = help_of(*subcommand)
    sections = ("Options:", "Subcommands:") if not subcommand else ("Options:",)
    listed = [entry for section in sections for entry in entries(text, section)]
    verify(listed, true(), "SRS-115", note=f"no entries in {text!r}")
    for head, description in listed:
        verify(description, true(), "SRS-115",
               note=f"{head!r} has no description two spaces after it nor on the line below")


# --- the man pages -----------------------------------------------------------------------------------------------

def need_man_pages():
    if not (MAN_DIR / "oneline.1").exists() and shutil.which("help2man") is None:
        pytest.skip("help2man is not installed (./do_install installs it): the build wrote no man pages")


def page_names():
    return ["oneline"] + [f"oneline-{name}" for name in SUBCOMMANDS]


def roff_text(text):
    """Roff source as plain text: font changes and zero-width marks dropped, escapes turned into characters."""
    text = re.sub(r"\\f(?:\(..|\[[^]]*\]|.)", "", text)
    text = text.replace("\\,", "").replace("\\/", "").replace("\\&", "")
    return text.replace("\\-", "-").replace("\\e", "\\")


def tagged_paragraphs(page):
    """{tag: body} of every .TP paragraph of a roff page, as plain text, whitespace folded."""
    paragraphs = {}
    lines = page.splitlines()
    for index, line in enumerate(lines):
        if line != ".TP" or index + 1 >= len(lines):
            continue
        body = []
        for following in lines[index + 2:]:
            if following.startswith("."):
                break
            body.append(following)
        paragraphs[roff_text(lines[index + 1]).strip()] = " ".join(roff_text(" ".join(body)).split())
    return paragraphs


def rendered(page_path, env=None):
    """The page as `man -l` renders it, in plain ASCII on very long lines (nothing hyphenated)."""
    result = subprocess.run(["man", "-l", str(page_path)], capture_output=True, text=True, timeout=WAIT,
                            env={**os.environ, "LC_ALL": "C", "MANWIDTH": "1000", "MANPAGER": "cat",
                                 "PAGER": "cat", **(env or {})}, check=False)
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


def check_page_matches_help(page, options):
    """Every option of the help is a tagged paragraph of the page: its names, then its description."""
    paragraphs = tagged_paragraphs(page)
    for option in options:
        tags = [tag for tag in paragraphs if tag.split(" ")[0].split(",") == option.names]
        assert tags, f"{option} is not in the page's options (tags: {list(paragraphs)})"
        assert paragraphs[tags[0]] == " ".join(option.description.split()), f"{option}'s description differs"


@verifies("SRS-111")
@pytest.mark.parametrize("subcommand", [()] + [(name,) for name in SUBCOMMANDS], ids=lambda s: " ".join(s) or "-")
def test_man_page_lists_every_option_of_the_help_with_its_description(subcommand):
    need_man_pages()
    page_path = MAN_DIR / ("-".join(("oneline",) + subcommand) + ".1")
    verify(page_path.exists(), true(), "SRS-111", note=f"{page_path.name} is missing from {MAN_DIR}")
    options = options_of(*subcommand)
    page = page_path.read_text()
    check_page_matches_help(page, options)
    version = run("--version").stdout.strip()
    verify(page.splitlines()[1], includes(f'"oneline {version}"'), "SRS-111",
           note="the page's version is not the tool's")
    text = rendered(page_path)
    usage = re.search(r"^Usage: (.*)$", help_of(*subcommand), re.MULTILINE).group(1)
    verify(text, includes(f"SYNOPSIS {usage}"), "SRS-111", note="the page's synopsis is not the help's usage line")
    for option in options:
        verify(all(name in text for name in option.names), true(), "SRS-111",
               note=f"{option} is not in the page man renders")
        verify(text, includes(" ".join(option.description.split())), "SRS-111",
               note=f"{option}'s description is not in the page man renders")


@verifies("SRS-111")
def test_tool_page_names_every_subcommand_and_its_page():
    need_man_pages()
    text = rendered(MAN_DIR / "oneline.1")
    for name, description in subcommands():
        verify(f"{name} {description}" in text or (name in text and description in text), true(), "SRS-111",
               note=f"{name} missing")
        verify(text.split("SEE ALSO", 1)[-1], includes(f"oneline-{name}(1)"), "SRS-111",
               note=f"no oneline-{name}(1) under SEE ALSO")
    verify(sorted(path.name for path in MAN_DIR.glob("*.1")), sorted(f"{page}.1" for page in page_names()), "SRS-111",
           note="the man pages are not exactly one for the tool and one per subcommand")


PAGE_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES",
                 "SEE ALSO"]


def page_sections(page):
    """{section heading: its text as man renders it, whitespace folded} of a man page, in order."""
    result = subprocess.run(["man", "-l", str(page)], capture_output=True, text=True, timeout=WAIT, check=False,
                            env={**os.environ, "LC_ALL": "C", "MANWIDTH": "1000", "MANPAGER": "cat", "PAGER": "cat"})
    assert result.returncode == 0, result.stderr
    sections = {}
    heading = None
    for line in result.stdout.splitlines():
        if line and not line[0].isspace() and line.upper() == line and not line.startswith("ONELINE"):
            heading = line.strip()
            sections[heading] = ""
        elif line and not line[0].isspace():
            heading = None  # the header or the footer line
        elif heading is not None:
            sections[heading] += " " + line.strip()
    return {name: " ".join(text.split()) for name, text in sections.items()}


def tool_environment():
    """The ONELINE_* variables the tool's sources read or set."""
    names = set()
    for source in list((ROOT / "src" / "cli").glob("*.[ch]pp")) + list((ROOT / "src" / "platform").rglob("*.[ch]pp")):
        names.update(re.findall(r'"(ONELINE_[A-Z_]+)', source.read_text()))
    return names


@verifies("SRS-250")
@pytest.mark.parametrize("page", page_names())
def test_man_page_has_every_section_a_user_looks_for(page):
    need_man_pages()
    path = MAN_DIR / f"{page}.1"
    sections = page_sections(path)
    verify([name for name in sections if name in PAGE_SECTIONS], PAGE_SECTIONS, "SRS-250", note=list(sections))
    summary = sections["NAME"].split(" - ", 1)[1]
    description = sections["DESCRIPTION"]
    verify(summary not in description and len(description) > 3 * len(summary), true(), "SRS-250",
           note=f"{page}: the DESCRIPTION is the one-line summary, not a description: {description!r}")
    for section in ("EXIT STATUS",):
        for code in ("0", "1", "2"):
            verify(re.search(rf"(^| ){code} ", sections[section]), true(), "SRS-250",
                   note=f"{page}: exit status {code} is not described")
    verify(sections["ENVIRONMENT"] and sections["FILES"], true(), "SRS-250",
           note=f"{page}: ENVIRONMENT or FILES is empty")
    see_also = sections["SEE ALSO"]
    verify(all(re.fullmatch(r"oneline(-\w+)?\(1\)", ref) for ref in see_also.replace(",", " ").split()), true(),
           "SRS-250",
           note=see_also)
    # groff's warnings (an unknown request, a bad escape) go to stderr: a page that renders cleanly has none.
    result = subprocess.run(["man", "--warnings=all", "-l", str(path)], capture_output=True, text=True, timeout=WAIT,
                            check=False, env={**os.environ, "LC_ALL": "C", "MANPAGER": "cat", "PAGER": "cat"})
    verify(result.returncode == 0 and result.stderr == "", true(), "SRS-250", note=result.stderr)


@verifies("SRS-250")
@pytest.mark.parametrize("page", page_names())
def test_man_page_examples_use_only_options_the_tool_has(page):
    need_man_pages()
    examples = page_sections(MAN_DIR / f"{page}.1")["EXAMPLES"]
    commands = [part.strip() for part in re.split(r"(?:#[^#]*?)?(?=\boneline )", examples) if part.strip()]
    used = 0
    for command in commands:
        words = shlex.split(command.split("#")[0].split("|")[0], posix=True)
        if words[:1] != ["oneline"]:
            continue
        verify(SUBCOMMANDS, includes(words[1]), "SRS-250", note=f"{page}: {command!r} names no subcommand")
        names = {name for option in options_of(words[1]) for name in option.names}
        for word in words[2:]:
            if word.startswith("-") and word != "-":
                verify(names, includes(word.split("=")[0]), "SRS-250",
                       note=f"{page}: {command!r}: {word} is not an option of {words[1]}")
        used += 1
    verify(used, true(), "SRS-250", note=f"{page}: no `oneline ...` example")


@verifies("SRS-250")
def test_man_pages_put_the_exec_rules_signals_prompt_and_environment_where_they_belong():
    need_man_pages()
    server = page_sections(MAN_DIR / "oneline-server.1")
    for words in ("SIGTERM", "SIGHUP", "process group", "--exec-timeout", "ONELINE_COMMAND", "ONELINE_INVALID"):
        verify(server["DESCRIPTION"] + server["ENVIRONMENT"], includes(words), "SRS-250",
               note=f"oneline-server(1) says nothing of {words}")
    client = page_sections(MAN_DIR / "oneline-client.1")
    for words in ("Ctrl-D", "terminal", "history"):
        verify(client["DESCRIPTION"], includes(words), "SRS-250", note=f"oneline-client(1) says nothing of {words}")
    verify("ONELINE_HISTORY" in client["ENVIRONMENT"] and "~/.oneline_history" in client["FILES"], true(), "SRS-250")
    tool = page_sections(MAN_DIR / "oneline.1")
    variables = tool_environment()
    verify(variables, true(), "SRS-250", note="no ONELINE_* variable found in the tool's sources")
    for variable in variables:
        verify(tool["ENVIRONMENT"], includes(variable), "SRS-250",
               note=f"oneline(1) leaves {variable} out of its ENVIRONMENT")


# --- the installation --------------------------------------------------------------------------------------------

def build_dir():
    named = os.environ.get("ONELINE_BUILD_DIR")
    if named:
        return pathlib.Path(named)
    for directory in pathlib.Path(BIN).resolve().parents:
        if (directory / "CMakeCache.txt").exists():
            return directory
    pytest.skip(f"no build directory above {BIN} (set ONELINE_BUILD_DIR)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The build installed with `cmake --install` into a scratch prefix."""
    prefix = tmp_path_factory.mktemp("prefix")
    result = subprocess.run(["cmake", "--install", str(build_dir()), "--prefix", str(prefix)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return prefix


@verifies("SRS-110")
def test_install_puts_a_man_page_per_subcommand_where_man_finds_it(installed):
    need_man_pages()
    man1 = installed / "share" / "man" / "man1"
    verify(sorted(path.name for path in man1.glob("*.1")), sorted(f"{page}.1" for page in page_names()), "SRS-110")
    for page in page_names():
        # `man NAME`, found through MANPATH as in a system-wide prefix.
        result = subprocess.run(["man", page], capture_output=True, text=True, timeout=WAIT, check=False,
                                env={**os.environ, "LC_ALL": "C", "MANPATH": str(installed / "share" / "man"),
                                     "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "1000"})
        verify(result.returncode, 0, "SRS-110", note=f"man {page}: {result.stderr}")
        verify(re.search(rf"^NAME\n\s+{re.escape(page)} - ", result.stdout, re.MULTILINE), true(), "SRS-110",
               note=result.stdout[:300])
        verify("--port" in result.stdout or page == "oneline", true(), "SRS-110")


@verifies("SRS-112")
def test_install_puts_the_bash_completion_where_bash_completion_loads_it(installed):
    script = installed / "share" / "bash-completion" / "completions" / "oneline"
    verify(script.read_text(), COMPLETION.read_text(), "SRS-112")
    verify(complete([[""]], script=script), [sorted(SUBCOMMANDS + ["-h", "--help", "--version"])], "SRS-112")


# --- the bash completion -----------------------------------------------------------------------------------------

def complete(queries, script=COMPLETION, cwd=None, path=None):
    """What the completion offers for each query: the words after `oneline`, the last one being completed.

    Real bash sources the script and calls the function it registered for `oneline`, as bash does on Tab.
    Returns each query's offers, sorted.
    """
    if BASH is None:
        pytest.skip("bash is not installed")
    lines = [f". {shlex.quote(str(script))}",
             "function_name=$(complete -p oneline | sed -n 's/.*-F \\([^ ]*\\) oneline$/\\1/p')",
             '[ -n "$function_name" ] || { echo "no completion registered for oneline" >&2; exit 3; }']
    for words in queries:
        lines.append(f"COMP_WORDS=(oneline {' '.join(shlex.quote(word) for word in words)})")
        lines.append(f"COMP_CWORD={len(words)}")
        lines.append('COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()')
        lines.append('"$function_name" oneline "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"')
        lines.append("printf '%s\\n' \"${COMPREPLY[@]}\"; echo '@@'")
    env = {**os.environ, "LC_ALL": "C"}
    if path is not None:
        env["PATH"] = path
    result = subprocess.run([BASH, "--norc", "--noprofile", "-c", "\n".join(lines)], capture_output=True, text=True,
                            timeout=WAIT, cwd=cwd, env=env, check=False)
    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("@@\n")[:-1]
    assert len(answers) == len(queries), result.stdout
    return [sorted(word for word in answer.split("\n") if word) for answer in answers]


@verifies("SRS-112")
def test_completion_offers_the_subcommands_and_the_tool_options():
    top = [name for option in options_of() for name in option.names]
    verify(complete([[""]]), [sorted(SUBCOMMANDS + top)], "SRS-112")
    prefixes = [[name[:1]] for name in SUBCOMMANDS]
    for name, offered in zip(SUBCOMMANDS, complete(prefixes)):
        verify(name in offered and all(word.startswith(name[:1]) for word in offered), true(), "SRS-112")


@verifies("SRS-113")
@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_completion_offers_every_option_of_the_subcommand(subcommand):
    names = sorted(name for option in options_of(subcommand) for name in option.names)
    long_names = [name for name in names if name.startswith("--")]
    queries = [[subcommand, "-"]] + [[subcommand, name[:-1]] for name in long_names] + [[subcommand, "--", "-"]]
    answers = complete(queries)
    verify(answers[0], names, "SRS-113")
    for name, offered in zip(long_names, answers[1:-1]):
        verify(name in offered and all(word.startswith(name[:-1]) for word in offered), true(), "SRS-113",
               note=(name, offered))
    verify(answers[-1], [], "SRS-113", note="options offered after --")


@verifies("SRS-114")
@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_completion_offers_no_option_where_a_value_is_due(subcommand):
    valued = [option for option in options_of(subcommand)
              if option.value is not None and not option.takes(FILE_VALUES + COMMAND_VALUES)]
    verify(valued, true(), "SRS-114", note=f"`oneline {subcommand}` has no option that takes a value")
    queries = [[subcommand, name, ""] for option in valued for name in option.names]
    queries += [[subcommand, name, "-"] for option in valued for name in option.names]
    for query, offered in zip(queries, complete(queries)):
        verify(offered, [], "SRS-114", note=f"{query}: offered {offered}")


@verifies("SRS-114")
def test_completion_offers_commands_after_a_command_option(tmp_path):
    options = [(subcommand, option) for subcommand in SUBCOMMANDS for option in options_of(subcommand)
               if option.takes(COMMAND_VALUES)]
    verify(options, true(), "SRS-114", note="no option takes a command (`oneline server --exec CMD`)")
    program = tmp_path / "oneline-handler-test"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    queries = [[subcommand, name, "oneline-handler-t"] for subcommand, option in options for name in option.names]
    queries += [[subcommand, name, "=", "oneline-handler-t"] for subcommand, option in options
                for name in option.names if name.startswith("--")]
    for query, offered in zip(queries, complete(queries, path=f"{tmp_path}:/usr/bin:/bin")):
        verify(offered, ["oneline-handler-test"], "SRS-114", note=f"{query}: offered {offered}")


def example_value(option):
    """A value the completion takes as the value of `option` (none for a flag)."""
    return [] if option.value is None else ["1"]


@verifies("SRS-113")
@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_completion_leaves_out_excluded_options_and_single_ones_given(subcommand):
    options = options_of(subcommand)
    by_name = {name: option for option in options for name in option.names}
    queries, expected = [], []
    for option in options:
        if option.names == ["-h", "--help"]:
            continue
        excluded = {other for match in re.findall(r"not with (-[-\w]+)", option.description)
                    for other in by_name[match].names}
        # A value given twice is an error for an option that takes one: it is not offered again.
        once = set(option.names) if option.value is not None and not option.many else set()
        for name in option.names:
            queries.append([subcommand, name, *example_value(option), "-"])
            expected.append(sorted(set(by_name) - excluded - once))
    if subcommand == "server":
        verify(any("not with" in option.description for option in options), true(), "SRS-113",
               note="server --help names no exclusion")
    for query, offered, wanted in zip(queries, complete(queries), expected):
        verify(offered, wanted, "SRS-113", note=f"{query}: offered {offered}")


def check_file_completion(queries, script, cwd):
    (cwd / "data-1.txt").write_text("")
    (cwd / "data-2.txt").write_text("")
    (cwd / "data-dir").mkdir()
    (cwd / "other.txt").write_text("")
    for query, offered in zip(queries, complete(queries, script=script, cwd=cwd)):
        verify(offered, ["data-1.txt", "data-2.txt", "data-dir"], "SRS-114", f"completion after {' '.join(query)}")


@verifies("SRS-114")
def test_completion_offers_files_after_each_file_option_of_the_tool(tmp_path):
    queries = [[subcommand, name, "data"] for subcommand in SUBCOMMANDS for option in options_of(subcommand)
               if option.takes(FILE_VALUES) for name in option.names]
    if not queries:
        pytest.skip("no option of this build takes a FILE or PATH (the generator's file case is tested below)")
    check_file_completion(queries, COMPLETION, tmp_path)


@verifies("SRS-114")
def test_completion_generator_offers_files_after_a_file_option(tmp_path):
    # A stand-in tool whose help, in the tool's layout, has a FILE option and a directory-less neighbour:
    # the generator is the part under test, fed a --help the real tool does not (yet) print.
    tool = tmp_path / "tool"
    tool.write_text("""#!/bin/sh
case "$1" in
  --version) echo 9.9.9 ;;
  --help) printf 'A tool\\nUsage: oneline [OPTIONS] SUBCOMMAND\\n\\nOptions:\\n  -h,--help                   Help\\n\\n'
          printf 'Subcommands:\\n  run                         Run it\\n\\n' ;;
  run) printf 'Run it\\nUsage: oneline run [OPTIONS]\\n\\nOptions:\\n  -h,--help                   Help\\n'
       printf '  -f,--file TEXT:FILE         read the commands from this file\\n'
       printf '  -i,--input PATH(existing)   read more from here\\n'
       printf '  -n,--count UINT=3           how many\\n' ;;
esac
""")
    tool.chmod(0o755)
    script = tmp_path / "completion"
    subprocess.run([BASH or "bash", str(GENERATOR), str(tool), str(script)], check=True, timeout=WAIT)
    work = tmp_path / "work"
    work.mkdir()
    check_file_completion([["run", "-f", "data"], ["run", "--file", "data"], ["run", "--file", "=", "data"],
                           ["run", "-i", "data"]], script, work)
    verify(complete([["run", "-"], ["run", "-n", "d"]], script=script, cwd=work),
           [["--count", "--file", "--help", "--input", "-f", "-h", "-i", "-n"], []], "SRS-114")


# --- the documentation -------------------------------------------------------------------------------------------

def mentions(text, name):
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def synopses(path):
    """{subcommand or "": the synopsis entry} of the ```text blocks of `path`: a line `oneline WORD ...` and the
    indented lines that continue it."""
    found = {}
    current = None
    fence = None
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
            current = None
            continue
        if fence != "text":
            continue
        match = re.match(r"^oneline (\S+)(.*)$", line)
        if match:
            current = "" if match.group(1).startswith("-") else match.group(1)
            found[current] = found.get(current, "") + " " + line
        elif current is not None and line.startswith(" ") and line.strip().startswith("["):
            found[current] += " " + line
        else:
            current = None
    return found


@verifies("SRS-116")
@pytest.mark.parametrize("document", ["README.md", "docs/cli.md"])
def test_synopsis_names_every_option_of_every_subcommand(document):
    found = synopses(ROOT / document)
    for subcommand, options in every_help():
        key = subcommand[0] if subcommand else ""
        verify(found, includes(key), "SRS-116", note=f"{document} has no synopsis line `oneline {key or '--version'}`")
        for option in options:
            if option.names == ["-h", "--help"]:
                continue
            verify(any(mentions(found[key], name) for name in option.names), true(), "SRS-116",
                   note=f"{document}: the synopsis of `oneline {key}` leaves out {option}")


def synopsis_options(entry):
    """{option name: its value name, or None for a flag} of one synopsis entry: `[-p PORT]`, `[--echo | --exec CMD]`,
    `[--allow ADDRESS_OR_CIDR ...]`, and an option outside brackets (`oneline --version`)."""
    found = {}
    outside = re.sub(r"\[[^][]*\]", " ", entry).split()
    for group in re.findall(r"\[([^][]*)\]", entry) + [word for word in outside if word.startswith("-")]:
        for alternative in group.split("|"):
            words = alternative.split()
            if words and re.fullmatch(r"--?\w[\w-]*", words[0]):
                # KIND=VALUE (--fault) is named by its first part, as the help parser names it.
                value = words[1].split("=")[0] if len(words) > 1 and re.fullmatch(
                    r"[A-Z][A-Z0-9_]*(=[A-Z][A-Z0-9_]*)?", words[1]) else None
                found[words[0]] = value
    return found


@verifies("SRS-116")
@pytest.mark.parametrize("document", ["README.md", "docs/cli.md"])
def test_synopsis_names_each_value_as_the_help_does_both_ways(document):
    found = synopses(ROOT / document)
    for subcommand, options in every_help():
        key = subcommand[0] if subcommand else ""
        listed = synopsis_options(found.get(key, ""))
        by_name = {name: option for option in options for name in option.names}
        for name, value in listed.items():
            if name == "-vv":  # -v given twice, which the synopsis shows beside -v
                continue
            verify(by_name, includes(name), "SRS-116",
                   note=f"{document}: `oneline {key}` has no option {name} (its --help lists none)")
            verify(value, by_name[name].value, "SRS-116",
                   note=f"{document}: `oneline {key}` {name} takes {value}, its --help says {by_name[name].value}")
        for option in options:
            if option.names != ["-h", "--help"]:
                verify(any(listed.get(name, "missing") == option.value for name in option.names), true(), "SRS-116",
                       note=f"{document}: the synopsis of `oneline {key}` does not show {option} {option.value or ''}")


@verifies("SRS-116")
@pytest.mark.parametrize("document", ["README.md", "docs/cli.md"])
def test_prose_names_each_value_as_the_help_does(document):
    values = {}  # option name: every value name the helps give it (-n is RESPONSES in client, COUNT in bench)
    for _, options in every_help():
        for option in options:
            for name in option.names:
                values.setdefault(name, set()).add(option.value)
    text = "\n".join(prose_sections(ROOT / document).values())
    quoted = re.findall(r"`((?:-\w|--[\w-]+)(?:,--[\w-]+)?) ([A-Z][A-Z0-9_]*)`", text)
    verify(quoted or document == "README.md", true(), "SRS-116", note=f"{document} quotes no `--option VALUE`")
    for names, value in quoted:
        name = names.split(",")[-1]
        verify(values, includes(name), "SRS-116", note=f"{document}: `{names} {value}`: no subcommand has {name}")
        verify(values[name], includes(value), "SRS-116",
               note=f"{document}: `{names} {value}`: the help calls its value {values[name]}")


def prose_sections(path):
    """{heading: its text without code blocks} of a Markdown file; "" holds what comes before any heading."""
    sections = {"": ""}
    heading = ""
    fenced = False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("#"):
            heading = line
            sections[heading] = ""
            continue
        sections[heading] += line + "\n"
    return sections


@verifies("SRS-116")
def test_reference_documents_every_subcommand_and_option():
    sections = prose_sections(ROOT / "docs" / "cli.md")
    tool_heading = "## `oneline`"
    verify(sections, includes(tool_heading), "SRS-116", note="docs/cli.md has no `## `oneline`` section")
    common = sections[tool_heading]
    for option in options_of():
        verify(any(mentions(common, name) for name in option.names), true(), "SRS-116",
               note=f"the tool's {option} is not described")
    for subcommand, options in every_help()[1:]:
        name = subcommand[0]
        headings = [heading for heading in sections if heading.startswith("### ") and f"`oneline {name}`" in heading]
        verify(headings, true(), "SRS-116", note=f"docs/cli.md has no section (### ...`oneline {name}`...) for {name}")
        own = "".join(sections[heading] for heading in headings)
        for option in options:
            described = any(mentions(own, name_) or mentions(common, name_) for name_ in option.names)
            verify(described, true(), "SRS-116",
                   f"`oneline {name}` {option} is described in its section or in the common part")
