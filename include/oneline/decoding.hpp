#pragma once

/// \file
/// How received bytes become command text: oneline::Decoding.

namespace oneline {

/// How the server decodes the bytes of a command.
enum class Decoding {
    /// Bytes >= 0x80 are dropped and the command is flagged invalid (the default).
    ascii,
    /// Well-formed UTF-8 passes through; each byte that does not start a
    /// well-formed sequence is dropped and the command is flagged invalid.
    utf8,
};

}  // namespace oneline
