// The cold half of out.h: flushing to the file descriptor, and base64url (used while building
// clients and JWTs, never per plain line).

#include "out.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace gen {

void Out::flush() {
  write_all(buf_.get(), len_);
  flushed_ += len_;
  len_ = 0;
}

void Out::write_all(const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "faultline-bench-gen: write: %s\n", std::strerror(errno));
      std::exit(1);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void b64url(std::string& out, std::string_view in) {
  auto byte = [&](size_t i) { return uint32_t(uint8_t(in[i])); };
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kB64Url[(v >> k) & 63]);
  }
  // A tail of 1 or 2 bytes gives 2 or 3 characters, without '=' padding.
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  const uint32_t v = (byte(i) << 16) | (rest == 2 ? byte(i + 1) << 8 : 0);
  for (int k = 18; k >= 18 - 6 * int(rest); k -= 6) out.push_back(kB64Url[(v >> k) & 63]);
}

}  // namespace gen
