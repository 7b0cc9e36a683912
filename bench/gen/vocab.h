// The fixed vocabulary of the simulated shop: user agents, people, cards, currencies, search
// terms and junk URLs. Strings that end up inside JSON strings are stored already escaped, so
// they are copied as they are. Constant data, safe to share.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gen {

// kAgents[0] is the kube-probe; application clients draw from the rest with kAgentWeights.
inline constexpr std::string_view kAgents[] = {
    "kube-probe/1.30",
    "curl/8.5.0",
    "okhttp/4.12.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Safari/537.36",
    "python-requests/2.32.3",
    "checkout-web/3.2.1 (+https://example.com)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
};
inline constexpr uint16_t kAgentWeights[] = {18, 18, 16, 14, 14, 12};  // kAgents[1..]
// Browsers (Chrome, Safari) send a longer Accept header than the API clients.
constexpr bool is_browser_agent(uint8_t agent) {
  return agent == 3 || agent == 6;
}

inline constexpr std::string_view kEmails[] = {
    "alice@example.com",        "bob.smith@example.org",     "carol+shop@example.net",
    "dave@example.com",         "erin.o-neil@example.co.uk", "frank.miller@example.com",
    "grace.hopper@example.org", "heidi@example.net",         "ivan.petrov@example.com",
    "judy@example.org",
};
inline constexpr std::string_view kNames[] = {"Alice", "Bob",   "Carol", "Dave", "Erin",
                                              "Frank", "Grace", "Heidi", "Ivan", "Judy"};
inline constexpr std::string_view kCards[] = {"4111111111111111", "5555555555554444",
                                              "378282246310005", "4242424242424242",
                                              "6011111111111117"};
inline constexpr std::string_view kCurrencies[] = {"EUR", "USD", "GBP", "CHF"};

// A search: the URL's query string, the same as express's parsed `req.query` body, and the
// term as the handler logs it. Some carry PII or non-ASCII, one an (escaped) quote.
struct Search {
  std::string_view url, query_json, term_json;
};
inline constexpr Search kSearches[] = {
    {"q=gift%20card", "\"q\":\"gift card\"", "gift card"},
    {"q=running%20shoes&page=2", "\"q\":\"running shoes\",\"page\":\"2\"", "running shoes"},
    {"q=caf%C3%A9%20cr%C3%A8me", "\"q\":\"caf\xc3\xa9 cr\xc3\xa8me\"", "caf\xc3\xa9 cr\xc3\xa8me"},
    {"q=usb-c%20cable&sort=price", "\"q\":\"usb-c cable\",\"sort\":\"price\"", "usb-c cable"},
    {"q=27%22%20monitor", "\"q\":\"27\\\" monitor\"", "27\\\" monitor"},
    {"q=gift%20card&email=carol%2Bshop%40example.net&access_token=66f4a1a2a3cb3f6530e28de2",
     "\"q\":\"gift card\",\"email\":\"carol+shop@example.net\",\"access_token\":"
     "\"66f4a1a2a3cb3f6530e28de2\"",
     "gift card"},
    {"q=%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC",
     "\"q\":\"\xe3\x82\xb3\xe3\x83\xbc\xe3\x83\x92\xe3\x83\xbc\"",
     "\xe3\x82\xb3\xe3\x83\xbc\xe3\x83\x92\xe3\x83\xbc"},
};

// What scanners and stale clients ask for (404).
inline constexpr std::string_view kNotFoundUrls[] = {"/favicon.ico", "/.env", "/wp-login.php",
                                                     "/api/does-not-exist", "/api/v1/users"};

// One of `list`, picked by a request parameter.
template <class T, size_t N>
constexpr const T& pick(const T (&list)[N], uint64_t param) {
  return list[param % N];
}

}  // namespace gen
