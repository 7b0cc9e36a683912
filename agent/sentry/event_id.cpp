#include "agent/sentry/event_id.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace faultline::sentry {

namespace {

std::array<unsigned char, 32> sha256(std::initializer_list<std::string_view> parts) {
  // The algorithm fetched once, a context per thread: OpenSSL 3 looks EVP_sha256() up again at
  // every init, and a new context on every event costs a few thousand instructions more.
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_MD_CTX* ctx = context.get();
  std::array<unsigned char, 32> digest{};
  EVP_DigestInit_ex2(ctx, fetched != nullptr ? fetched : EVP_sha256(), nullptr);
  for (std::string_view p : parts) {
    // Length-prefix each part so ("ab","c") and ("a","bc") differ.
    const uint64_t n = p.size();
    EVP_DigestUpdate(ctx, &n, sizeof n);
    EVP_DigestUpdate(ctx, p.data(), p.size());
  }
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest.data(), &len);
  return digest;
}

std::string hex(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace

std::string event_id(std::string_view source_key, uint64_t offset, std::string_view line) {
  const std::string off = std::to_string(offset);
  auto digest = sha256({source_key, off, line});
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x40);  // version 4
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return hex(digest.data(), 16);
}

std::string source_key(std::string_view first_line) {
  const auto digest = sha256({first_line});
  return hex(digest.data(), 8);
}

}  // namespace faultline::sentry
