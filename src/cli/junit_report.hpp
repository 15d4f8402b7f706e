#pragma once

#include <oneline/transcript.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace oneline::cli {

/// The cases of one transcript file as they ran.
struct CheckedFile {
    std::string file;
    std::vector<CaseOutcome> outcomes;
    std::chrono::nanoseconds duration{0};
};

/// JUnit XML as CI systems read it: a <testsuites> with one <testsuite> per file (named after it),
/// one <testcase> per case (classname: the file; its requirement ids as a property), a failed case
/// holding a <failure> whose message is the mismatch.
std::string junit_xml(const std::vector<CheckedFile>& files);

/// `text` as XML character data or attribute value: markup characters as entities, and every byte
/// XML 1.0 cannot hold (control bytes other than tab, line feed and carriage return, and bytes
/// that are not part of well-formed UTF-8) written as the text \xNN.
std::string xml_escaped(std::string_view text);

}  // namespace oneline::cli
