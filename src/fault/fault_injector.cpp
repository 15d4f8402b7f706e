#include "fault/fault_injector.hpp"

#include <chrono>
#include <random>
#include <utility>

namespace oneline::fault {
namespace {

/// A seed for a server that was given none: from the system's randomness and the clock, since
/// some implementations' random_device repeats itself.
std::uint64_t fresh_seed() {
    std::random_device device;
    const auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return ((std::uint64_t{device()} << 32) | device()) ^ now;
}

std::string number(std::uint64_t value) { return std::to_string(value); }

std::string_view ending_text(Ending ending) {
    switch (ending) {
        case Ending::close: return "closing (close-after)";
        case Ending::reset: return "resetting (reset-after)";
        case Ending::stall: return "stalling (stall-after)";
        case Ending::none: break;
    }
    return "going on";
}

}  // namespace

FaultInjector::FaultInjector(const Faults& faults, const log::LogSink& log)
    : faults_(faults), log_(log), seed_(faults.seed ? *faults.seed : fresh_seed()) {}

void FaultInjector::connect() {
    clear();
    command_number_ = 0;
    ending_ = Ending::none;
    log_.info("faults on for this client, seed ", number(seed_));
}

void FaultInjector::clear() noexcept {
    held_.clear();
    held_bytes_ = 0;
    current_.clear();
    in_command_ = false;
}

void FaultInjector::begin_command() {
    ++command_number_;
    draws_ = Draws(seed_, command_number_);
    // Every draw is made whichever faults are on, so that command n's draws stay the same.
    delay_ = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(draws_.between(
        static_cast<std::uint64_t>(faults_.delay_min.count()), static_cast<std::uint64_t>(faults_.delay_max.count()))));
    dropping_ = draws_.chance(faults_.drop);
    current_.clear();
    responses_ = 0;
    in_command_ = true;
}

bool FaultInjector::take(std::string_view response, std::size_t limit) {
    const bool cut = in_command_ && draws_.chance(faults_.truncate);
    const std::size_t cut_to =
        cut && !response.empty() ? static_cast<std::size_t>(draws_.between(0, response.size() - 1)) : response.size();
    if (in_command_) {
        ++responses_;
        if (dropping_) {
            return true;  // lost on the way: the callback cannot tell
        }
    }
    std::string_view kept = response;
    if (cut && cut_to < response.size()) {
        kept = response.substr(0, cut_to);
        log_.info("fault: command ", number(command_number_), "'s response ", number(responses_), " cut from ",
                  number(response.size()), " to ", number(cut_to), " bytes");
    }
    if (held_bytes_ + current_.size() + kept.size() + 1 > limit) {
        return false;
    }
    if (in_command_) {
        current_.append(kept).push_back('\n');
    } else {
        held_.back().bytes.append(kept).push_back('\n');  // intercepting() outside a command: something is held
        held_bytes_ += kept.size() + 1;
    }
    return true;
}

Ending FaultInjector::end_command(net::Clock::time_point now) {
    in_command_ = false;
    if (dropping_ && responses_ > 0) {
        log_.info("fault: command ", number(command_number_), "'s ", number(responses_),
                  responses_ == 1 ? " response dropped" : " responses dropped");
    }
    if (delay_.count() > 0) {
        log_.info("fault: command ", number(command_number_), "'s responses held ", number(delay_.count()), " ms");
    }
    if (delay_.count() > 0 || !current_.empty()) {
        held_bytes_ += current_.size();
        held_.push_back({now + delay_, std::move(current_)});
        current_ = std::string();
    }
    if (faults_.reset_after == command_number_) {
        ending_ = Ending::reset;
    } else if (faults_.close_after == command_number_) {
        ending_ = Ending::close;
    } else if (faults_.stall_after == command_number_) {
        ending_ = Ending::stall;
    }
    if (ending_ != Ending::none) {
        log_.info("fault: ", ending_text(ending_), " once command ", number(command_number_),
                  "'s responses are written");
    }
    return ending_;
}

net::Deadline FaultInjector::next_release() const {
    if (held_.empty()) {
        return std::nullopt;
    }
    return held_.front().due;
}

void FaultInjector::release_due(net::Clock::time_point now, std::string& out) {
    while (!held_.empty() && held_.front().due <= now) {
        out.append(held_.front().bytes);
        held_bytes_ -= held_.front().bytes.size();
        held_.pop_front();
    }
}

}  // namespace oneline::fault
