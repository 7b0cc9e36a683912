// Transaction names from URLs: the URLs of the real captures in tests/data/pino, and the id shapes
// the captures do not have.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>

#include "parsers/json.h"
#include "parsers/record_access.h"
#include "rules/route_template.h"

using namespace faultline::rules;

TEST_CASE("route template: URLs of the pino captures", "[route_template]") {
  const RouteTemplater t;
  struct Row {
    const char* url;
    const char* path;
  };
  // Taken from a-default, fastify, http-attribute-keys, cluster, restart and e-edge-cases.
  const Row rows[] = {
      {"/api/orders/9999/summary", "/api/orders/:id/summary"},
      {"/api/orders/31337/summary", "/api/orders/:id/summary"},
      {"/api/users/204", "/api/users/:id"},
      {"/api/reports/26", "/api/reports/:id"},
      {"/api/inventory/SKU-1?qty=5", "/api/inventory/:id"},
      {"/api/inventory/SKU-22", "/api/inventory/:id"},
      {"/api/inventory/OOS-0042?qty=1", "/api/inventory/:id"},
      {"/api/search?q=shoes&email=dave%40example.com&access_token=c77a423acf819fe9e7e44637",
       "/api/search"},
      {"/api/users/abc", "/api/users/abc"},
      {"/api/users/12x", "/api/users/12x"},
      {"/api/users/%27%20OR%201%3D1", "/api/users/%27%20OR%201%3D1"},
      {"/api/v2/users", "/api/v2/users"},
      {"/api/payments", "/api/payments"},
      {"/api/jobs/email", "/api/jobs/email"},
      {"/api/admin/db-pool", "/api/admin/db-pool"},
      {"/health", "/health"},
      {"/.env", "/.env"},
      {"/wp-login.php", "/wp-login.php"},
      {"/favicon.ico", "/favicon.ico"},
      {"/async-reject/42?v=1", "/async-reject/:id"},
      {"/async-next/42?verbose=1", "/async-next/:id"},
      {"/status500", "/status500"},
      {"/slow-fail", "/slow-fail"},
      {"/orders", "/orders"},
      {"http://127.0.0.1:59999/api", "/api"},
  };
  for (const Row& row : rows) {
    INFO(row.url);
    CHECK(t.template_path(row.url) == row.path);
  }
}

TEST_CASE("route template: id shapes become placeholders", "[route_template]") {
  const RouteTemplater t;
  CHECK(t.template_path("/api/orders/3f2c9a1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f") == "/api/orders/:uuid");
  CHECK(t.template_path("/api/orders/3F2C9A1E-7B4D-4C2A-9E1F-0A1B2C3D4E5F/items") ==
        "/api/orders/:uuid/items");
  CHECK(t.template_path("/api/docs/507f1f77bcf86cd799439011") == "/api/docs/:hex");
  CHECK(t.template_path("/files/a1b2c3d4") == "/files/:hex");
  CHECK(t.template_path("/files/deadbeef") == "/files/deadbeef");  // a word, not an id
  CHECK(t.template_path("/files/cafe") == "/files/cafe");
  CHECK(t.template_path("/users/alice@example.com/orders") == "/users/:email/orders");
  CHECK(t.template_path("/users/carol%2Bshop%40example.net") == "/users/:email");
  CHECK(t.template_path("/users/@handle") == "/users/@handle");
  CHECK(t.template_path("/invoices/INV_7") == "/invoices/:id");
  CHECK(t.template_path("/invoices/INV-") == "/invoices/INV-");
  CHECK(t.template_path("/v10/users") == "/v10/users");
  CHECK(t.template_path("/a/1/b/2#frag") == "/a/:id/b/:id");
  CHECK(t.template_path("/") == "/");
  CHECK(t.template_path("") == "");
  CHECK(t.template_path("/trailing/42/") == "/trailing/:id/");
  CHECK(t.template_path("https://shop.example.com") == "/");
}

TEST_CASE("route template: extra patterns come first", "[route_template]") {
  std::vector<SegmentPattern> extra;
  extra.push_back({std::make_shared<const RE2>("[a-z]{2}-[A-Z]{2}"), ":locale"});
  extra.push_back({std::make_shared<const RE2>("42"), ":answer"});
  const RouteTemplater t(std::move(extra));
  CHECK(t.template_path("/en-GB/products/42") == "/:locale/products/:answer");
  CHECK(t.template_path("/products/43") == "/products/:id");
  // A full match only: "xen-GBx" is not a locale.
  CHECK(t.template_path("/xen-GBx") == "/xen-GBx");
}

TEST_CASE("route template: the logged route wins over the URL", "[route_template]") {
  const RouteTemplater t;
  RouteName n = t.name("GET", "/api/orders/:id", "/api/orders/42?x=1");
  CHECK(n.name == "GET /api/orders/:id");
  CHECK(n.route == "/api/orders/:id");
  CHECK(n.source == NameSource::kRoute);
  CHECK(to_string(n.source) == "route");

  n = t.name("POST", "", "/api/orders/42/pay?x=1");
  CHECK(n.name == "POST /api/orders/:id/pay");
  CHECK(n.route == "/api/orders/:id/pay");
  CHECK(n.source == NameSource::kUrl);
  CHECK(to_string(n.source) == "url");

  CHECK(t.name("", "", "/x/1").name == "/x/:id");
  CHECK(t.name("GET", "", "").name == "GET");
}

TEST_CASE("route template: no a-default URL keeps a number as a segment", "[route_template]") {
  const RouteTemplater t;
  std::ifstream in(FAULTLINE_DATA_DIR "/pino/a-default.ndjson");
  REQUIRE(in.good());
  std::set<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    auto record = faultline::json::parse(line);
    if (!record.ok()) continue;
    const auto url = faultline::as_text(record->find_path("req.url"));
    if (!url) continue;
    const std::string path = t.template_path(*url);
    INFO(*url << " -> " << path);
    CHECK(path.find('?') == std::string::npos);
    for (size_t start = 0; start < path.size();) {
      const size_t slash = path.find('/', start + 1);
      const std::string segment = path.substr(
          start + 1, slash == std::string::npos ? std::string::npos : slash - start - 1);
      CHECK_FALSE(
          (!segment.empty() && segment.find_first_not_of("0123456789") == std::string::npos));
      start = slash == std::string::npos ? path.size() : slash;
    }
    names.insert(path);
  }
  // 81 distinct paths, 23 names: the endpoints, scanner paths and bad ids ("12x").
  CHECK(names.size() == 23);
  for (const char* name : {"/api/users/:id", "/api/orders/:id/summary", "/api/inventory/:id",
                           "/api/reports/:id", "/health"}) {
    CHECK(names.count(name) == 1);
  }
}
