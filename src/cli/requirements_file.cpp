#include "cli/requirements_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

namespace oneline::cli {
namespace {

using Json = nlohmann::json;

/// A requirements file is a list or an object of flat objects: anything deeper is not one, and
/// refusing it early keeps a hostile file from nesting its way through the stack.
constexpr int kDeepest = 8;

/// The 1-based line of byte `offset` of `text`.
std::size_t line_of(std::string_view text, std::size_t offset) {
    const std::string_view before = text.substr(0, std::min(offset, text.size()));
    return static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
}

class Reader {
public:
    Reader(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    std::vector<Requirement> read() {
        const Json document = parse();
        if (document.is_array()) {
            for (std::size_t index = 0; index < document.size(); ++index) {
                read_listed(document[index], index);
            }
        } else if (document.is_object()) {
            for (const auto& [id, entry] : document.items()) {
                read_keyed(id, entry);
            }
        } else {
            fail(
                "holds neither a list of {\"id\", \"group\", \"tester\", \"description\"} nor an object of "
                "{\"ID\": {\"tester\", \"desc\"}}");
        }
        return std::move(requirements_);
    }

private:
    [[noreturn]] void fail(const std::string& message) const { throw RequirementsError(file_ + ": " + message); }

    Json parse() const {
        const Json::parser_callback_t not_too_deep = [this](int depth, Json::parse_event_t, Json&) {
            if (depth > kDeepest) {
                fail("is nested deeper than a requirements file is (" + std::to_string(kDeepest) + " levels)");
            }
            return true;
        };
        try {
            return Json::parse(text_.begin(), text_.end(), not_too_deep);
        } catch (const Json::parse_error& error) {
            std::string reason = error.what();
            const std::size_t tag_end = reason.find("] ");
            if (reason.rfind("[json.", 0) == 0 && tag_end != std::string::npos) {
                reason.erase(0, tag_end + 2);  // "[json.exception.parse_error.101] " says nothing to a user
            }
            throw RequirementsError(file_ + ":" + std::to_string(line_of(text_, error.byte == 0 ? 0 : error.byte - 1)) +
                                    ": not JSON: " + reason);
        }
    }

    /// The string member `key` of `entry`, or empty when it has none.
    std::string text_member(const Json& entry, const char* key, const std::string& what) const {
        const auto member = entry.find(key);
        if (member == entry.end() || member->is_null()) {
            return std::string();
        }
        if (!member->is_string()) {
            fail(what + ": \"" + key + "\" is not a string");
        }
        return member->get<std::string>();
    }

    void read_listed(const Json& entry, std::size_t index) {
        const std::string what = "entry " + std::to_string(index + 1);
        if (!entry.is_object()) {
            fail(what + " is not an object");
        }
        if (entry.find("id") == entry.end()) {
            fail(what + " has no \"id\"");
        }
        Requirement requirement;
        requirement.id = text_member(entry, "id", what);
        requirement.group = text_member(entry, "group", what);
        requirement.tester = text_member(entry, "tester", what);
        requirement.description = text_member(entry, "description", what);
        add(std::move(requirement), what);
    }

    void read_keyed(const std::string& id, const Json& entry) {
        const std::string what = "\"" + id + "\"";
        if (!entry.is_object()) {
            fail(what + " is not an object");
        }
        Requirement requirement;
        requirement.id = id;
        requirement.group = text_member(entry, "group", what);
        requirement.tester = text_member(entry, "tester", what);
        requirement.description = text_member(entry, "desc", what);
        if (requirement.description.empty()) {
            requirement.description = text_member(entry, "description", what);
        }
        add(std::move(requirement), what);
    }

    void add(Requirement requirement, const std::string& what) {
        if (requirement.id.empty() || requirement.id.find_first_of(" \t\r\n") != std::string::npos) {
            fail(what + ": an id must be one word, not '" + requirement.id + "'");
        }
        if (!ids_.insert(requirement.id).second) {
            fail(what + ": " + requirement.id + " is given twice");
        }
        if (requirement.tester.empty()) {
            requirement.tester = "auto";
        }
        requirements_.push_back(std::move(requirement));
    }

    std::string_view text_;
    const std::string& file_;
    std::vector<Requirement> requirements_;
    std::set<std::string> ids_;
};

}  // namespace

std::vector<Requirement> parse_requirements(std::string_view text, const std::string& file) {
    return Reader(text, file).read();
}

std::vector<Requirement> read_requirements(const std::string& path, std::size_t max_size) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw RequirementsError(path + ": cannot be opened: " + std::strerror(errno));
    }
    std::string text;
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        if (text.size() + static_cast<std::size_t>(in.gcount()) > max_size) {
            throw RequirementsError(path + ": is larger than " + std::to_string(max_size) + " bytes");
        }
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw RequirementsError(path + ": cannot be read");
    }
    return parse_requirements(text, path);
}

}  // namespace oneline::cli
