// How a tailed file is known across renames, restarts and inode reuse: its device and inode, and
// a fingerprint of its first bytes (up to kFingerprintBytes). A short file has a short
// fingerprint, whose length is kept with it; the same file still matches once it grows, while a
// new file that reuses the inode matches only if it starts with the same bytes (then it is,
// for every purpose of reading it, the same file).
//
// Plain data and stateless functions; errors are reported as errno-style Status.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace faultline {

struct FileIdentity {
  static constexpr uint32_t kFingerprintBytes = 1024;

  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t fingerprint = 0;  // FNV-1a 64 of the first fingerprint_len bytes
  uint32_t fingerprint_len = 0;

  bool same_inode(const FileIdentity& o) const { return dev == o.dev && ino == o.ino; }
};

// The identity of the open file `fd` (fstat + its first bytes, read with pread).
Result<FileIdentity> identify(int fd);

// Whether `fd` is still the file `known` describes: same device and inode, and its first
// known.fingerprint_len bytes hash the same.
bool still_same(int fd, const FileIdentity& known);

// The file's first line (up to its '\n', at most 64 KiB), read with pread: what names the file's
// events (their ids) however far into it reading resumes. Empty for an empty file.
std::string first_line(int fd);

}  // namespace faultline
