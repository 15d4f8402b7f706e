#include "handler/handler_protocol.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace oneline::handler {
namespace {

using Json = nlohmann::json;

/// Takes the answer's `responses` from nlohmann-json's event stream, refusing any other shape as
/// soon as it shows, so that what a handler sends never grows beyond the limits.
class AnswerReader final : public nlohmann::json_sax<Json> {
public:
    AnswerReader(std::size_t max_responses, std::vector<std::string>& responses)
        : max_responses_(max_responses), responses_(responses) {}

    bool null() override { return value("null"); }
    bool boolean(bool) override { return value("a boolean"); }
    bool number_integer(number_integer_t) override { return value("a number"); }
    bool number_unsigned(number_unsigned_t) override { return value("a number"); }
    bool number_float(number_float_t, const string_t&) override { return value("a number"); }
    bool binary(binary_t&) override { return value("binary"); }

    bool string(string_t& text) override {
        if (!in_responses()) {
            return value("a string");
        }
        if (responses_.size() == max_responses_) {
            return refuse("more than " + std::to_string(max_responses_) + " responses");
        }
        if (text.find('\n') != string_t::npos) {
            return refuse("response " + std::to_string(responses_.size() + 1) + " holds a line feed");
        }
        responses_.push_back(std::move(text));
        return true;
    }

    bool start_object(std::size_t) override {
        if (in_responses()) {
            return refuse(element_not_string());
        }
        if (std::exchange(next_is_responses_, false)) {
            return refuse("\"responses\" is an object, not an array");
        }
        ++depth_;
        return true;
    }
    bool key(string_t& name) override {
        next_is_responses_ = depth_ == 1 && name == "responses";
        if (next_is_responses_ && seen_responses_) {
            return refuse("two \"responses\" members");
        }
        return true;
    }
    bool end_object() override {
        --depth_;
        return true;
    }
    bool start_array(std::size_t) override {
        if (in_responses()) {
            return refuse(element_not_string());
        }
        if (depth_ == 0) {
            return refuse("not a JSON object");
        }
        ++depth_;
        if (std::exchange(next_is_responses_, false)) {
            seen_responses_ = true;
            responses_depth_ = depth_;
        }
        return true;
    }
    bool end_array() override {
        if (depth_ == responses_depth_) {
            responses_depth_ = 0;
        }
        --depth_;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
        // nlohmann's text, less its "[json.exception.parse_error.101] " tag.
        const std::string text = error.what();
        const std::size_t tag_end = text.find("] ");
        return refuse("not JSON: " + (tag_end == std::string::npos ? text : text.substr(tag_end + 2)));
    }

    /// After the parse: what is wrong, empty when nothing is.
    std::string problem() const {
        if (!problem_.empty()) {
            return problem_;
        }
        return seen_responses_ ? std::string() : "no \"responses\" member";
    }

private:
    bool in_responses() const noexcept { return responses_depth_ != 0 && depth_ == responses_depth_; }

    std::string element_not_string() const {
        return "response " + std::to_string(responses_.size() + 1) + " is not a string";
    }

    /// A scalar: fine as the value of another member, wrong anywhere else.
    bool value(const char* what) {
        if (in_responses()) {
            return refuse(element_not_string());
        }
        if (depth_ == 0) {
            return refuse("not a JSON object");
        }
        if (std::exchange(next_is_responses_, false)) {
            return refuse(std::string("\"responses\" is ") + what + ", not an array");
        }
        return true;
    }

    bool refuse(std::string why) {
        problem_ = std::move(why);
        return false;
    }

    std::size_t max_responses_;
    std::vector<std::string>& responses_;
    std::size_t depth_ = 0;            // objects and arrays open
    std::size_t responses_depth_ = 0;  // the depth inside `responses`' array while it is open, else 0
    bool next_is_responses_ = false;   // the value that comes next is the top object's `responses`
    bool seen_responses_ = false;
    std::string problem_;
};

}  // namespace

void append_request(std::string& out, std::string_view command, bool is_invalid) {
    out += "{\"command\": ";
    out += Json(command).dump(-1, ' ', false, Json::error_handler_t::replace);
    out += is_invalid ? ", \"invalid\": true}\n" : ", \"invalid\": false}\n";
}

std::string parse_answer(std::string_view line, std::size_t max_responses, std::vector<std::string>& responses) {
    responses.clear();
    AnswerReader reader(max_responses, responses);
    Json::sax_parse(line.data(), line.data() + line.size(), &reader);
    std::string problem = reader.problem();
    if (!problem.empty()) {
        responses.clear();
    }
    return problem;
}

}  // namespace oneline::handler
