// systemd's notification protocol, spoken directly (sd_notify(3), "Notes"): one datagram of
// "KEY=VALUE" lines to the AF_UNIX socket that $NOTIFY_SOCKET names (a path, or an abstract name
// written with a leading '@'). systemd keeps this protocol stable for programs that do not link
// libsystemd; linking it would map it and five more libraries (gcrypt, zstd, lzma, lz4, cap),
// about 1 MB, into every faultline, for two calls.
//
// Stateless and thread-safe: every call reads the environment, which faultline never changes.
#pragma once

#include <cstdint>
#include <string_view>

namespace faultline::runtime::systemd {

// Sends `state` ("READY=1", "WATCHDOG=1", "STATUS=..."). False when there is no NOTIFY_SOCKET
// (not run by systemd as Type=notify) or the send failed: like sd_notify, nobody can act on it.
bool notify(std::string_view state);

// The watchdog interval in microseconds when systemd expects pings from this process
// (WATCHDOG_USEC set, and WATCHDOG_PID absent or this process's), else 0. As
// sd_watchdog_enabled(0, ...).
uint64_t watchdog_usec();

}  // namespace faultline::runtime::systemd
