// oneline_plain_client: the baseline of bench/client_bulk.py. A plain pipelined socket in a process of
// its own, so that it pays for a process start as `oneline client` does: it reads the commands from
// stdin, writes them all at once followed by `disconnect` (a thread of its own, so that a server
// that stops reading until its answers are read never stalls it) while it copies every byte that
// comes back to stdout, until the server closes. No framing, no checks: the least a client can do.
//
//     oneline_plain_client PORT < commands > answers

#include "test/support/raw_socket.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace {

constexpr std::chrono::milliseconds kTimeout{30000};

int run(const char* port_text) {
    char* end = nullptr;
    const unsigned long port = std::strtoul(port_text, &end, 10);
    if (*port_text == '\0' || *end != '\0' || port == 0 || port > 65535) {
        std::cerr << "oneline_plain_client: not a port: '" << port_text << "'\n";
        return 2;
    }
    std::string commands;
    char block[64 * 1024];
    for (std::size_t got = 0; (got = std::fread(block, 1, sizeof block, stdin)) > 0;) {
        commands.append(block, got);
    }
    commands += "disconnect\n";
    oneline::test::RawSocket socket = oneline::test::RawSocket::connect_to(static_cast<std::uint16_t>(port), kTimeout);
    if (!socket.valid()) {
        std::cerr << "oneline_plain_client: cannot connect to port " << port << " (errno " << socket.error() << ")\n";
        return 1;
    }
    oneline::test::Io sent = oneline::test::Io::ok;
    std::thread writer([&] { sent = socket.send_all(commands, kTimeout); });
    std::string answers;
    oneline::test::Io status = oneline::test::Io::ok;
    while (status == oneline::test::Io::ok) {
        answers.clear();
        status = socket.read_some(answers, kTimeout);
        std::fwrite(answers.data(), 1, answers.size(), stdout);
    }
    writer.join();
    std::fflush(stdout);
    if (status != oneline::test::Io::closed || sent != oneline::test::Io::ok) {
        std::cerr << "oneline_plain_client: " << (sent != oneline::test::Io::ok ? "sending" : "reading")
                  << " failed or timed out\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: oneline_plain_client PORT < commands > answers\n";
        return 2;
    }
    return run(argv[1]);
}
