// The libcurl transport against the loopback test receiver: real HTTP and TLS on 127.0.0.1.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <fstream>
#include <thread>

#include "agent/delivery/curl_transport.h"
#include "agent/delivery/envelope.h"
#include "delivery_test_support.h"
#include "support/receiver.h"

using namespace faultline::delivery;
using namespace std::chrono_literals;
using faultline::testing::Receiver;
using faultline::testing::Reply;
using faultline::testing::TestPki;

namespace {

const std::string kId = "0123456789abcdef0123456789abcdef";

// Loopback traffic must never go through a proxy from the environment.
struct NoProxyFromEnvironment {
  NoProxyFromEnvironment() { setenv("no_proxy", "127.0.0.1,localhost", 1); }
};
const NoProxyFromEnvironment no_proxy_from_environment;

struct Client {
  std::atomic<bool> abort{false};
  std::unique_ptr<Transport> transport;
  explicit Client(CurlOptions options = {}) {
    auto t = CurlTransport::create(options, abort);
    REQUIRE(t.ok());
    transport = std::move(t).value();
  }
};

Request request_to(const std::string& dsn_text, size_t gzip_threshold = 1 << 20,
                   const std::string& event = "{\"message\":\"boom\"}") {
  auto dsn = parse_dsn(dsn_text);
  REQUIRE(dsn.ok());
  const SdkInfo sdk{"faultline", "0.1.0"};
  auto request = build_request(
      *dsn, sdk, build_event_envelope(kId, event, std::chrono::system_clock::now(), sdk),
      gzip_threshold);
  REQUIRE(request.ok());
  return std::move(request).value();
}

std::string write_temp(const test::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.sub(name);
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("curl: posts the envelope with Sentry's headers and no Expect", "[curl]") {
  Receiver rx;
  Client client;
  const Response r = client.transport->send(request_to(rx.dsn()));
  CHECK(r.kind == Response::Kind::kHttp);
  CHECK(r.status == 200);
  CHECK(r.body == "{\"id\":\"" + kId + "\"}");
  auto requests = rx.requests();
  REQUIRE(requests.size() == 1);
  const auto& got = requests[0];
  CHECK(got.method == "POST");
  CHECK(got.target == "/api/42/envelope/");
  CHECK(got.header("content-type") == "application/x-sentry-envelope");
  CHECK(got.header("user-agent") == "faultline/0.1.0");
  CHECK(got.header("x-sentry-auth") ==
        "Sentry sentry_version=7, sentry_client=faultline/0.1.0, "
        "sentry_key=0123456789abcdef0123456789abcdef");
  CHECK(got.headers.count("expect") == 0);
  CHECK_FALSE(got.gzip);
  REQUIRE(got.parsed);
  CHECK(got.event_id() == kId);
  CHECK(got.parsed_envelope.items.at(0).payload == "{\"message\":\"boom\"}");
}

TEST_CASE("curl: a gzip body arrives as the same envelope", "[curl]") {
  Receiver rx;
  Client client;
  const std::string big = "{\"message\":\"" + std::string(5000, 'z') + "\"}";
  const Request request = request_to(rx.dsn(), 1024, big);
  REQUIRE(request.body.size() < 1024);
  CHECK(client.transport->send(request).status == 200);
  auto requests = rx.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].gzip);
  REQUIRE(requests[0].parsed);
  CHECK(requests[0].parsed_envelope.items.at(0).payload == big);
}

TEST_CASE("curl: one handle keeps its connection alive between requests", "[curl]") {
  Receiver rx;
  Client client;
  for (int i = 0; i < 3; ++i) CHECK(client.transport->send(request_to(rx.dsn())).status == 200);
  auto requests = rx.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].remote_port == requests[0].remote_port);
  CHECK(requests[2].remote_port == requests[0].remote_port);
}

TEST_CASE("curl: rate-limit and error headers are captured", "[curl]") {
  Receiver rx;
  Reply limited = Reply::retry_after(429, "2");
  limited.headers.emplace_back("X-Sentry-Rate-Limits", "60:error:key");
  rx.push(limited);
  Reply too_large = Reply::status_only(413);
  too_large.headers.emplace_back("X-Sentry-Error", "envelope too large");
  too_large.body = "{\"detail\":\"envelope too large\"}";
  rx.push(too_large);
  Client client;
  const Response r1 = client.transport->send(request_to(rx.dsn()));
  CHECK(r1.status == 429);
  CHECK(r1.retry_after == "2");
  CHECK(r1.rate_limits == "60:error:key");
  const Response r2 = client.transport->send(request_to(rx.dsn()));
  CHECK(r2.status == 413);
  CHECK(r2.sentry_error == "envelope too large");
  CHECK(r2.retry_after.empty());
  CHECK(r2.body == "{\"detail\":\"envelope too large\"}");
}

