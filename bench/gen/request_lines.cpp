// What a request's lines say: the route handlers' lines (each repeats the whole req, as a
// pino-http child logger does) and pino-http's summary line. Failure lines are in errors.cpp.

#include <iterator>
#include <string_view>

#include "errors.h"
#include "out.h"
#include "requests.h"

namespace gen {

namespace {

struct HandlerLine {
  uint8_t level;
  std::string_view msg;
};
constexpr HandlerLine kHandlerLines[kHandlerLineCount] = {
    /* kUserMiss          */ {30, "cache miss, loading user from database"},
    /* kUserLoaded        */ {30, "user loaded"},
    /* kUserInvalid       */ {40, "invalid user id"},
    /* kUserCreated       */ {30, "user created"},
    /* kUserValidation    */ {40, "validation failed"},
    /* kPayCharging       */ {30, "charging card"},
    /* kPayCaptured       */ {30, "payment captured"},
    /* kPayLuhn           */ {40, "card number failed luhn check"},
    /* kSearchDone        */ {30, "search executed"},
    /* kLoginOk           */ {30, "login succeeded, issued access token"},
    /* kLoginFail         */ {40, "login failed: bad credentials"},
    /* kJobEnqueued       */ {30, "job enqueued"},
    /* kOrderSummaryDone  */ {30, "order summary computed"},
    /* kReportDone        */ {30, "report generated"},
    /* kBroadcastDone     */ {30, "broadcast delivered"},
    /* kOrderLoaded       */ {30, "order loaded"},
    /* kReceived          */ {30, "request received"},
};

// The response headers Express has set: for a JSON body an etag (and the session cookie after
// a login), for its HTML error page a CSP; for an aborted request only x-powered-by.
void put_response_headers(LineWriter& w, const Actor& a) {
  put(w, ",\"headers\":{\"x-powered-by\":\"Express\"");
  if (a.status == 0) {  // aborted: nothing else was sent
    putch(w, '}');
    return;
  }
  if (a.json_body) {
    if (a.set_cookie) {
      put(w, ",\"set-cookie\":\"session=");
      putrand64(w, a.bits2, 10, kB64Url);
      putrand64(w, a.bits2 >> 7, 10, kB64Url);
      putrand64(w, a.bits >> 3, 4, kB64Url);
      put(w, "; Path=/; HttpOnly\"");
    }
    const uint64_t len = a.route == kHealth ? 36 : 16 + (a.bits2 >> 20) % 300;
    put(w, ",\"content-type\":\"application/json; charset=utf-8\",\"content-length\":\"");
    putu(w, len);
    put(w, "\",\"etag\":\"W/\\\"");
    putx(w, len);
    putch(w, '-');
    putrand64(w, a.bits2, 10, kB64);
    putrand64(w, a.bits, 10, kB64);
    putrand64(w, a.bits >> 29, 7, kB64);
    put(w, "\\\"\"");
  } else {
    put(w,
        ",\"content-security-policy\":\"default-src 'none'\",\"x-content-type-options\":"
        "\"nosniff\",\"content-type\":\"text/html; charset=utf-8\",\"content-length\":");
    putu(w, a.status == 404 ? 150 + a.p3 % 40 : 240 + a.p3 % 80);
  }
  putch(w, '}');
}

}  // namespace

void put_payment_id(LineWriter& w, const Actor& a) {
  put(w, "\"paymentId\":\"pay_");
  puthex(w, a.bits, 16);
  putch(w, '"');
}

void put_amount(LineWriter& w, const Actor& a) {
  put(w, "\"amount\":");
  putmoney(w, a.amount_cents());
  put(w, ",\"currency\":\"");
  put(w, a.currency());
  putch(w, '"');
}

void write_handler_line(LineWriter& w, Jwt& jwt, const Actor& a, What what, uint64_t now,
                        uint64_t next_job_id) {
  const HandlerLine& line = kHandlerLines[what];
  w.begin_req(line.level, now, a.req);
  switch (what) {
    case kUserMiss:
      put(w, ",\"component\":\"user-repo\",\"userId\":\"");
      putu(w, a.p1);
      putch(w, '"');
      break;
    case kUserLoaded:
      put(w, ",\"userId\":");
      putu(w, a.p1);
      put(w, ",\"email\":\"user");
      putu(w, a.p1);
      put(w, "@example.com\"");
      break;
    case kUserInvalid:
      put(w, a.bad_user_id_is_word() ? ",\"userId\":\"abc\"" : ",\"userId\":\"' OR 1=1\"");
      break;
    case kUserCreated:
      put(w, ",\"user\":{\"id\":");
      putu(w, a.p1);
      put(w, ",\"email\":\"");
      put(w, a.email());
      put(w, "\",\"name\":\"");
      put(w, pick(kNames, a.p3));
      put(w, "\"}");
      break;
    case kUserValidation:
      put(w,
          ",\"body\":{\"email\":\"not-an-email\",\"password\":\"short\"},\"validationErrors\":"
          "[{\"field\":\"email\",\"rule\":\"format\"},{\"field\":\"password\",\"rule\":"
          "\"minLength\",\"min\":8}]");
      break;
    case kPayCharging:
      put(w, ",\"payment\":{");
      put_payment_id(w, a);
      put(w, ",\"cardNumber\":\"");
      put(w, a.card());
      put(w, "\",\"cvv\":\"");
      putu(w, 100 + a.bits2 % 900);
      put(w, "\",\"expiry\":\"");
      putu(w, 10 + a.p2);
      put(w, "/29\",");
      put_amount(w, a);
      put(w, ",\"email\":\"");
      put(w, a.email());
      put(w, "\"}");
      break;
    case kPayCaptured: {
      putch(w, ',');
      put_payment_id(w, a);
      put(w, ",\"last4\":\"");
      const std::string_view card = a.card();
      put(w, card.substr(card.size() - 4));
      put(w, "\",");
      put_amount(w, a);
      break;
    }
    case kPayLuhn:
      putch(w, ',');
      put_payment_id(w, a);
      put(w, ",\"cardNumber\":\"1234567812345678\"");
      break;
    case kSearchDone:
      put(w, ",\"q\":\"");
      put(w, pick(kSearches, a.p3).term_json);
      put(w, "\",\"hits\":");
      putu(w, a.p1 % 120);
      break;
    case kLoginOk:
      put(w, ",\"username\":\"");
      put(w, a.email());
      put(w, "\",\"token\":\"");
      jwt.write(w, uint32_t(a.p1), uint8_t(a.p3 % std::size(kEmails)), now / 1000000, a.bits);
      putch(w, '"');
      break;
    case kLoginFail:
      put(w, ",\"username\":\"");
      put(w, a.email());
      put(w, "\",\"password\":\"wrong-password\"");
      break;
    case kJobEnqueued:
      put(w, ",\"jobId\":\"");
      putu(w, next_job_id);
      put(w, "\",\"queue\":\"emails\"");
      break;
    case kOrderSummaryDone:
      put(w, ",\"orderId\":");
      putu(w, a.p1);
      put(w, ",\"items\":");
      putu(w, a.p2);
      put(w, ",\"total\":");
      putmoney(w, 500 + a.bits % 50000);
      break;
    case kReportDone:
      put(w, ",\"reportId\":");
      putu(w, a.report_id());
      put(w, ",\"rows\":");
      putu(w, a.bits % 5000);
      break;
    case kBroadcastDone:
      put(w, ",\"channels\":[\"sms\",\"push\",\"webhook\"],\"delivered\":");
      putu(w, 1 + a.p2 % 3);
      break;
    case kOrderLoaded:
      put(w, ",\"orderId\":");
      putu(w, a.p1);
      put(w, a.p2 % 2 ? ",\"status\":\"shipped\"" : ",\"status\":\"pending\"");
      break;
    default:  // kReceived: the req alone
      break;
  }
  w.end(line.msg);
}

void write_summary_line(LineWriter& w, const Actor& a, uint64_t now) {
  const bool errored = a.status >= 500;
  w.begin_req(30, now, a.req);
  put(w, ",\"res\":{\"statusCode\":");
  if (a.status == 0) {
    put(w, "null");
  } else {
    putu(w, a.status);
  }
  put_response_headers(w, a);
  putch(w, '}');
  if (errored) {
    put_status_err(w, a.status);
    ++w.stats().errored;
  }
  put(w, ",\"responseTime\":");
  putu(w, a.duration / 1000);
  w.end(a.status == 0 ? "request aborted" : errored ? "request errored" : "request completed");
}

}  // namespace gen
