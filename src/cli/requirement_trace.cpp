#include "cli/requirement_trace.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

namespace oneline::cli {
namespace {

using Json = nlohmann::ordered_json;
using Verdict = RequirementResult::Verdict;

std::string location(const CaseOutcome& outcome) { return outcome.file + ":" + std::to_string(outcome.line); }

/// `text` as one Markdown table cell: no line break, no column bar, no HTML.
std::string cell(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '|': out += "\\|"; break;
            case '<': out += "&lt;"; break;
            case '&': out += "&amp;"; break;
            case '\n':
            case '\r':
            case '\t': out += ' '; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

std::string verdict_text(Verdict verdict) {
    switch (verdict) {
        case Verdict::pass: return "PASS";
        case Verdict::fail: return "FAIL";
        case Verdict::unverified: break;
    }
    return "unverified";
}

std::vector<RequirementResult> trace_requirements(const std::vector<Requirement>& requirements,
                                                  const std::vector<const CaseOutcome*>& outcomes) {
    std::vector<RequirementResult> results;
    results.reserve(requirements.size());
    std::map<std::string, std::size_t> index_of;
    for (const Requirement& requirement : requirements) {
        index_of.emplace(requirement.id, results.size());
        results.push_back(RequirementResult{&requirement, Verdict::unverified, {}});
    }
    for (const CaseOutcome* outcome : outcomes) {
        for (const std::string& id : outcome->requirements) {
            const auto found = index_of.find(id);
            if (found == index_of.end()) {
                continue;  // checked before anything ran: only an id in the file gets here
            }
            RequirementResult& result = results[found->second];
            result.cases.push_back(outcome);
            if (!outcome->passed) {
                result.verdict = Verdict::fail;
            } else if (result.verdict == Verdict::unverified) {
                result.verdict = Verdict::pass;
            }
        }
    }
    return results;
}

std::string trace_json(const std::vector<RequirementResult>& results) {
    Json requirements = Json::array();
    std::map<Verdict, std::size_t> counts;
    std::size_t unverified_automatic = 0;
    for (const RequirementResult& result : results) {
        const Requirement& requirement = *result.requirement;
        Json cases = Json::array();
        for (const CaseOutcome* outcome : result.cases) {
            cases.push_back(Json{{"file", outcome->file},
                                 {"line", outcome->line},
                                 {"location", location(*outcome)},
                                 {"name", outcome->name},
                                 {"result", outcome->passed ? "PASS" : "FAIL"}});
        }
        requirements.push_back(Json{{"id", requirement.id},
                                    {"group", requirement.group},
                                    {"description", requirement.description},
                                    {"tester", requirement.tester},
                                    {"result", verdict_text(result.verdict)},
                                    {"cases", std::move(cases)}});
        ++counts[result.verdict];
        if (result.verdict == Verdict::unverified && requirement.automatic()) {
            ++unverified_automatic;
        }
    }
    const Json trace{{"requirements", std::move(requirements)},
                     {"summary",
                      {{"requirements", results.size()},
                       {"passed", counts[Verdict::pass]},
                       {"failed", counts[Verdict::fail]},
                       {"unverified", counts[Verdict::unverified]},
                       {"unverified_automatic", unverified_automatic}}}};
    return trace.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string trace_markdown(const std::vector<RequirementResult>& results) {
    std::ostringstream out;
    out << "# Requirements trace\n\n"
        << "| id | tester | result | description | verified by |\n"
        << "|---|---|---|---|---|\n";
    for (const RequirementResult& result : results) {
        const Requirement& requirement = *result.requirement;
        out << "| " << cell(requirement.id) << " | " << cell(requirement.tester) << " | "
            << verdict_text(result.verdict) << " | " << cell(requirement.description) << " | ";
        const char* separator = "";
        for (const CaseOutcome* outcome : result.cases) {
            out << separator << cell(location(*outcome)) << " " << cell(outcome->name) << " ("
                << (outcome->passed ? "PASS" : "FAIL") << ")";
            separator = "<br>";
        }
        out << (result.cases.empty() ? "none" : "") << " |\n";
    }
    return out.str();
}

}  // namespace oneline::cli