TEST_CASE("curl: a dropped connection is a network error, even after a 200 status line", "[curl]") {
  Receiver rx;
  rx.push(Reply::drop());
  Client client;
  const Response r = client.transport->send(request_to(rx.dsn()));
  CHECK(r.kind == Response::Kind::kNetworkError);
  CHECK_FALSE(r.error.empty());
  CHECK(client.transport->send(request_to(rx.dsn())).status == 200);  // and the next one works
}

TEST_CASE("curl: a response slower than the request timeout is a network error", "[curl]") {
  Receiver rx;
  rx.push(Reply::slow(10s));
  CurlOptions options;
  options.request_timeout = 300ms;
  Client client(options);
  const Response r = client.transport->send(request_to(rx.dsn()));
  CHECK(r.kind == Response::Kind::kNetworkError);
  INFO(r.error);
  CHECK(r.error.find("timed out") != std::string::npos);
}

TEST_CASE("curl: nothing listening is a network error", "[curl]") {
  int port = 0;
  { port = Receiver().port(); }
  Client client;
  const Response r =
      client.transport->send(request_to("http://k@127.0.0.1:" + std::to_string(port) + "/1"));
  CHECK(r.kind == Response::Kind::kNetworkError);
  CHECK(r.error.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("curl: the abort flag interrupts a transfer in progress", "[curl]") {
  Receiver rx;
  rx.push(Reply::slow(30s));
  Client client;
  std::thread aborter([&] {
    REQUIRE(rx.wait_for_requests(1));
    client.abort = true;
  });
  const Response r = client.transport->send(request_to(rx.dsn()));
  aborter.join();
  CHECK(r.kind == Response::Kind::kAborted);
  CHECK(client.transport->send(request_to(rx.dsn())).kind == Response::Kind::kAborted);
}

TEST_CASE("curl: TLS with the test CA works, an unknown CA fails before anything is sent",
          "[curl][tls]") {
  test::TempDir tmp;
  const TestPki pki = TestPki::make();
  const TestPki other = TestPki::make();
  Receiver rx(Receiver::Tls{pki.server_cert_pem, pki.server_key_pem});
  REQUIRE(rx.url().rfind("https://", 0) == 0);

  SECTION("trusted CA file") {
    CurlOptions options;
    options.ca_file = write_temp(tmp, "ca.pem", pki.ca_cert_pem);
    Client client(options);
    const Response r = client.transport->send(request_to(rx.dsn()));
    CHECK(r.kind == Response::Kind::kHttp);
    CHECK(r.status == 200);
    CHECK(rx.request_count() == 1);
  }
  SECTION("unknown CA") {
    CurlOptions options;
    options.ca_file = write_temp(tmp, "other.pem", other.ca_cert_pem);
    Client client(options);
    const Response r = client.transport->send(request_to(rx.dsn()));
    CHECK(r.kind == Response::Kind::kNetworkError);
    CHECK(r.error.rfind("TLS: ", 0) == 0);
    CHECK(r.error.find("certificate") != std::string::npos);
    CHECK(rx.request_count() == 0);
  }
  SECTION("verification turned off") {
    CurlOptions options;
    options.ca_file = write_temp(tmp, "other.pem", other.ca_cert_pem);
    options.tls_verify = false;
    Client client(options);
    CHECK(client.transport->send(request_to(rx.dsn())).status == 200);
  }
}

TEST_CASE("curl: an HTTP proxy from the config or the environment is used", "[curl][proxy]") {
  // The receiver plays the proxy; the DSN's host (127.0.0.2:9) is never contacted directly.
  Receiver proxy;
  const std::string dsn = "http://k@127.0.0.2:9/42";
  SECTION("from the config") {
    CurlOptions options;
    options.proxy = proxy.url();
    Client client(options);
    CHECK(client.transport->send(request_to(dsn)).status == 200);
  }
  SECTION("from http_proxy") {
    setenv("http_proxy", proxy.url().c_str(), 1);
    Client client;
    const Response r = client.transport->send(request_to(dsn));
    unsetenv("http_proxy");
    CHECK(r.status == 200);
  }
  auto requests = proxy.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "http://127.0.0.2:9/api/42/envelope/");
  CHECK(requests[0].event_id() == kId);
}
