#pragma once

#include "cli/requirements_file.hpp"

#include <oneline/transcript.hpp>

#include <string>
#include <vector>

namespace oneline::cli {

/// What the cases of a run say of one requirement.
struct RequirementResult {
    enum class Verdict {
        pass,       ///< every case naming it passed
        fail,       ///< a case naming it failed
        unverified  ///< no case names it
    };
    const Requirement* requirement = nullptr;
    Verdict verdict = Verdict::unverified;
    std::vector<const CaseOutcome*> cases;  ///< the cases naming it, in the order they ran
};

/// "PASS", "FAIL" or "unverified".
std::string verdict_text(RequirementResult::Verdict verdict);

/// The result of each of `requirements`, in their order, from the cases in `outcomes` that name it.
/// Both must outlive the results.
std::vector<RequirementResult> trace_requirements(const std::vector<Requirement>& requirements,
                                                  const std::vector<const CaseOutcome*>& outcomes);

/// The trace for tools: a JSON object with a "requirements" list (id, group, description, tester,
/// result, and the cases verifying each: file, line, location "FILE:LINE", name, result) and a
/// "summary" of the counts. Text that is not UTF-8 is written with replacement characters.
std::string trace_json(const std::vector<RequirementResult>& results);

/// The trace for people: a Markdown table, one row per requirement, its cases in the last column.
std::string trace_markdown(const std::vector<RequirementResult>& results);

}  // namespace oneline::cli
