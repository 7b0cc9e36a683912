#include "agent/inputs/file_identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace faultline {

namespace {

uint64_t fnv1a(const char* data, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

// Reads up to `n` bytes from offset 0; returns how many were read (fewer at the end of the file).
size_t read_head(int fd, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

}  // namespace

Result<FileIdentity> identify(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::Error(std::string("fstat: ") + std::strerror(errno));
  FileIdentity id;
  id.dev = static_cast<uint64_t>(st.st_dev);
  id.ino = static_cast<uint64_t>(st.st_ino);
  char head[FileIdentity::kFingerprintBytes];
  const size_t n = read_head(fd, head, sizeof head);
  id.fingerprint = fnv1a(head, n);
  id.fingerprint_len = static_cast<uint32_t>(n);
  return id;
}

bool still_same(int fd, const FileIdentity& known) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  if (static_cast<uint64_t>(st.st_dev) != known.dev ||
      static_cast<uint64_t>(st.st_ino) != known.ino) {
    return false;
  }
  char head[FileIdentity::kFingerprintBytes];
  const size_t n = read_head(fd, head, known.fingerprint_len);
  return n == known.fingerprint_len && fnv1a(head, n) == known.fingerprint;
}

std::string first_line(int fd) {
  constexpr size_t kMax = 64 * 1024;
  std::string out;
  char buf[4096];
  while (out.size() < kMax) {
    const ssize_t r = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    const void* nl = std::memchr(buf, '\n', static_cast<size_t>(r));
    if (nl != nullptr) {
      out.append(buf, static_cast<size_t>(static_cast<const char*>(nl) - buf));
      break;
    }
    out.append(buf, static_cast<size_t>(r));
  }
  if (out.size() > kMax) out.resize(kMax);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

}  // namespace faultline
