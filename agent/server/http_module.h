// The contract between faultline and its HTTP server module (faultline-http.so), the one part of
// faultline that links cpp-httplib, and through it libssl. The module is opened only when
// server.listen is set (http_module_loader.h), so the agents that serve no endpoints, most
// sidecars and pipes, never map it.
//
// Binary and module are built together from one tree: the contract may use C++ types, and the
// module refuses a binary of another build (kBuildId differs) rather than guess at its layout.
// The one exported symbol has C linkage, so that it is found by its plain name.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace faultline::http_module {

inline constexpr char kFileName[] = "faultline-http.so";
inline constexpr char kStartSymbol[] = "faultline_http_start";

struct Reply {
  int status = 200;
  std::string content_type;
  std::string body;
};

// GET path → what answers it. The handlers run on the server's thread.
using Routes = std::vector<std::pair<std::string, std::function<Reply()>>>;

// A server listening and serving on a thread of its own. Destroying it stops serving and joins
// the thread. Anything not in the routes is 404.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual int port() const = 0;  // the port bound: the kernel's choice when 0 was asked
};

struct StartRequest {
  std::string build_id;  // the binary's build_info::kBuildId
  std::string host;      // an address of this host, IPv4 or IPv6, without brackets
  int port = 0;          // 0: let the kernel choose
  Routes routes;
};

// Binds and starts serving. On failure returns null and says why in `*error`.
using StartFn = Listener* (*)(const StartRequest& request, std::string* error);

}  // namespace faultline::http_module
