#include "loads.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace oneline::stress {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kStepTimeout{2000};
constexpr std::size_t kMaxSegments = 12;
constexpr std::size_t kMaxChunk = 4096;
constexpr std::size_t kBatch = 1000;

/// A line as sent, and what the callback must receive in each decoding mode.
struct HostileLine {
    std::string raw;  // without the 0x0A
    std::string ascii_text;
    bool ascii_invalid = false;
    std::string utf8_text;
    bool utf8_invalid = false;
    bool random = false;  // random bytes: only the ASCII mode's result is predicted
};

/// One piece of a line, with what each mode keeps of it.
struct Segment {
    std::string_view raw;
    bool ascii_kept;
    bool utf8_kept;
};

// None starts with a UTF-8 continuation byte, so a truncated sequence stays malformed whatever follows it.
constexpr Segment kSegments[] = {
    {"word", true, true},
    {std::string_view("\0\0\0", 3), true, true},            // NULs pass through
    {"\rx", true, true},                                    // a lone CR inside a line is data
    {"\xFF\xFF\xFF\xFF", false, false},                     // never valid
    {"\xE2\x82", false, false},                             // truncated 3-byte sequence
    {"\xF0\x9F\x98", false, false},                         // truncated 4-byte sequence
    {"\xC3", false, false},                                 // truncated 2-byte sequence
    {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", false, true},  // whole UTF-8
};

HostileLine make_line(std::size_t index, std::mt19937& random) {
    HostileLine line;
    const std::string tag = "L" + std::to_string(index) + ":";
    line.raw = line.ascii_text = line.utf8_text = tag;
    if (random() % 8 == 0) {
        line.random = true;
        const std::size_t length = random() % 200;
        for (std::size_t i = 0; i < length; ++i) {
            char byte = '\n';
            while (byte == '\n') {
                byte = static_cast<char>(random() & 0xFFU);
            }
            line.raw.push_back(byte);
        }
        std::string_view body(line.raw);
        body.remove_prefix(tag.size());
        if (!body.empty() && body.back() == '\r') {
            body.remove_suffix(1);  // dropped before decoding
        }
        for (const char c : body) {
            if ((static_cast<unsigned char>(c) & 0x80U) == 0) {
                line.ascii_text.push_back(c);
            } else {
                line.ascii_invalid = true;
            }
        }
        return line;
    }
    const std::size_t segments = random() % kMaxSegments;
    for (std::size_t i = 0; i < segments; ++i) {
        const Segment& segment = kSegments[random() % std::size(kSegments)];
        line.raw.append(segment.raw);
        if (segment.ascii_kept) {
            line.ascii_text.append(segment.raw);
        } else {
            line.ascii_invalid = true;
        }
        if (segment.utf8_kept) {
            line.utf8_text.append(segment.raw);
        } else {
            line.utf8_invalid = true;
        }
    }
    if (random() % 4 == 0) {
        line.raw.push_back('\r');  // CR LF: the CR is dropped in both modes
    }
    return line;
}

/// Sends `lines` in chunks of random size (so lines and UTF-8 sequences straddle the server's
/// reads), then a `ping`; once the `pong` is back, every line has reached the callback.
bool send_batch(RawSocket& socket, const std::string& stream, std::mt19937& random, LoadReport& report,
                LoadControl& control) {
    for (std::size_t offset = 0; offset < stream.size();) {
        const std::size_t size = std::min<std::size_t>(1 + random() % kMaxChunk, stream.size() - offset);
        if (socket.send_all(std::string_view(stream).substr(offset, size), kStepTimeout) != Io::ok) {
            report.fail(control, "the server dropped the client after " + std::to_string(offset) + " bytes");
            return false;
        }
        offset += size;
        report.bytes += size;
        control.progress = report.bytes;
    }
    std::string answer;
    if (socket.send_all("ping\n", kStepTimeout) != Io::ok || socket.read_line(answer, kStepTimeout) != Io::ok ||
        answer != "pong") {
        report.fail(control, "no pong after the hostile lines");
        return false;
    }
    return true;
}

LoadReport hostile_bytes(StressServer& server, std::size_t lines, LoadControl& control, bool utf8) {
    LoadReport report;
    std::mt19937 random(static_cast<std::mt19937::result_type>(lines));
    RawSocket socket = connect_served(server, control, report);
    // In batches, so that what the test keeps stays small whatever the count.
    for (std::size_t first = 0; socket.valid() && first < lines; first += kBatch) {
        const std::size_t count = std::min(kBatch, lines - first);
        std::vector<HostileLine> sent;
        std::string stream;
        for (std::size_t i = first; i < first + count; ++i) {
            sent.push_back(make_line(i, random));
            stream.append(sent.back().raw).push_back('\n');
        }
        server.record(count);
        if (!send_batch(socket, stream, random, report, control)) {
            return report;
        }
        const std::vector<ReceivedCommand> received = server.recorded();
        if (received.size() != count) {
            report.fail(control,
                        std::to_string(count) + " lines sent, " + std::to_string(received.size()) + " received");
            return report;
        }
        for (std::size_t i = 0; i < count; ++i) {
            const HostileLine& line = sent[i];
            const std::string& expected = utf8 ? line.utf8_text : line.ascii_text;
            const bool expected_invalid = utf8 ? line.utf8_invalid : line.ascii_invalid;
            const bool predicted = !(utf8 && line.random);
            const bool tagged = received[i].text.rfind("L" + std::to_string(first + i) + ":", 0) == 0;
            if (!tagged || (predicted && (received[i].text != expected || received[i].invalid != expected_invalid))) {
                if (report.fail(control, "line " + std::to_string(first + i) + " decoded wrongly")) {
                    return report;
                }
            }
            ++report.units;
        }
    }
    return report;
}

}  // namespace

LoadReport hostile_bytes_ascii(StressServer& server, std::size_t lines, LoadControl& control) {
    return hostile_bytes(server, lines, control, false);
}

LoadReport hostile_bytes_utf8(StressServer& server, std::size_t lines, LoadControl& control) {
    return hostile_bytes(server, lines, control, true);
}

StressServer::Tweak utf8_decoding() {
    return [](ServerConfig& config) { config.decoding = Decoding::utf8; };
}

}  // namespace oneline::stress
