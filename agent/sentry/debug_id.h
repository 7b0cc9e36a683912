// Finds the debug id that ties a built JavaScript file to the source map uploaded for it
// (SENTRY-PROTOCOL.md §3, "Source maps"), by reading as little of the file as it can:
//
//   - the comment `sentry-cli sourcemaps inject` appends, `//# debugId=<uuid>`, among the last
//     lines of the file: only blank lines and `//# sourceMappingURL=` (or `//@ ...`) comments
//     may follow it, since sentry-cli moves the source map comment after it. An inline source
//     map (a data: URL of megabytes on one line) is stepped over without being read: only the
//     start of each line is looked at;
//   - failing that, the `sentry-dbid-<uuid>` marker of the snippet that Sentry's bundler plugins
//     put at the top of each chunk (their uploads carry the same id), in the file's first bytes.
//
// The id is what the SDK would report at run time for the file: lowercase, 8-4-4-4-12 hex.
// Pure functions of what `read` returns; safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace faultline::sentry {

// Reads up to `len` bytes at `offset` into `buf`: the count read (short at the end of the file),
// or -1 on an error.
using ReadAt = std::function<long(char* buf, size_t len, uint64_t offset)>;

struct DebugIdLimits {
  size_t tail_lines = 16;                    // lines looked at from the end
  uint64_t tail_scan = 16ull * 1024 * 1024;  // bytes stepped over to find their starts
  size_t head_bytes = 8 * 1024;              // where the bundler plugins' marker is looked for
};

// The debug id of a file of `size` bytes, or "" when it has none (or reading failed).
std::string find_debug_id(const ReadAt& read, uint64_t size, const DebugIdLimits& limits = {});

// Exposed for tests. `//# debugId=<uuid>` (spaces around allowed, `//#debugId=` too) → the uuid.
std::optional<std::string> debug_id_comment(std::string_view line);
bool is_uuid(std::string_view text);

}  // namespace faultline::sentry
