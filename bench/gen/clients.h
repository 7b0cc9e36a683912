// Who sends the requests: each client has a fixed identity (user agent, authorization, cookie,
// x-api-key, x-forwarded-for, remote address and port) that every request it sends repeats in
// `req.headers`. Also the JWTs, which appear both in an Authorization header and in the
// login handler's line.

#pragma once

#include <cstdint>
#include <string>

#include "model.h"
#include "out.h"
#include "rng.h"

namespace gen {

// Writes HS256-looking JWTs whose payload names a user: eyJ...(header).<payload>.<signature>.
// Keeps two strings for the payload and its encoding, reused from one token to the next. Not
// thread-safe.
class Jwt {
 public:
  // `sig` seeds the 43 signature characters; iat is in seconds, exp one hour later.
  template <class S>
  void write(S& s, uint32_t user, uint8_t email, uint64_t iat, uint64_t sig) {
    payload_.clear();
    put(payload_, "{\"sub\":\"");
    putu(payload_, user);
    put(payload_, "\",\"email\":\"");
    put(payload_, kEmails[email]);
    put(payload_, "\",\"scope\":\"orders:read orders:write\",\"iat\":");
    putu(payload_, iat);
    put(payload_, ",\"exp\":");
    putu(payload_, iat + 3600);
    putch(payload_, '}');
    encoded_.clear();
    b64url(encoded_, payload_);
    put(s, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.");
    put(s, encoded_);
    putch(s, '.');
    for (int i = 0; i < 4; ++i) {
      putrand64(s, sig, 10, kB64Url);
      sig = Rng::splitmix64(sig);
    }
    putrand64(s, sig, 3, kB64Url);
  }

 private:
  std::string payload_, encoded_;
};

// Draws client number `index`'s identity into `c` (its headers string is rebuilt). Probes are
// kube-probe pollers of /health: no credentials.
void make_client(Client& c, uint32_t index, bool probe, Rng& rng, Jwt& jwt);

}  // namespace gen
