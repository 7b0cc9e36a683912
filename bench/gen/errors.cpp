// Error lines and the stacks in them. The frame lists are what Node 20 prints for each failure
// (outermost last); a failure draws how many of them it shows.

#include "errors.h"

#include <algorithm>
#include <string_view>

#include "out.h"
#include "requests.h"

namespace gen {

namespace {

// Express 5 / router 2 frames below a route handler, outermost last.
constexpr std::string_view kExpressChain[] = {
    "Layer.handleRequest (/srv/app/node_modules/router/lib/layer.js:152:17)",
    "next (/srv/app/node_modules/router/lib/route.js:157:13)",
    "Route.dispatch (/srv/app/node_modules/router/lib/route.js:117:3)",
    "handle (/srv/app/node_modules/router/index.js:435:11)",
    "Layer.handleRequest (/srv/app/node_modules/router/lib/layer.js:152:17)",
    "/srv/app/node_modules/router/index.js:295:15",
    "param (/srv/app/node_modules/router/index.js:600:14)",
    "processParams (/srv/app/node_modules/router/index.js:663:3)",
    "next (/srv/app/node_modules/router/index.js:291:5)",
    "authenticate (/srv/app/src/middleware/auth.js:31:5)",
};
// The app frames above kExpressChain for the synchronous handler errors.
constexpr std::string_view kOrdersFrames[] = {
    "computeSummary (/srv/app/src/services/orders.js:88:46)",
    "/srv/app/src/routes/orders.js:41:22",
};
constexpr std::string_view kInventoryFrames[] = {
    "InventoryService.reserve (/srv/app/src/services/inventory.js:76:17)",
    "/srv/app/src/routes/inventory.js:19:31",
};

constexpr std::string_view kReportFrames[] = {
    "ReportService.generate (/srv/app/src/services/reports.js:61:13)",
    "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "async /srv/app/src/routes/reports.js:22:20",
    "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
    "async Promise.all (index 0)",
    "async ReportScheduler.run (/srv/app/src/services/scheduler.js:44:9)",
};
constexpr std::string_view kDbClientFrames[] = {
    "Client.query (/srv/app/src/db/client.js:88:13)",
    "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "async ReportService.rows (/srv/app/src/services/reports.js:40:18)",
    "async ReportService.generate (/srv/app/src/services/reports.js:57:20)",
};
constexpr std::string_view kAcmeFrames[] = {
    "Timeout._onTimeout (/srv/app/src/payments/acme.js:74:11)",
    "listOnTimeout (node:internal/timers:581:17)",
    "process.processTimers (node:internal/timers:519:7)",
    "async AcmePayClient.charge (/srv/app/src/payments/acme.js:52:20)",
    "async PaymentService.capture (/srv/app/src/services/payments.js:33:18)",
    "async /srv/app/src/routes/payments.js:41:22",
    "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
    "async withRetry (/srv/app/src/lib/retry.js:18:14)",
    "async PaymentService.captureWithRetry (/srv/app/src/services/payments.js:61:12)",
    "async /srv/app/src/routes/payments.js:38:5",
    "async Promise.all (index 0)",
    "async Checkout.submit (/srv/app/src/services/checkout.js:90:3)",
};
constexpr std::string_view kKnexFrames[] = {
    "/srv/app/node_modules/knex/lib/client.js:312:26",
    "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "async Runner.ensureConnection (/srv/app/node_modules/knex/lib/execution/runner.js:305:28)",
    "async Runner.run (/srv/app/node_modules/knex/lib/execution/runner.js:30:19)",
    "async OrderRepo.find (/srv/app/src/db/orders.js:22:17)",
    "async /srv/app/src/routes/orders.js:17:19",
    "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
    "async Promise.all (index 1)",
    "async OrderService.load (/srv/app/src/services/orders.js:31:5)",
    "async /srv/app/src/routes/orders.js:12:3",
    "async authenticate (/srv/app/src/middleware/auth.js:35:5)",
    "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
};
constexpr std::string_view kBodyParserFrames[] = {
    "JSON.parse (<anonymous>)",
    "parse (/srv/app/node_modules/body-parser/lib/types/json.js:93:21)",
    "/srv/app/node_modules/body-parser/lib/read.js:194:18",
    "AsyncResource.runInAsyncScope (node:async_hooks:206:9)",
    "invokeCallback (/srv/app/node_modules/raw-body/index.js:238:16)",
    "done (/srv/app/node_modules/raw-body/index.js:227:7)",
    "IncomingMessage.onEnd (/srv/app/node_modules/raw-body/index.js:287:7)",
    "IncomingMessage.emit (node:events:524:28)",
    "endReadableNT (node:internal/streams/readable:1698:12)",
    "process.processTicksAndRejections (node:internal/process/task_queues:82:21)",
};
constexpr std::string_view kUndiciFrames[] = {
    "node:internal/deps/undici/undici:13502:13",
    "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "async RatesClient.latest (/srv/app/src/clients/rates.js:27:17)",
    "async RatesCache.refresh (/srv/app/src/services/rates-cache.js:33:9)",
    "async /srv/app/src/routes/rates.js:14:19",
    "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
    "async Promise.all (index 0)",
    "async RatesCache.get (/srv/app/src/services/rates-cache.js:21:5)",
    "async /srv/app/src/routes/rates.js:10:3",
    "async authenticate (/srv/app/src/middleware/auth.js:35:5)",
    "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
};

// The three rejections inside the AggregateError (Promise.any over the notification channels).
constexpr std::string_view kSmsFrames[] = {
    "/srv/app/src/notify/sms.js:63:37",
    "runNextTicks (node:internal/process/task_queues:60:5)",
    "process.processTimers (node:internal/timers:516:9)",
    "async Promise.any (index 0)",
    "async /srv/app/src/routes/notifications.js:67:13",
};
constexpr std::string_view kPushFrames[] = {
    "/srv/app/src/notify/push.js:64:37",
    "async Promise.any (index 1)",
    "async /srv/app/src/routes/notifications.js:67:13",
};
constexpr std::string_view kWebhookFrames[] = {
    "/srv/app/src/notify/webhook.js:65:61",
    "async Promise.any (index 2)",
    "async /srv/app/src/routes/notifications.js:67:13",
};

constexpr std::string_view kLedgerFrames[] = {
    "Timeout._onTimeout (/srv/app/src/jobs/ledger.js:129:11)",
    "listOnTimeout (node:internal/timers:581:17)",
    "process.processTimers (node:internal/timers:519:7)",
};

// pino-http's onResFinished, where it makes the placeholder error of a 5xx response.
constexpr std::string_view kPinoHttpFrames[] = {
    "onResFinished (/srv/app/node_modules/pino-http/logger.js:115:39)",
    "ServerResponse.onResponseComplete (/srv/app/node_modules/pino-http/logger.js:178:14)",
    "ServerResponse.emit (node:events:536:35)",
    "onFinish (node:_http_outgoing:1031:10)",
    "callback (node:internal/streams/writable:766:21)",
    "afterWrite (node:internal/streams/writable:710:5)",
    "afterWriteTick (node:internal/streams/writable:696:10)",
    "process.processTicksAndRejections (node:internal/process/task_queues:81:21)",
};

// The innermost cause of the report and rates failures: a refused TCP connection.
void caused_by_refused(LineWriter& w, std::string_view address) {
  put(w, "\\ncaused by: Error: connect ECONNREFUSED ");
  put(w, address);
  frame(w, "TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)");
}

// Error <- [DatabaseError <-] ECONNREFUSED, the message folded as pino does with err.cause.
// Half of them (bits even) have the DatabaseError in the middle.
void report_failure(LineWriter& w, const Actor& a, uint32_t n) {
  const bool db = a.bits % 2 == 0;
  const uint32_t db_n = db ? 2 + uint32_t(a.bits2 % 3) : 0;
  const uint32_t report_n = std::max<uint32_t>(2, n - db_n - 1);
  Text<48> head;
  put(head, "report ");
  putu(head, a.report_id());
  put(head, " generation failed");
  Text<160> message;
  put(message, head.view());
  put(message, ": ");
  if (db) put(message, "SELECT on table \\\"report_rows\\\" failed: ");
  put(message, "connect ECONNREFUSED 10.0.3.17:5432");

  w.open_err("Error", message.view(), {}, head.view());
  frames(w, kReportFrames, report_n);
  if (db) {
    caused_by(w, "DatabaseError", "SELECT on table \\\"report_rows\\\" failed");
    frames(w, kDbClientFrames, db_n);
  }
  caused_by_refused(w, "10.0.3.17:5432");
  put(w, "\"}");
  w.end(head.view());
}

// A business error with a code, a status and nested details.
void stock_failure(LineWriter& w, const Actor& a, uint32_t n) {
  Text<48> message;
  put(message, "insufficient stock for OOS-");
  putu(message, a.sku());
  w.open_err("Error", message.view());
  frames(w, kInventoryFrames, kExpressChain, n);
  put(w, "\",\"code\":\"E_INSUFFICIENT_STOCK\",\"status\":409,\"sku\":\"OOS-");
  putu(w, a.sku());
  put(w, "\",\"requested\":");
  putu(w, a.p2);
  put(w, ",\"available\":0,\"warehouse\":\"eu-west-1a\",\"details\":{\"reservedBy\":[\"ord-");
  putu(w, 8000 + a.bits % 1000);
  put(w, "\",\"ord-");
  putu(w, 9000 + a.bits2 % 1000);
  put(w, "\"],\"restockEta\":\"2026-12-01\"}}");
  w.end(message.view());
}

// Promise.any's AggregateError: its own stack has no frames; the rejections are in
// aggregateErrors, each serialized like an err.
void aggregate_failure(LineWriter& w) {
  constexpr std::string_view message = "All promises were rejected";
  w.open_err("AggregateError", message);
  put(w, "\",\"aggregateErrors\":[");
  open_error(w, "Error", "sms gateway timeout");
  frames(w, kSmsFrames);
  put(w, "\",\"code\":\"ETIMEDOUT\",\"provider\":\"sms\"},");
  open_error(w, "Error", "push service responded 503 Service Unavailable");
  frames(w, kPushFrames);
  put(w, "\",\"statusCode\":503,\"provider\":\"push\"},");
  open_error(w, "TypeError", "Cannot read properties of undefined (reading 'webhookUrl')");
  frames(w, kWebhookFrames);
  put(w, "\"}]}");
  w.end(message);
}

}  // namespace

void write_failure_line(LineWriter& w, Rng& rng, const Actor& a, uint64_t now) {
  w.begin_req(kFailures[a.failure].level, now, a.req);
  const uint32_t n = a.failure == kAggregate ? 0 : rng.between(6, 12);  // frames shown
  switch (a.failure) {
    case kTypeError: {
      constexpr std::string_view message = "Cannot read properties of undefined (reading 'total')";
      w.open_err("TypeError", message);
      frames(w, kOrdersFrames, kExpressChain, n);
      put(w, "\"}");
      w.end(message);
      break;
    }
    case kCauseChain:
      report_failure(w, a, n);
      break;
    case kPaymentTimeout: {
      constexpr std::string_view message =
          "payment provider acme-pay did not respond within 3000ms";
      w.open_err("PaymentTimeoutError", message);
      frames(w, kAcmeFrames, n);
      put(w,
          "\",\"name\":\"PaymentTimeoutError\",\"code\":\"PAYMENT_TIMEOUT\",\"status\":504,"
          "\"provider\":\"acme-pay\",\"timeoutMs\":3000,");
      put_payment_id(w, a);
      putch(w, ',');
      put_amount(w, a);
      put(w, ",\"retryable\":true}");
      w.end(message);
      break;
    }
    case kAggregate:
      aggregate_failure(w);
      break;
    case kStock:
      stock_failure(w, a, n);
      break;
    case kPoolFatal:
      w.open_err("Error",
                 "Knex: Timeout acquiring a connection. The pool is probably full. Are you "
                 "missing a .transacting(trx) call?",
                 "KnexTimeoutError");
      frames(w, kKnexFrames, n);
      put(w,
          "\",\"name\":\"KnexTimeoutError\",\"sql\":\"select * from \\\"orders\\\" where "
          "\\\"id\\\" = ?\",\"bindings\":[");
      putu(w, a.p1);
      put(w, "]},\"pool\":{\"size\":10,\"used\":10,\"waiting\":");
      putu(w, 10 + a.bits % 90);
      putch(w, '}');
      w.end("database connection pool exhausted");
      break;
    case kBodySyntax: {
      constexpr std::string_view message =
          "Expected double-quoted property name in JSON at position 54";
      w.open_err("SyntaxError", message);
      frames(w, kBodyParserFrames, n);
      put(w,
          "\",\"expose\":true,\"statusCode\":400,\"status\":400,\"body\":\"{\\\"email\\\": "
          "\\\"broken@example.com\\\", \\\"password\\\": \\\"hunter2\\\",\"}");
      w.end(message);
      break;
    }
    case kFetch:
      w.open_err("TypeError", "fetch failed: connect ECONNREFUSED 10.0.4.21:443", {},
                 "fetch failed");
      frames(w, kUndiciFrames, n - 1);
      caused_by_refused(w, "10.0.4.21:443");
      put(w, "\"}");
      w.end("upstream rates service failed");
      break;
    case kNoFailure:
    case kUnhandled:
    case kFailureCount:
      w.end("unreachable");
      break;
  }
}

void write_unhandled_line(LineWriter& w, const Actor& a, uint64_t now) {
  w.begin(50, now);
  w.open_err("Error", "read ECONNRESET");
  frame(w, "TCP.onStreamRead (node:internal/stream_base_commons:218:20)");
  put(w,
      "\",\"code\":\"ECONNRESET\",\"errno\":-104,\"syscall\":\"read\",\"command\":{\"name\":"
      "\"mget\",\"args\":[\"user:");
  putu(w, a.p1);
  put(w, "\",\"user:");
  putu(w, a.p1 + 1);
  put(w, "\"]}}");
  w.end("unhandled promise rejection");
}

void write_uncaught_line(LineWriter& w, uint64_t now) {
  w.begin(60, now);
  w.open_err("RangeError", "ledger invariant violated: balance -12.4 < 0 for account acc_77");
  frames(w, kLedgerFrames);
  put(w, "\"},\"origin\":\"uncaughtException\"");
  w.end("uncaught exception, exiting");
}

void put_status_err(LineWriter& w, uint16_t status) {
  Text<32> message;
  put(message, "failed with status code ");
  putu(message, status);
  w.open_err("Error", message.view());
  frames(w, kPinoHttpFrames);
  put(w, "\"}");
}

}  // namespace gen
