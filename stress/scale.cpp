#include "scale.hpp"

#include <cstdlib>
#include <string>
#include <thread>

namespace oneline::stress {

bool sanitized_build() {
#ifdef ONELINE_STRESS_SANITIZED
    return true;
#else
    return false;
#endif
}

std::size_t scale_factor() {
    if (const char* text = std::getenv("ONELINE_STRESS_SCALE"); text != nullptr && *text != '\0') {
        const unsigned long factor = std::strtoul(text, nullptr, 10);
        return factor > 0 ? factor : 1;
    }
    if (const char* soak = std::getenv("ONELINE_SOAK"); soak != nullptr && std::string(soak) == "1") {
        return 10;
    }
    return 1;
}

std::size_t scaled(std::size_t count) {
    const std::size_t result = count * scale_factor() / (sanitized_build() ? 10 : 1);
    return result > 0 ? result : 1;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace oneline::stress
