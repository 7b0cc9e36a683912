// Transaction names for HTTP requests: one endpoint, one name, so that Sentry's performance views
// show a route's latency rather than one row per order number.
//
//   the app logged a route (Express req.route.path, Fastify routerPath):
//       "GET" + "/api/orders/:id"                  → "GET /api/orders/:id", source "route"
//   otherwise the URL, its path's ids templated and its query and fragment dropped:
//       "GET" + "/api/orders/1042/summary?x=1"     → "GET /api/orders/:id/summary", source "url"
//
// A path segment becomes a placeholder when it is, whole: a number (":id"), a UUID (":uuid"), a
// hex id of 16 or more digits, or of 8 or more mixing digits and letters (":hex"), an email
// address, raw or percent-encoded (":email"), or a prefixed id such as SKU-1042 or INV_7 (":id";
// a word glued to a number, /status500 or /v2, is a name and stays).
// Extra patterns (tracing.url_patterns) are tried first, in order: a segment that fully matches
// one becomes its placeholder. Anything else is kept as written.
//
// Immutable once built; safe to use from several threads.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::rules {

// A path segment that fully matches `pattern` becomes `placeholder`.
struct SegmentPattern {
  std::shared_ptr<const RE2> pattern;
  std::string placeholder = ":id";
};

// How a transaction's name was found: Sentry's `transaction_info.source`.
enum class NameSource : uint8_t { kRoute, kUrl };
std::string_view to_string(NameSource source);  // "route", "url"

struct RouteName {
  std::string name;   // "GET /api/orders/:id" (no method when none was logged)
  std::string route;  // "/api/orders/:id": what route rules match
  NameSource source = NameSource::kUrl;
};

class RouteTemplater {
 public:
  explicit RouteTemplater(std::vector<SegmentPattern> extra = {});

  // `route` as logged wins (kept as it is); else the templated path of `url`. Either may be
  // empty; a url may be absolute ("https://host/path").
  RouteName name(std::string_view method, std::string_view route, std::string_view url) const;

  // The path of `url` without scheme, host, query or fragment, each segment templated.
  std::string template_path(std::string_view url) const;

  // The placeholder `segment` becomes, or "" when it stays as written.
  std::string_view placeholder(std::string_view segment) const;

 private:
  std::vector<SegmentPattern> extra_;
};

}  // namespace faultline::rules
