// The HTTP side of an event: pino-http's `req` / `res` (and the completion line's) → Sentry's
// `request` interface, the response status, a transaction name and HTTP tags. Stateless.
#pragma once

#include <optional>
#include <string>

#include "parsers/json.h"
#include "parsers/pino_record.h"

namespace faultline::sentry {

struct HttpFacts {
  std::string method;
  std::string path;   // without the query string
  std::string route;  // as logged (route, req.route.path, req.routerPath), else ""
  int status = 0;     // 0: unknown
  std::optional<double> response_time_ms;
};

// Builds `request` from a pino-http req object: method, absolute url without the query, the raw
// query string, headers (arrays joined with ", "), cookies parsed from the Cookie header, and the
// body when the app logged one (`body` on the record or on req).
json::Object request_from(const json::Value& req, const json::Value* body);

// What the error line and the completion line say about the request; the completion wins for
// the status and duration, the error line for nothing it does not have. `opening` is the
// request's earlier line that carries the request object when neither of them does (Fastify
// logs req only on its "incoming request" line).
// The status is read from the format's status keys (res.statusCode, httpRequest.status, …).
HttpFacts http_facts(const json::Value& record, const json::Value* completion,
                     const PinoFormat& format, const json::Value* opening = nullptr);

// "GET /api/users/:id": the logged route when there is one, else the path with ids (numbers,
// UUIDs, long hex) replaced by placeholders so events of one endpoint share a transaction.
std::string transaction_name(const HttpFacts& facts);

// "Internal Server Error" for 500, "" for unknown codes.
std::string_view status_text(int status);
// "InternalServerError": the http-errors class name Node developers know, "HttpError" otherwise.
std::string status_type(int status);

}  // namespace faultline::sentry
