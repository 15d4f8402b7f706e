#pragma once

/// \file
/// The errors oneline reports: oneline::Errc, its error category, and the exceptions it throws.

#include <oneline/export.hpp>

#include <string>
#include <system_error>
#include <vector>

namespace oneline {

/// Failures of the oneline protocol itself (system failures use std::errc).
enum class Errc {
    missing_parameters = 1,  ///< a required parameter was not set
    line_too_long,           ///< a line exceeded the maximum line length
    server_busy,             ///< the server closed the connection before answering (another client is served)
    server_closed,           ///< the server closed the connection
    handshake_failed,        ///< the server answered the handshake `ping` with something other than `pong`
    not_connected,           ///< the operation needs a connected client
    unknown_host,            ///< the host name could not be resolved
};

/// The category of oneline::Errc codes; its name is "oneline".
ONELINE_EXPORT const std::error_category& error_category() noexcept;

/// Makes a std::error_code of oneline's category.
ONELINE_EXPORT std::error_code make_error_code(Errc code) noexcept;

/// The one exception type oneline throws: a std::system_error whose code is
/// either a oneline::Errc or a system errno, and whose what() says the reason.
class ONELINE_EXPORT Error : public std::system_error {
public:
    using std::system_error::system_error;
};

/// Thrown when required parameters are missing; names every missing one.
class ONELINE_EXPORT MissingParameters : public Error {
public:
    /// An error whose what() names each of `names`: "missing: address, port".
    explicit MissingParameters(std::vector<std::string> names);
    /// The names of the missing parameters, e.g. {"address", "callback"}.
    const std::vector<std::string>& names() const noexcept { return names_; }

private:
    std::vector<std::string> names_;
};

}  // namespace oneline

/// \cond
template <>
struct std::is_error_code_enum<oneline::Errc> : std::true_type {};
/// \endcond
