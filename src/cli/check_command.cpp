#include "cli/check_command.hpp"

#include "cli/connection.hpp"
#include "cli/junit_report.hpp"
#include "cli/options.hpp"
#include "cli/requirement_trace.hpp"
#include "cli/requirements_file.hpp"

#include <oneline/transcript.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace oneline::cli {
namespace {

constexpr std::string_view kName = "check";
/// The least time a new connection after a lost one keeps trying (see run_transcripts()).
constexpr std::chrono::milliseconds kReconnectPatience{2000};

struct CheckCommandOptions {
    Endpoint endpoint;
    double timeout_seconds = 5;
    double wait_seconds = 0;
    std::string junit;
    std::string srs;
    std::string trace;
    std::vector<std::string> transcripts;
};

bool ends_with(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

CLI::Validator trace_extension_check() {
    return CLI::Validator(
        [](const std::string& path) {
            return ends_with(path, ".json") || ends_with(path, ".md")
                       ? std::string()
                       : "'" + path + "' must end in .json (a trace for tools) or .md (one for people)";
        },
        "");
}

/// Every problem of the input at once, one line each, then exit 2: nothing has been sent.
[[noreturn]] void refuse(const std::vector<std::string>& problems) {
    for (std::size_t i = 0; i + 1 < problems.size(); ++i) {
        std::cerr << "oneline " << kName << ": " << problems[i] << "\n";
    }
    fail(kName, problems.back(), exit_usage);
}

std::vector<Transcript> read_transcripts(const std::vector<std::string>& paths) {
    std::vector<Transcript> transcripts;
    std::vector<std::string> problems;
    for (const std::string& path : paths) {
        try {
            transcripts.push_back(read_transcript(path));
        } catch (const TranscriptError& error) {
            problems.emplace_back(error.what());
        }
    }
    if (!problems.empty()) {
        refuse(problems);
    }
    return transcripts;
}

/// Every id a case names must be a requirement of the file: a typo would otherwise verify nothing.
void check_requirement_ids(const std::vector<Transcript>& transcripts, const std::vector<Requirement>& requirements,
                           const std::string& srs_path) {
    std::set<std::string> known;
    for (const Requirement& requirement : requirements) {
        known.insert(requirement.id);
    }
    std::vector<std::string> problems;
    for (const Transcript& transcript : transcripts) {
        for (const TranscriptCase& test_case : transcript.cases) {
            for (const std::string& id : test_case.requirements) {
                if (known.count(id) == 0) {
                    std::string problem = transcript.file + ":" + std::to_string(test_case.line);
                    problem.append(": case '").append(test_case.name).append("' names ").append(id);
                    problems.push_back(problem.append(", which ").append(srs_path).append(" does not hold"));
                }
            }
        }
    }
    if (!problems.empty()) {
        refuse(problems);
    }
}

void print_outcome(const CaseOutcome& outcome) {
    std::cout << (outcome.passed ? "PASS " : "FAIL ") << outcome.file << " " << outcome.name << "\n";
    if (!outcome.passed) {
        std::cout << "    " << outcome.failure << "\n";
    }
}

std::vector<CheckedFile> run_transcripts(const std::vector<Transcript>& transcripts,
                                         const CheckCommandOptions& options) {
    const std::chrono::milliseconds timeout = to_milliseconds(options.timeout_seconds);
    const std::chrono::milliseconds wait = to_milliseconds(options.wait_seconds);
    CheckOptions check_options;
    check_options.timeout = timeout;
    std::vector<CheckedFile> files;
    for (const Transcript& transcript : transcripts) {
        // After a lost connection the server may still be letting it go (delivering what it owed
        // the last client): a new connection keeps trying for a while, at least kReconnectPatience.
        bool first = true;
        const std::function<Client()> connect = [&] {
            const std::chrono::milliseconds patience = first ? wait : std::max({wait, timeout, kReconnectPatience});
            first = false;
            return connect_client(options.endpoint, timeout, false, patience);
        };
        const auto began = std::chrono::steady_clock::now();
        std::vector<CaseOutcome> outcomes = check_transcript(transcript, connect, check_options);
        const auto took = std::chrono::steady_clock::now() - began;
        for (const CaseOutcome& outcome : outcomes) {
            print_outcome(outcome);
        }
        std::cout.flush();  // each file's results as soon as it has run
        files.push_back(CheckedFile{transcript.file, std::move(outcomes), took});
    }
    return files;
}

std::string count_text(std::size_t count, const std::string& singular, const std::string& plural) {
    return std::to_string(count) + " " + (count == 1 ? singular : plural);
}

void write_report(const std::string& path, const std::string& text, bool& failed) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        std::cerr << "oneline " << kName << ": cannot write '" << path << "': " << std::strerror(errno) << std::endl;
        failed = true;
    }
}

