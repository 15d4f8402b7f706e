// oneline_device_bench: how fast a device file answers, against the echo server, in one run.
//
// Both servers are oneline::Server in this process, answering through a reply callback the way
// `oneline server` does (--echo: the command itself; --device: oneline::Device). The device has
// 1,000 dialogues and 100 properties; the load cycles through dialogues and getters spread over
// the whole file. Each round measures both with the same pipelined raw-socket client (every answer
// checked); rounds alternate the order, and the figures are medians. The goal line compares the
// median of the per-round ratios with 0.5x.
#include "load/raw_load.hpp"
#include "load/connection.hpp"
#include "load/workload.hpp"

#include <oneline/device.hpp>
#include <oneline/server.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr int kDialogues = 1000;
constexpr int kProperties = 100;

std::string number(int value, int width) {
    std::string text = std::to_string(value);
    return std::string(static_cast<std::size_t>(width) - std::min<std::size_t>(text.size(), width), '0') + text;
}

std::string device_file() {
    std::string file = "spec: \"1.1\"\ndevices:\n  bench:\n    error: ERROR\n    dialogues:\n";
    for (int i = 0; i < kDialogues; ++i) {
        file += "      - q: \"DIAL" + number(i, 4) + "?\"\n        r: \"answer " + number(i, 4) + "\"\n";
    }
    file += "    properties:\n";
    for (int i = 0; i < kProperties; ++i) {
        const std::string name = "prop" + number(i, 3);
        file += "      " + name + ":\n        default: " + std::to_string(i) + ".5\n        getter:\n          q: \"" +
                name + "?\"\n          r: \"{:.3f}\"\n        setter:\n          q: \"" + name +
                " {:.3f}\"\n          r: OK\n        specs:\n          type: float\n";
    }
    return file;
}

// 64 commands over the whole file (every 31st dialogue, every 3rd property) and their answers.
oneline::bench::Workload device_workload() {
    std::vector<std::string> commands;
    std::vector<std::string> answers;
    for (int i = 0; i < 32; ++i) {
        const int dialogue = (i * 31) % kDialogues;
        commands.push_back("DIAL" + number(dialogue, 4) + "?");
        answers.push_back("answer " + number(dialogue, 4));
        const int property = (i * 3) % kProperties;
        commands.push_back("prop" + number(property, 3) + "?");
        answers.push_back(std::to_string(property) + ".500");
    }
    return oneline::bench::Workload{oneline::bench::LineStream(commands), oneline::bench::LineStream(answers)};
}

// A server on 127.0.0.1, port 0, answering through `answer`, started and stopped with this object.
class LocalServer {
public:
    explicit LocalServer(oneline::ReplyCallback answer) {
        oneline::ServerConfig config;
        config.address = "127.0.0.1";
        config.port = 0;
        config.reply_callback = std::move(answer);
        server_ = std::make_unique<oneline::Server>(std::move(config));
        server_->start();
        endpoint_ = oneline::bench::resolve("127.0.0.1", server_->port());
    }
    ~LocalServer() { server_->stop(); }
    LocalServer(const LocalServer&) = delete;
    LocalServer& operator=(const LocalServer&) = delete;
    const oneline::bench::Endpoint& endpoint() const { return endpoint_; }

private:
    std::unique_ptr<oneline::Server> server_;
    oneline::bench::Endpoint endpoint_;
};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"oneline_device_bench: a device file's pipelined answers against the echo server's"};
    std::size_t commands = 300000;
    int rounds = 5;
    bool quick = false;
    app.add_option("--commands", commands, "pipelined commands per server and round")->capture_default_str();
    app.add_option("--rounds", rounds, "rounds (each measures both servers)")->capture_default_str();
    app.add_flag("--quick", quick, "a tiny run that only checks every answer");
    CLI11_PARSE(app, argc, argv);
    if (quick) {
        commands = 2000;
        rounds = 1;
    }
    if (!oneline::Device::built_in()) {
        std::printf("oneline_device_bench: this build has no device engine; nothing measured\n");
        return 0;
    }
    oneline::Device device = oneline::Device::from_string(device_file(), {}, "bench device");
    LocalServer echo([](std::string_view command, bool, oneline::Reply& reply) { reply.send(command); });
    LocalServer simulated(device.reply_callback());
    const oneline::bench::Workload device_load = device_workload();
    // The echo server gets the same commands (each answered by itself): the same bytes in.
    std::vector<std::string> same_commands;
    for (std::size_t i = 0; i < device_load.commands.lines_per_block() && i < 64; ++i) {
        same_commands.emplace_back(device_load.commands.line(i));
    }
    const oneline::bench::Workload echo_load{oneline::bench::LineStream(same_commands),
                                             oneline::bench::LineStream(same_commands)};

    // The device alone, without sockets: what one answer costs it.
    {
        std::size_t sent = 0;
        oneline::Server* none = nullptr;
        class CountingReply final : public oneline::Reply {
        public:
            explicit CountingReply(std::size_t& count) : count_(count) {}
            bool send(std::string_view) override {
                ++count_;
                return true;
            }

        private:
            std::size_t& count_;
        } counting(sent);
        (void)none;
        const auto began = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < commands; ++i) {
            device.answer(device_load.commands.line(i), false, counting);
        }
        const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - began;
        std::printf("device alone: %.0f ns per command (%zu answers)\n", took.count() / static_cast<double>(commands),
                    sent);
    }
    std::vector<double> echo_rates;
    std::vector<double> device_rates;
    std::vector<double> ratios;
    for (int round = 0; round < rounds; ++round) {
        double echo_rate = 0;
        double device_rate = 0;
        if (round % 2 == 0) {
            echo_rate = oneline::bench::raw_pipelined(echo.endpoint(), echo_load, commands);
            device_rate = oneline::bench::raw_pipelined(simulated.endpoint(), device_load, commands);
        } else {
            device_rate = oneline::bench::raw_pipelined(simulated.endpoint(), device_load, commands);
            echo_rate = oneline::bench::raw_pipelined(echo.endpoint(), echo_load, commands);
        }
        echo_rates.push_back(echo_rate);
        device_rates.push_back(device_rate);
        ratios.push_back(device_rate / echo_rate);
        std::printf("round %d: echo %.0f/s, device %.0f/s, %.2fx\n", round + 1, echo_rate, device_rate,
                    device_rate / echo_rate);
    }
    const double ratio = median(ratios);
    std::printf("\n%zu pipelined commands per server and round, %d rounds; device: %d dialogues, %d properties\n",
                commands, rounds, kDialogues, kProperties);
    std::printf("| server | pipelined (commands/s, median) |\n|---|---|\n");
    std::printf("| echo (as --echo) | %.0f |\n| device (as --device) | %.0f |\n", median(echo_rates),
                median(device_rates));
    std::printf("goal: device pipelined >= 0.50x echo: %.2fx %s\n", ratio, ratio >= 0.5 ? "met" : "NOT met");
    return 0;
}
