// Client identities. The order of the draws below is part of the output (see rng.h).

#include "clients.h"

#include <iterator>
#include <string_view>

namespace gen {

namespace {

// `words` random 64-bit words as 16 hex digits each: session ids, CSRF tokens, API keys.
void put_hex_words(std::string& h, Rng& rng, int words) {
  for (int i = 0; i < words; ++i) puthex(h, rng.next(), 16);
}

}  // namespace

void make_client(Client& c, uint32_t index, bool probe, Rng& rng, Jwt& jwt) {
  c.agent = probe ? 0 : static_cast<uint8_t>(1 + rng.weighted(kAgentWeights));
  c.probe = probe;
  c.email = static_cast<uint8_t>(rng.below(std::size(kEmails)));
  c.user = rng.between(1, 99999);
  c.port = 32768 + (index * 7919u + rng.below(64)) % 28000;
  c.address.clear();
  if (rng.percent(70)) {
    put(c.address, "::ffff:10.42.");
    putu(c.address, rng.below(8));
    putch(c.address, '.');
    putu(c.address, rng.between(2, 250));
  } else {
    put(c.address, "127.0.0.1");
  }

  std::string& h = c.headers;
  h.clear();
  put(h, "\"host\":\"api.shop.example.com\",\"connection\":\"keep-alive\",\"user-agent\":\"");
  put(h, kAgents[c.agent]);
  put(h, "\",\"accept\":\"");
  put(h, probe                       ? "*/*"
         : is_browser_agent(c.agent) ? "application/json, text/plain, */*"
                                     : "application/json");
  putch(h, '"');
  if (probe) return;

  const uint32_t auth = rng.below(100);
  if (auth < 40) {
    put(h, ",\"authorization\":\"Bearer ");
    jwt.write(h, c.user, c.email, 1718000000, rng.next());
    putch(h, '"');
  } else if (auth < 48) {
    put(h, ",\"authorization\":\"Basic ");
    Text<32> cred;
    put(cred, "svc-reporting:");
    puthex(cred, rng.next(), 12);
    b64url(h, cred.view());  // close enough to base64 for a credential of hex digits
    putch(h, '"');
  }
  if (rng.percent(40)) {
    put(h, ",\"cookie\":\"session=");
    put_hex_words(h, rng, 2);
    put(h, "; csrftoken=");
    put_hex_words(h, rng, 1);
    puthex(h, rng.next(), 8);
    put(h, "; theme=dark\"");
  }
  if (rng.percent(30)) {
    put(h, ",\"x-api-key\":\"ak_live_");
    put_hex_words(h, rng, 2);
    putch(h, '"');
  }
  if (rng.percent(25)) {
    put(h, ",\"x-forwarded-for\":\"203.0.113.");
    putu(h, rng.between(1, 254));
    put(h, ", 10.0.0.12\"");
  }
}

}  // namespace gen
