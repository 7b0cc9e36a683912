#include "agent/server/status_server.h"

#include <httplib.h>

#include "base/host_port.h"

namespace faultline {

Result<std::unique_ptr<StatusServer>> StatusServer::start(const std::string& listen,
                                                          const Registry& registry,
                                                          Health& health) {
  auto parsed = parse_host_port(listen);
  if (!parsed.ok()) return Status::Error("server.listen: " + parsed.message());
  const std::string host = parsed->host;
  const int port = parsed->port;
  std::unique_ptr<StatusServer> s(new StatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *s->server_;
  http.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.prometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/healthz", [&health](const httplib::Request&, httplib::Response& res) {
    const Health::Answer a = health.healthy(std::chrono::steady_clock::now());
    res.status = a.ok ? 200 : 503;
    res.set_content(a.reason + "\n", "text/plain; charset=utf-8");
  });
  http.Get("/readyz", [&health](const httplib::Request&, httplib::Response& res) {
    const Health::Answer a = health.ready();
    res.status = a.ok ? 200 : 503;
    res.set_content(a.reason + "\n", "text/plain; charset=utf-8");
  });
  const int bound =
      port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return Status::Error("server.listen: cannot listen on " + listen +
                         " (in use, or not an address of this host)");
  }
  const bool v6 = host.find(':') != std::string::npos;
  s->address_ = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(bound);
  s->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace faultline
