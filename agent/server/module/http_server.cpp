// faultline-http.so: the HTTP server of server.listen, on cpp-httplib (agent/server/http_module.h
// is the contract). Built as a module of its own so that only the agents that serve endpoints
// load cpp-httplib and libssl.
#include <httplib.h>

#include <memory>
#include <thread>

#include "agent/server/http_module.h"
#include "build_info.h"

namespace faultline::http_module {
namespace {

class HttplibListener final : public Listener {
 public:
  HttplibListener(std::unique_ptr<httplib::Server> server, int port)
      : server_(std::move(server)), port_(port) {
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~HttplibListener() override {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const override { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_;
  std::thread thread_;
};

}  // namespace
}  // namespace faultline::http_module

extern "C" __attribute__((visibility("default"))) faultline::http_module::Listener*
faultline_http_start(const faultline::http_module::StartRequest& request, std::string* error) {
  using namespace faultline::http_module;
  if (request.build_id != faultline::build_info::kBuildId) {
    *error = std::string(kFileName) + " is from another build of faultline (" +
             faultline::build_info::kBuildId + ", faultline is " + request.build_id +
             "): install the two together";
    return nullptr;
  }
  auto server = std::make_unique<httplib::Server>();
  for (const auto& [path, handler] : request.routes) {
    server->Get(path, [handler = handler](const httplib::Request&, httplib::Response& res) {
      Reply reply = handler();
      res.status = reply.status;
      res.set_content(reply.body, reply.content_type);
    });
  }
  const int port = request.port == 0
                       ? server->bind_to_any_port(request.host)
                       : (server->bind_to_port(request.host, request.port) ? request.port : -1);
  if (port < 0) {
    *error = "in use, or not an address of this host";
    return nullptr;
  }
  return new HttplibListener(std::move(server), port);
}
