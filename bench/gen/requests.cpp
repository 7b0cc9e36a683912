// What a request is: its route and outcome, its script of lines, and its serialized req.
// The order of the draws is part of the output (see rng.h).

#include <algorithm>
#include <string>
#include <string_view>

#include "out.h"
#include "requests.h"

namespace gen {

namespace {

// The static part of a route's URL (the rest depends on the request's parameters) and, for a
// POST, the JSON body's length: body_min + p3 % body_spread.
struct RouteSpec {
  std::string_view path;
  bool post;
  uint16_t body_min, body_spread;
};
constexpr RouteSpec kRoutes[kRouteCount] = {
    /* kHealth       */ {"/health", false, 0, 0},
    /* kUserGet      */ {"/api/users/", false, 0, 0},
    /* kUserPost     */ {"/api/users", true, 40, 30},
    /* kPayment      */ {"/api/payments", true, 110, 30},
    /* kSearch       */ {"/api/search?", false, 0, 0},
    /* kLogin        */ {"/api/login", true, 50, 20},
    /* kJobEmail     */ {"/api/jobs/email", true, 30, 10},
    /* kInventory    */ {"/api/inventory/", false, 0, 0},
    /* kOrderSummary */ {"/api/orders/", false, 0, 0},
    /* kReport       */ {"/api/reports/", false, 0, 0},
    /* kNotFound     */ {"", false, 0, 0},
    /* kSlow         */ {"/api/slow", false, 0, 0},
    /* kRates        */ {"/api/rates/", false, 0, 0},
    /* kBroadcast    */ {"/api/notifications/broadcast", true, 42, 1},
    /* kOrderGet     */ {"/api/orders/", false, 0, 0},
};

// The handler lines of a script, before their times are drawn.
struct Mid {
  What what[4];
  int n = 0;
  void add(What w) { what[n++] = w; }
};

// A request that does not fail: its handler lines and status by route. `roll` is a percentage
// drawn once per request; `d` is the response time, which some routes lengthen.
void script_route(Actor& a, uint32_t roll, Timing& timing, Mid& mid, uint64_t& d) {
  switch (a.route) {
    case kHealth:
      d = timing.brief();
      break;
    case kUserGet:
      if (roll < 75) {
        mid.add(kUserMiss);
        mid.add(kUserLoaded);
      } else if (roll < 90) {
        mid.add(kUserLoaded);
      } else {
        mid.add(kUserInvalid);
        a.status = 400;
      }
      break;
    case kUserPost:
      mid.add(roll < 80 ? kUserCreated : kUserValidation);
      a.status = roll < 80 ? 201 : 400;
      break;
    case kPayment:
      mid.add(kPayCharging);
      mid.add(roll < 88 ? kPayCaptured : kPayLuhn);
      if (roll >= 88) a.status = 422;
      d += timing.ms(40, 400);
      break;
    case kSearch:
      mid.add(kSearchDone);
      break;
    case kLogin:
      mid.add(roll < 85 ? kLoginOk : kLoginFail);
      a.set_cookie = roll < 85;
      if (roll >= 85) a.status = 401;
      break;
    case kJobEmail:
      mid.add(kJobEnqueued);
      a.status = 202;
      break;
    case kOrderSummary:
      mid.add(kOrderSummaryDone);
      break;
    case kReport:
      mid.add(kReportDone);
      d += timing.ms(100, 900);
      break;
    case kNotFound:
      a.status = 404;
      a.json_body = false;
      break;
    case kSlow:
      if (roll < 60) a.status = 0;  // the client gave up: "request aborted"
      d += timing.ms(500, 5000);
      break;
    case kBroadcast:
      mid.add(kBroadcastDone);
      break;
    case kOrderGet:
      mid.add(kOrderLoaded);
      break;
    case kInventory:
    case kRates:
    case kRouteCount:
      break;
  }
}

}  // namespace

void draw_params(Actor& a, Rng& rng) {
  a.bits = rng.next();
  a.bits2 = rng.next();
  a.p1 = rng.between(1, 99999);
  a.p2 = rng.between(1, 9);
  a.p3 = rng.below(1000);
}

Failure draw_failure(Rng& rng) {
  return static_cast<Failure>(rng.weighted(kFailureWeights));
}

Route route_for(Failure f, Rng& rng) {
  const Route r = kFailures[f].route;
  return r != kRouteCount ? r : static_cast<Route>(rng.weighted(kRouteWeights));
}

void script_request(Actor& a, Rng& rng, Timing& timing, bool received) {
  uint64_t d = timing.response_time();
  Mid mid;
  const uint32_t roll = rng.below(100);
  const FailureSpec& f = kFailures[a.failure];
  if (f.route == kRouteCount) {
    script_route(a, roll, timing, mid, d);
    if (a.failure == kUnhandled) mid.add(kUnhandledLine);
  } else {
    if (f.charge_first) mid.add(kPayCharging);
    mid.add(kErrorLine);
    a.status = f.status;
    a.json_body = f.json_body;
    d += timing.scaled(f.extra_us);
  }
  a.duration = d;
  if (received) a.add_step(0, kReceived);
  uint64_t prev = 0;
  for (int i = 0; i < mid.n; ++i) {
    // Handler lines at increasing fractions of the response time.
    const uint64_t at = d * uint64_t(i + 1) / uint64_t(mid.n + 1) + rng.below(97);
    prev = std::max(prev, std::min(at, d));
    a.add_step(prev, mid.what[i]);
  }
  a.add_step(d, kComplete);
}

void build_req(Actor& a, const Client& c) {
  const RouteSpec& route = kRoutes[a.route];
  std::string& s = a.req;
  s.clear();
  put(s, "\"req\":{\"id\":");
  putu(s, a.req_id);
  put(s, route.post ? ",\"method\":\"POST\",\"url\":\"" : ",\"method\":\"GET\",\"url\":\"");
  put(s, route.path);
  std::string_view query;
  char qty[] = "\"qty\":\"0\"";  // p2 is one digit, 1..9
  switch (a.route) {
    case kUserGet:
      if (a.status == 400) {
        put(s, a.bad_user_id_is_word() ? "abc" : "%27%20OR%201%3D1");
      } else {
        putu(s, a.p1);
      }
      break;
    case kSearch: {
      const Search& q = pick(kSearches, a.p3);
      put(s, q.url);
      query = q.query_json;
      break;
    }
    case kInventory:
      put(s, a.failure == kStock ? "OOS-" : "SKU-");
      putu(s, a.sku());
      put(s, "?qty=");
      putu(s, a.p2);
      qty[7] = static_cast<char>('0' + a.p2);
      query = qty;
      break;
    case kOrderSummary:
      putu(s, a.p1);
      put(s, "/summary");
      break;
    case kReport:
      putu(s, a.report_id());
      break;
    case kNotFound:
      put(s, pick(kNotFoundUrls, a.p3));
      break;
    case kRates:
      put(s, pick(kCurrencies, a.p3));
      break;
    case kOrderGet:
      putu(s, a.p1);
      break;
    default:
      break;
  }
  put(s, "\",\"query\":{");
  put(s, query);
  put(s, "},\"params\":{},\"headers\":{");
  put(s, c.headers);
  if (route.post) put(s, ",\"content-type\":\"application/json\"");
  put(s,
      ",\"accept-language\":\"*\",\"sec-fetch-mode\":\"cors\",\"accept-encoding\":\"gzip, "
      "deflate\"");
  if (route.post) {
    put(s, ",\"content-length\":\"");
    putu(s, route.body_min + a.p3 % route.body_spread);
    putch(s, '"');
  }
  put(s, "},\"remoteAddress\":\"");
  put(s, c.address);
  put(s, "\",\"remotePort\":");
  putu(s, c.port);
  putch(s, '}');
}

}  // namespace gen
