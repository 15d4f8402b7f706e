#include <oneline/errors.hpp>

#include <string>

namespace oneline {
namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "oneline"; }

    std::string message(int code) const override {
        switch (static_cast<Errc>(code)) {
            case Errc::missing_parameters: return "required parameters are missing";
            case Errc::line_too_long: return "line exceeds the maximum line length";
            case Errc::server_busy: return "server busy: it closed the connection before answering";
            case Errc::server_closed: return "server closed the connection";
            case Errc::handshake_failed: return "server did not answer ping with pong";
            case Errc::not_connected: return "not connected";
            case Errc::unknown_host: return "unknown host";
        }
        return "unknown oneline error " + std::to_string(code);
    }
};

std::string join_names(const std::vector<std::string>& names) {
    std::string joined;
    for (const auto& name : names) {
        joined += joined.empty() ? "" : ", ";
        joined += name;
    }
    return joined;
}

}  // namespace

const std::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

std::error_code make_error_code(Errc code) noexcept { return {static_cast<int>(code), error_category()}; }

MissingParameters::MissingParameters(std::vector<std::string> names)
    : Error(make_error_code(Errc::missing_parameters), "missing: " + join_names(names)), names_(std::move(names)) {}

}  // namespace oneline
