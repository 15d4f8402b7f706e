#pragma once

// Linux only: runs test code in a thread of its own with a private mount namespace, where
// /etc/hosts is a file the test wrote (a host name with several addresses), and optionally a
// private network namespace with its loopback up and a chosen ephemeral port range. The host's
// files and network are untouched; the namespaces go with the last thread or socket using them.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <net/if.h>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace oneline::test {

struct PrivateNamespaceOptions {
    /// The contents of /etc/hosts inside.
    std::string hosts;
    /// Also a network namespace of its own (loopback up, nothing else).
    bool own_network = false;
    /// With own_network: the ephemeral ports, e.g. "40000 40001"; empty keeps the default.
    std::string port_range;
};

namespace private_hosts_detail {

inline void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

inline void bring_loopback_up() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail("socket");
    }
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    const bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0 &&
                    (request.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &request) == 0);
    const int error = errno;
    ::close(fd);
    errno = error;
    if (!up) {
        fail("bringing lo up");
    }
}

inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream file(path);
    file << text;
    file.close();
    if (!file) {
        throw std::runtime_error("cannot write " + path);
    }
}

}  // namespace private_hosts_detail

/// Runs `body` in a new thread inside the namespaces `options` asks for, and waits for it.
/// Returns false, with `why_not` saying why, when they cannot be made here (not Linux, not root,
/// no CAP_SYS_ADMIN); rethrows what `body` throws.
inline bool run_with_private_hosts(const PrivateNamespaceOptions& options, const std::function<void()>& body,
                                   std::string& why_not) {
    if (::geteuid() != 0) {
        why_not = "needs root (CAP_SYS_ADMIN) for a private mount namespace";
        return false;
    }
    char path[] = "/tmp/oneline-test-hosts-XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) {
        why_not = std::string("mkstemp: ") + std::strerror(errno);
        return false;
    }
    ::close(fd);
    bool made = false;
    std::exception_ptr failure;
    std::thread inside([&] {
        try {
            using private_hosts_detail::fail;
            private_hosts_detail::write_file(path, options.hosts);
            // unshare() moves only this thread; the test's other threads keep the host's view.
            if (::unshare(CLONE_NEWNS | (options.own_network ? CLONE_NEWNET : 0)) != 0) {
                fail("unshare");
            }
            if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
                fail("making the mounts private");
            }
            if (::mount(path, "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
                fail("bind-mounting a hosts file over /etc/hosts");
            }
            if (options.own_network) {
                private_hosts_detail::bring_loopback_up();
                if (!options.port_range.empty()) {
                    private_hosts_detail::write_file("/proc/sys/net/ipv4/ip_local_port_range", options.port_range);
                }
            }
        } catch (const std::exception& error) {
            why_not = error.what();
            return;
        }
        made = true;
        try {
            body();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    inside.join();
    ::unlink(path);
    if (failure) {
        std::rethrow_exception(failure);
    }
    return made;
}

}  // namespace oneline::test
