// Bytes out: the output buffer (one 4 MiB block flushed with write(2)) and the appenders every
// line is built from. The appenders work on anything with append(const char*, size_t) — Out,
// LineWriter and std::string — so a piece built once into a string (a client's headers, a
// request's `req`) and a piece written straight into the output use the same code.
//
// Nothing here allocates once a string has grown to its working size. Not thread-safe.

#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace gen {

// Owns the buffer, not the file descriptor. A failed write(2) is reported on stderr and ends
// the process with status 1: a benchmark input cut short is of no use to anyone.
class Out {
 public:
  static constexpr size_t kCap = 4u << 20;
  explicit Out(int fd) : fd_(fd), buf_(new char[kCap]) {}
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

  void append(const char* p, size_t n) {
    if (n > kCap - len_) {
      flush();
      if (n > kCap) {
        write_all(p, n);
        flushed_ += n;
        return;
      }
    }
    std::memcpy(buf_.get() + len_, p, n);
    len_ += n;
  }
  void flush();
  // Bytes appended so far, flushed or not.
  uint64_t total() const { return flushed_ + len_; }

 private:
  void write_all(const char* p, size_t n);

  int fd_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  uint64_t flushed_ = 0;
};

template <class S>
void put(S& s, std::string_view v) {
  s.append(v.data(), v.size());
}
template <class S>
void putch(S& s, char c) {
  s.append(&c, 1);
}
// Decimal.
template <class S>
void putu(S& s, uint64_t v) {
  char b[24];
  const auto r = std::to_chars(b, b + sizeof b, v);
  s.append(b, static_cast<size_t>(r.ptr - b));
}
// Lowercase hex without leading zeros (as JS's n.toString(16)).
template <class S>
void putx(S& s, uint64_t v) {
  char b[16];
  const auto r = std::to_chars(b, b + sizeof b, v, 16);
  s.append(b, static_cast<size_t>(r.ptr - b));
}
// Exactly n (<= 16) lowercase hex digits: the low 4n bits of v.
template <class S>
void puthex(S& s, uint64_t v, int n) {
  char b[16];
  for (int i = n - 1; i >= 0; --i) {
    b[i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  }
  s.append(b, static_cast<size_t>(n));
}

inline constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// n (<= 10) random-looking characters of `alphabet` (64 long), 6 bits of `bits` each, low first.
template <class S>
void putrand64(S& s, uint64_t bits, int n, std::string_view alphabet) {
  char b[10];
  for (int i = 0; i < n; ++i) {
    b[i] = alphabet[bits & 63];
    bits >>= 6;
  }
  s.append(b, static_cast<size_t>(n));
}

// A JS number of cents as JSON.stringify writes it: 12, 12.5, 12.34.
template <class S>
void putmoney(S& s, uint64_t cents) {
  putu(s, cents / 100);
  const uint64_t frac = cents % 100;
  if (frac == 0) return;
  putch(s, '.');
  putch(s, static_cast<char>('0' + frac / 10));
  if (frac % 10) putch(s, static_cast<char>('0' + frac % 10));
}

// A short string composed on the stack, for a message that is written more than once (an err's
// message, its stack's first line, the line's msg). Longer than N is a bug in the caller: abort.
template <size_t N>
class Text {
 public:
  void append(const char* p, size_t n) {
    if (n > N - len_) std::abort();
    std::memcpy(buf_ + len_, p, n);
    len_ += n;
  }
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[N];
  size_t len_ = 0;
};

// Unpadded base64url of `in`, appended to `out`.
void b64url(std::string& out, std::string_view in);

}  // namespace gen
