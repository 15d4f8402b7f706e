#include "cli/junit_report.hpp"

#include <cstddef>
#include <iomanip>
#include <sstream>

namespace oneline::cli {
namespace {

/// How many bytes the well-formed UTF-8 sequence at the front of `text` takes (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF); 0 when none starts there.
std::size_t utf8_sequence(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto continuation = [&](std::size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
    const unsigned char lead = byte(0);
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return continuation(1) ? 2 : 0;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2)) {
            return 0;
        }
        const unsigned char second = byte(1);
        const bool overlong = lead == 0xE0 && second < 0xA0;
        const bool surrogate = lead == 0xED && second >= 0xA0;
        return overlong || surrogate ? 0 : 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) {
            return 0;
        }
        const unsigned char second = byte(1);
        const bool overlong = lead == 0xF0 && second < 0x90;
        const bool too_high = lead == 0xF4 && second >= 0x90;
        return overlong || too_high ? 0 : 4;
    }
    return 0;
}

void append_hex(std::string& out, unsigned char byte) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.append("\\x").push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xF]);
}

std::string seconds(std::chrono::nanoseconds duration) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(3) << std::chrono::duration<double>(duration).count();
    return text.str();
}

}  // namespace

std::string xml_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        const auto code = static_cast<unsigned char>(text[at]);
        const std::size_t length = utf8_sequence(text.substr(at));
        if (length == 0 || (code < 0x20 && code != '\t' && code != '\n' && code != '\r') || code == 0x7F) {
            append_hex(out, code);
            ++at;
            continue;
        }
        switch (code) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\t': out += "&#9;"; break;  // as references, so that attribute values keep them
            case '\n': out += "&#10;"; break;
            case '\r': out += "&#13;"; break;
            default: out.append(text.substr(at, length));
        }
        at += length;
    }
    return out;
}

namespace {

/// ` NAME="VALUE"`, the value escaped.
std::string attribute(std::string_view name, std::string_view value) {
    return " " + std::string(name) + R"(=")" + xml_escaped(value) + R"(")";
}

std::string attribute(std::string_view name, std::size_t value) { return attribute(name, std::to_string(value)); }

}  // namespace

std::string junit_xml(const std::vector<CheckedFile>& files) {
    std::size_t tests = 0;
    std::size_t failures = 0;
    std::chrono::nanoseconds total{0};
    std::ostringstream suites;
    for (const CheckedFile& file : files) {
        std::size_t failed = 0;
        std::ostringstream cases;
        for (const CaseOutcome& outcome : file.outcomes) {
            // status="run" and the `srs` property as GoogleTest writes them, so that ver/report.py takes
            // this file as evidence for a user's own srs.json, as it takes the unit tests' XML.
            cases << "    <testcase" << attribute("name", outcome.name) << attribute("classname", file.file)
                  << attribute("status", "run") << attribute("time", seconds(outcome.duration)) << ">\n";
            if (!outcome.requirements.empty()) {
                std::string ids;
                for (const std::string& id : outcome.requirements) {
                    ids.append(ids.empty() ? "" : " ").append(id);
                }
                cases << "      <properties>\n        <property" << attribute("name", "srs") << attribute("value", ids)
                      << "/>\n      </properties>\n";
            }
            if (!outcome.passed) {
                ++failed;
                cases << "      <failure" << attribute("message", outcome.failure) << attribute("type", "mismatch")
                      << ">" << xml_escaped(outcome.failure) << "</failure>\n";
            }
            cases << "    </testcase>\n";
        }
        suites << "  <testsuite" << attribute("name", file.file) << attribute("tests", file.outcomes.size())
               << attribute("failures", failed) << attribute("errors", std::size_t{0})
               << attribute("skipped", std::size_t{0}) << attribute("time", seconds(file.duration)) << ">\n"
               << cases.str() << "  </testsuite>\n";
        tests += file.outcomes.size();
        failures += failed;
        total += file.duration;
    }
    std::ostringstream xml;
    xml << R"(<?xml version="1.0" encoding="UTF-8"?>)"
        << "\n"
        << "<testsuites" << attribute("name", "oneline check") << attribute("tests", tests)
        << attribute("failures", failures) << attribute("errors", std::size_t{0}) << attribute("time", seconds(total))
        << ">\n"
        << suites.str() << "</testsuites>\n";
    return xml.str();
}

}  // namespace oneline::cli
