#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::cli {

/// One requirement of a requirements file (`oneline check --srs FILE`).
struct Requirement {
    std::string id;
    std::string group;        ///< empty when the file gives none
    std::string tester;       ///< "auto", "manual" or a tester's initials; "auto" when the file gives none
    std::string description;  ///< empty when the file gives none

    /// Whether a test is meant to verify it: an unverified one then fails the run.
    bool automatic() const { return tester == "auto"; }
};

/// A requirements file that cannot be read or is not one: what() is "FILE: ..." or "FILE:LINE: ...".
class RequirementsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads the requirements in `text`, in either shape: a list of {"id", "group", "tester",
/// "description"} (this project's srs.json) or an object {"SRS-001": {"tester": ..., "desc": ...}}
/// (socket-oneline's and medver-pytest's). Only the ids are required; an id given twice, a value
/// of the wrong type or JSON nested deeper than a requirements file needs is an error. Messages
/// name `file`. Throws RequirementsError.
std::vector<Requirement> parse_requirements(std::string_view text, const std::string& file);

/// Reads and parses the file at `path`, at most `max_size` bytes. Throws RequirementsError.
std::vector<Requirement> read_requirements(const std::string& path, std::size_t max_size = 16 * 1024 * 1024);

}  // namespace oneline::cli
