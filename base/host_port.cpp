#include "base/host_port.h"

#include <charconv>

namespace faultline {

Result<HostPort> parse_host_port(std::string_view text) {
  const auto bad = [&] {
    return Status::Error("expected HOST:PORT such as 127.0.0.1:9464 or [::1]:9464, got \"" +
                         std::string(text) + "\"");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size()) return bad();
  HostPort hp;
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // an IPv6 literal needs its brackets
  }
  hp.host = std::string(host);
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, hp.port);
  if (ec != std::errc() || end != last || hp.port < 0 || hp.port > 65535) return bad();
  return hp;
}

}  // namespace faultline
