#pragma once

// Two network namespaces of the test's own, joined by a veth pair, for tests that need a peer
// that can vanish: with its link down its packets are dropped and nothing answers, not even with
// a reset. Loopback cannot do that: a closed port answers with a reset at once.
// Both ends are in namespaces of their own, so the host's network is never touched, whatever
// addresses it uses (192.0.2.0/24 included). Shared by the unit tests and the stress suite; needs
// root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and the `ip` command (iproute2). Independent of
// GoogleTest: a test skips with the reason given.

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <functional>
#include <iostream>
#include <memory>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace oneline::test {

/// What a program run by run_program() did.
struct ProgramRun {
    bool started = false;  ///< false when it could not be run at all (not installed, ...)
    int exit_status = -1;  ///< its exit status; -1 when it was killed (at the timeout, or by a signal)
    std::string output;    ///< what it wrote on stdout and stderr, or why it did not start
};

namespace veth_detail {

/// Owns one descriptor; closes it when destroyed.
class Descriptor {
public:
    explicit Descriptor(int fd = -1) noexcept : fd_(fd) {}
    ~Descriptor() { reset(); }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const noexcept { return fd_; }
    void reset() noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_;
};

/// Owns the file actions of one posix_spawn.
class SpawnActions {
public:
    SpawnActions() { ::posix_spawn_file_actions_init(&actions_); }
    ~SpawnActions() { ::posix_spawn_file_actions_destroy(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() noexcept { return &actions_; }

private:
    posix_spawn_file_actions_t actions_{};
};

/// Numbers the links of one process, so that names stay unique across tests and repeats.
inline std::atomic<unsigned> made_in_this_process{0};

}  // namespace veth_detail

/// Runs `arguments` (the first one looked up on PATH, no shell), its stdin empty, its stdout and
/// stderr captured, bounded by `timeout`: a program still running then is killed.
inline ProgramRun run_program(const std::vector<std::string>& arguments, std::chrono::milliseconds timeout) {
    using veth_detail::Descriptor;
    ProgramRun run;
    int ends[2] = {-1, -1};
    if (arguments.empty() || ::pipe2(ends, O_CLOEXEC) != 0) {
        run.output = "cannot make a pipe";
        return run;
    }
    Descriptor read_end(ends[0]);
    Descriptor write_end(ends[1]);
    veth_detail::SpawnActions actions;
    ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDERR_FILENO);
    std::vector<char*> argv;
    for (const auto& argument : arguments) {
        argv.push_back(const_cast<char*>(argument.c_str()));
    }
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (const int error = ::posix_spawnp(&pid, argv[0], actions.get(), nullptr, argv.data(), environ); error != 0) {
        run.output = arguments[0] + ": " + std::strerror(error);
        return run;
    }
    run.started = true;
    write_end.reset();  // the child holds the only write end now: its exit ends the stream
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd entry{read_end.get(), POLLIN, 0};
        const int ready = ::poll(&entry, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            ::kill(pid, SIGKILL);
            run.output += "\n(killed after " + std::to_string(timeout.count()) + " ms)";
            break;
        }
        char chunk[4096];
        const ssize_t got = ::read(read_end.get(), chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        run.output.append(chunk, static_cast<std::size_t>(got));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

/// Two network namespaces made for one test, joined by a veth pair: the server's side, with
/// server_address() (and its loopback up, so that clients there reach it too), and the peer's
/// side, with peer_address(); both of the documentation range 192.0.2.0/24. A socket made by
/// run_in() stays in that namespace for its life, whichever thread uses it later. The
/// destructor deletes both namespaces (and the pair with them), whatever the test did. Holds no
/// descriptor between calls.
class VethLink {
public:
    enum class Side { server, peer };

    /// How long each `ip` command may take.
    static constexpr std::chrono::milliseconds kCommandTimeout{10000};

    /// Makes one; null, with `why_not` saying why, when it cannot be made here (not root, no
    /// `ip`, no CAP_NET_ADMIN or CAP_SYS_ADMIN, no veth support).
    static std::unique_ptr<VethLink> create(std::string& why_not) {
        if (::geteuid() != 0) {
            why_not = "needs root (CAP_NET_ADMIN) to make network namespaces and a veth pair";
            return nullptr;
        }
        if (!run_program({"ip", "-V"}, kCommandTimeout).started) {
            why_not = "no `ip` command (Debian package iproute2)";
            return nullptr;
        }
        const std::string unique =
            std::to_string(::getpid()) + "-" + std::to_string(veth_detail::made_in_this_process++);
        std::unique_ptr<VethLink> made(new VethLink);
        made->server_namespace_ = "oneline-test-" + unique + "-server";
        made->peer_namespace_ = "oneline-test-" + unique + "-peer";
        for (const std::string* name : {&made->server_namespace_, &made->peer_namespace_}) {
            if (!ip({"netns", "add", *name}, why_not)) {
                why_not = "cannot make a network namespace: " + why_not;
                return nullptr;
            }
            made->namespaces_made_.push_back(*name);
        }
        const std::string& server = made->server_namespace_;
        const std::string& peer = made->peer_namespace_;
        // Made inside the server's namespace with its other end moved to the peer's at once: the
        // pair never appears in the host's namespace.
        if (!ip({"-n", server, "link", "add", kServerVeth, "type", "veth", "peer", "name", kPeerVeth, "netns", peer},
                why_not)) {
            why_not = "cannot make a veth pair: " + why_not;
            return nullptr;
        }
        if (!ip({"-n", server, "addr", "add", std::string(kServerAddress) + "/24", "dev", kServerVeth}, why_not) ||
            !ip({"-n", server, "link", "set", "dev", kServerVeth, "up"}, why_not) ||
            !ip({"-n", server, "link", "set", "dev", "lo", "up"}, why_not) ||
            !ip({"-n", peer, "addr", "add", std::string(kPeerAddress) + "/24", "dev", kPeerVeth}, why_not) ||
            !ip({"-n", peer, "link", "set", "dev", kPeerVeth, "up"}, why_not)) {
            why_not = "cannot set up the veth pair: " + why_not;
            return nullptr;
        }
        return made;
    }

    ~VethLink() {
        // A namespace goes, and its end of the pair with it, once no socket is left in it.
        for (const auto& name : namespaces_made_) {
            if (std::string why_not; !ip({"netns", "del", name}, why_not)) {
                std::cerr << "warning: network namespace " << name << " left behind: " << why_not << '\n';
            }
        }
    }

    VethLink(const VethLink&) = delete;
    VethLink& operator=(const VethLink&) = delete;

    /// Where a server on the server's side listens.
    static std::string server_address() { return kServerAddress; }
    /// The peer's address, on the other side.
    static std::string peer_address() { return kPeerAddress; }
    const std::string& namespace_name(Side side) const noexcept {
        return side == Side::server ? server_namespace_ : peer_namespace_;
    }

    /// Runs `body` in a thread of its own that joined `side`'s namespace, and waits for it:
    /// sockets (and threads) it makes belong to that namespace. setns() moves only the calling
    /// thread, so the test's own threads stay where they are. Rethrows what `body` throws;
    /// throws std::runtime_error when the namespace cannot be joined.
    void run_in(Side side, const std::function<void()>& body) const {
        std::exception_ptr failure;
        std::thread inside([&] {
            try {
                {
                    const veth_detail::Descriptor netns(
                        ::open(("/var/run/netns/" + namespace_name(side)).c_str(), O_RDONLY | O_CLOEXEC));
                    if (netns.get() < 0 || ::setns(netns.get(), CLONE_NEWNET) != 0) {
                        throw std::runtime_error("cannot join network namespace " + namespace_name(side) + ": " +
                                                 std::strerror(errno));
                    }
                }  // closed before `body` runs: a caller that counts descriptors sees none of it
                body();
            } catch (...) {
                failure = std::current_exception();
            }
        });
        inside.join();
        if (failure) {
            std::rethrow_exception(failure);
        }
    }

    /// Takes the peer's end of the link down: peers there vanish, their packets are dropped and
    /// nothing answers for them. Up again: the link carries packets again. False, with `why_not`
    /// saying why, when `ip` fails.
    bool set_peer_link(bool up, std::string& why_not) const {
        return ip({"-n", peer_namespace_, "link", "set", "dev", kPeerVeth, up ? "up" : "down"}, why_not);
    }

private:
    static constexpr const char* kServerAddress = "192.0.2.1";
    static constexpr const char* kPeerAddress = "192.0.2.2";
    // Each in a namespace of its own: fixed names cannot collide with anything.
    static constexpr const char* kServerVeth = "veth-server";
    static constexpr const char* kPeerVeth = "veth-peer";

    VethLink() = default;

    /// Runs `ip` with `arguments`; false, with its message in `why_not`, when it fails.
    static bool ip(std::vector<std::string> arguments, std::string& why_not) {
        arguments.insert(arguments.begin(), "ip");
        const ProgramRun run = run_program(arguments, kCommandTimeout);
        if (run.started && run.exit_status == 0) {
            return true;
        }
        std::string command;
        for (const auto& argument : arguments) {
            command += (command.empty() ? "" : " ") + argument;
        }
        why_not = "`" + command + "` failed: " + run.output;
        while (!why_not.empty() && why_not.back() == '\n') {
            why_not.pop_back();
        }
        return false;
    }

    std::string server_namespace_;
    std::string peer_namespace_;
    std::vector<std::string> namespaces_made_;
};

}  // namespace oneline::test
