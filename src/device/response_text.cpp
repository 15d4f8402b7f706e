#include "device/response_text.hpp"

#include <re2/re2.h>

#include <stdexcept>

namespace oneline::device {
namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

std::string expand_escapes(std::string_view text) {
    std::string plain;
    plain.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'r' || text[i + 1] == 'n')) {
            plain.push_back(text[i + 1] == 'r' ? '\r' : '\n');
            ++i;
        } else {
            plain.push_back(text[i]);
        }
    }
    std::string out;
    out.reserve(plain.size());
    std::size_t i = 0;
    while (i < plain.size()) {
        const std::size_t start = plain.find("BYTES(", i);
        const std::size_t close = start == std::string::npos ? std::string::npos : plain.find(')', start + 6);
        if (start == std::string::npos || close == std::string::npos || close == start + 6) {
            if (start != std::string::npos && close == start + 6) {
                out.append(plain, i, close + 1 - i);  // "BYTES()" is no directive
                i = close + 1;
                continue;
            }
            out.append(plain, i, std::string::npos);
            break;
        }
        out.append(plain, i, start - i);
        // Each character (UTF-8 in the file) stands for the byte of its code point (latin-1).
        for (std::size_t j = start + 6; j < close; ++j) {
            const auto lead = static_cast<unsigned char>(plain[j]);
            if (lead < 0x80) {
                out.push_back(static_cast<char>(lead));
            } else if ((lead == 0xC2 || lead == 0xC3) && j + 1 < close) {
                out.push_back(
                    static_cast<char>(((lead & 0x03) << 6) | (static_cast<unsigned char>(plain[j + 1]) & 0x3F)));
                ++j;
            } else {
                throw std::invalid_argument("BYTES(...) may hold only characters U+0000 to U+00FF (\\x00 to \\xff)");
            }
        }
        i = close + 1;
    }
    return out;
}

RandomResponse compile_random(std::string_view response) {
    static const RE2 directive(R"(\{RANDOM\((\d*.\d*), (\d*.\d*), (\d*)\).*\})");
    static const RE2 call(R"(RANDOM\((\d*.\d*), (\d*.\d*), (\d*)\))");
    std::string low;
    std::string high;
    std::string count;
    const re2::StringPiece text(response.data(), response.size());
    if (!RE2::PartialMatch(text, directive, &low, &high, &count)) {
        throw std::invalid_argument("malformed RANDOM directive in " + quoted(response) +
                                    " (write {RANDOM(min, max, count):format})");
    }
    RandomResponse random;
    const auto min = parse_python_float(low);
    const auto max = parse_python_float(high);
    const auto n = parse_python_int(count);
    if (!min || !max || !n) {
        throw std::invalid_argument("RANDOM(" + low + ", " + high + ", " + count + ") needs two numbers and a count");
    }
    if (*n < 0 || *n > 10000) {
        throw std::invalid_argument("RANDOM's count " + count + " is not 0 to 10000");
    }
    random.min = *min;
    random.max = *max;
    random.count = static_cast<int>(*n);
    std::string rest(response);
    RE2::GlobalReplace(&rest, call, "");
    random.format = PythonFormat(rest);
    if (random.format.has_field()) {
        const std::string why = spec_refuses(random.format.spec(), ValueKind::real);
        if (!why.empty()) {
            throw std::invalid_argument("RANDOM in " + quoted(response) + ": " + why);
        }
    }
    return random;
}

}  // namespace oneline::device
