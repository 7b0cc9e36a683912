// The spool's edge to the operating system: errno becomes a Status here, once, and every spool
// file is opened the same careful way. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline::delivery::spool_io {

// "<what> <path>: <strerror(err)>"
Status os_error(std::string_view what, const std::string& path, int err);

// An open spool file. Closes itself.
class File {
 public:
  File() = default;
  explicit File(int fd) : fd_(fd) {}
  ~File();
  File(File&& other) noexcept : fd_(other.release()) {}
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int fd() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Opens an existing file for reading without following a symlink and without blocking on a FIFO
// (O_NOFOLLOW | O_NONBLOCK), then checks with fstat that it is a regular file. What is not one
// (a FIFO, a symlink, a directory, a socket, a device) gives an error naming its type and sets
// *not_regular, so the caller can quarantine it instead of reading it.
struct Opened {
  File file;
  uint64_t size = 0;
};
Result<Opened> open_regular(const std::string& path, bool* not_regular);

// What lstat says `path` is, for messages: "a regular file", "a FIFO", "a symbolic link", ...
std::string file_type(const std::string& path);
bool is_regular(const std::string& path);

Status write_all(int fd, std::string_view data, const std::string& path);
Result<size_t> read_at(int fd, uint64_t offset, char* out, size_t n, const std::string& path);
// The first `max` bytes of a regular file, opened as open_regular() does.
Result<std::string> read_prefix(const std::string& path, uint64_t max, bool* not_regular);
// Appends `data` to `path` (created 0600 if missing, never through a symlink). No fsync.
Status append(const std::string& path, std::string_view data);
// Creates `path` (0600, O_EXCL) holding `data`. No fsync.
Status create_with(const std::string& path, std::string_view data);

}  // namespace faultline::delivery::spool_io