void run_check(const CheckCommandOptions& options) {
    const std::vector<Transcript> transcripts = read_transcripts(options.transcripts);
    std::optional<std::vector<Requirement>> requirements;
    if (!options.srs.empty()) {
        try {
            requirements = read_requirements(options.srs);
        } catch (const RequirementsError& error) {
            fail(kName, std::string("--srs: ") + error.what(), exit_usage);
        }
        check_requirement_ids(transcripts, *requirements, options.srs);
    }

    const std::vector<CheckedFile> files = run_transcripts(transcripts, options);
    std::vector<const CaseOutcome*> outcomes;
    std::size_t failed_cases = 0;
    for (const CheckedFile& file : files) {
        for (const CaseOutcome& outcome : file.outcomes) {
            outcomes.push_back(&outcome);
            failed_cases += outcome.passed ? 0 : 1;
        }
    }
    std::string tally =
        count_text(outcomes.size(), "case", "cases") + " in " + count_text(files.size(), "file", "files") + ": " +
        std::to_string(outcomes.size() - failed_cases) + " passed, " + std::to_string(failed_cases) + " failed";
    bool failed = failed_cases > 0;
    if (requirements) {
        const std::vector<RequirementResult> results = trace_requirements(*requirements, outcomes);
        std::map<RequirementResult::Verdict, std::size_t> counts;
        std::size_t unverified_automatic = 0;
        for (const RequirementResult& result : results) {
            ++counts[result.verdict];
            std::cout << result.requirement->id << ": " << verdict_text(result.verdict);
            if (result.verdict == RequirementResult::Verdict::unverified) {
                std::cout << " (" << result.requirement->tester << ")";
                unverified_automatic += result.requirement->automatic() ? 1 : 0;
            }
            std::cout << "\n";
        }
        tally += "; " + count_text(results.size(), "requirement", "requirements") + ": " +
                 std::to_string(counts[RequirementResult::Verdict::pass]) + " passed, " +
                 std::to_string(counts[RequirementResult::Verdict::fail]) + " failed, " +
                 std::to_string(counts[RequirementResult::Verdict::unverified]) + " unverified (" +
                 std::to_string(unverified_automatic) + " automatic)";
        failed = failed || unverified_automatic > 0;
        if (!options.trace.empty()) {
            write_report(options.trace, ends_with(options.trace, ".md") ? trace_markdown(results) : trace_json(results),
                         failed);
        }
    }
    std::cout << tally << std::endl;
    if (!options.junit.empty()) {
        write_report(options.junit, junit_xml(files), failed);
    }
    if (failed) {
        throw CLI::RuntimeError(exit_failure);  // the lines above say why
    }
}

}  // namespace

void add_check_command(CLI::App& app) {
    auto options = std::make_shared<CheckCommandOptions>();
    CLI::App* command = app.add_subcommand(std::string(kName),
                                           "Check a server's answers against transcripts of expected conversations");
    add_endpoint_options(*command, options->endpoint, PortUse::connect);
    add_timeout_option(*command, options->timeout_seconds,
                       "seconds to wait for the connection and for each response (`@ timeout` in a transcript gives "
                       "one command longer)");
    add_wait_option(*command, options->wait_seconds);
    command->add_option("--junit", options->junit, "write the results as JUnit XML to this file, for CI")
        ->type_name("FILE");
    CLI::Option* srs = command
                           ->add_option("--srs", options->srs,
                                        "requirements file (srs.json): every id a case names must be in it; prints "
                                        "each requirement's result, and an unverified automatic one fails the run")
                           ->type_name("FILE");
    command
        ->add_option("--trace", options->trace,
                     "write each requirement's result and the cases verifying it to this file: .json or .md")
        ->type_name("FILE")
        ->check(trace_extension_check())
        ->needs(srs);
    command->add_option("TRANSCRIPT", options->transcripts, "transcript files, run in order, each on one connection")
        ->type_name("")
        ->required();
    command->callback([options] { run_guarded(kName, [&] { run_check(*options); }); });
}

}  // namespace oneline::cli
