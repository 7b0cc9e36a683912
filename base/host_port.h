// "HOST:PORT" as an operator writes a listen address: `127.0.0.1:9464`, `[::1]:9464`,
// `0.0.0.0:9464`. The host is not resolved here; port 0 means "let the kernel choose".
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  int port = 0;
};

Result<HostPort> parse_host_port(std::string_view text);

}  // namespace faultline
