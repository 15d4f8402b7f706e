// libFuzzer target: the line framer must agree with the reference model on
// every input, whatever the options and however the stream is cut into feeds.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "framer_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string mismatch = oneline::fuzz::check_framer_against_model(data, size);
    if (!mismatch.empty()) {
        std::fprintf(stderr, "line framer differs from the model at %s\n", mismatch.c_str());
        std::abort();  // libFuzzer saves the input as a crash artifact
    }
    return 0;
}
