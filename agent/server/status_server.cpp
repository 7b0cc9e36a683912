#include "agent/server/status_server.h"

#include "agent/server/http_module_loader.h"
#include "base/host_port.h"
#include "build_info.h"

namespace faultline {
namespace {

http_module::Reply text(const Health::Answer& a) {
  return {a.ok ? 200 : 503, "text/plain; charset=utf-8", a.reason + "\n"};
}

}  // namespace

Result<std::unique_ptr<StatusServer>> StatusServer::start(const std::string& listen,
                                                          const Registry& registry,
                                                          Health& health) {
  auto parsed = parse_host_port(listen);
  if (!parsed.ok()) return Status::Error("server.listen: " + parsed.message());
  Result<http_module::StartFn> start = load_http_module();
  if (!start.ok()) return Status::Error("server.listen: " + start.message());

  http_module::StartRequest request;
  request.build_id = build_info::kBuildId;
  request.host = parsed->host;
  request.port = parsed->port;
  request.routes = {
      {"/metrics",
       [&registry] {
         return http_module::Reply{200, "text/plain; version=0.0.4; charset=utf-8",
                                   registry.prometheus()};
       }},
      {"/healthz", [&health] { return text(health.healthy(std::chrono::steady_clock::now())); }},
      {"/readyz", [&health] { return text(health.ready()); }},
  };
  std::string error;
  std::unique_ptr<http_module::Listener> listener((*start)(request, &error));
  if (!listener) {
    return Status::Error("server.listen: cannot listen on " + listen + " (" + error + ")");
  }

  std::unique_ptr<StatusServer> s(new StatusServer());
  s->listener_ = std::move(listener);
  const bool v6 = request.host.find(':') != std::string::npos;
  s->address_ =
      (v6 ? "[" + request.host + "]" : request.host) + ":" + std::to_string(s->listener_->port());
  return s;
}

StatusServer::~StatusServer() = default;

}  // namespace faultline
