// HTTP requests of the simulated Express 5 app: what a request is (its route, outcome and
// script of lines, requests.cpp) and what its lines say (request_lines.cpp).
//
// The Generator (scheduler.h) calls, for each new request, in this order: draw_params,
// draw_failure when the error-rate controller asks for one, route_for, script_request,
// build_req. Each draws from the shared Rng, so the order is part of the output.
// Not thread-safe.

#pragma once

#include <cstdint>

#include "clients.h"
#include "model.h"
#include "pino_line.h"
#include "rng.h"

namespace gen {

// ---- the request (requests.cpp) ----

// The random parameters every request draws, probes included: bits, bits2, p1, p2, p3.
void draw_params(Actor& a, Rng& rng);
// Which failure, by kFailureWeights.
Failure draw_failure(Rng& rng);
// The route `f` happens on; for no failure, or one that fits any route, drawn by weight.
Route route_for(Failure f, Rng& rng);
// Fills a's steps, status and duration from its route and failure: handler lines spread over
// the response time, then pino-http's summary (and a "request received" line first when
// `received`).
void script_request(Actor& a, Rng& rng, Timing& timing, bool received);
// Serializes a's "req":{...} into a.req, as pino-http's req serializer does, with the
// client's headers.
void build_req(Actor& a, const Client& c);

// ---- its lines (request_lines.cpp) ----

// A handler line (What < kHandlerLineCount) under the request's req. `next_job_id` is the id
// the queue gives the next job (the kJobEnqueued line names it before the job exists).
void write_handler_line(LineWriter& w, Jwt& jwt, const Actor& a, What what, uint64_t now,
                        uint64_t next_job_id);
// pino-http's summary: "request completed", "request errored" (5xx, with the placeholder err)
// or "request aborted" (statusCode null).
void write_summary_line(LineWriter& w, const Actor& a, uint64_t now);

// "paymentId":"pay_…" and "amount":…,"currency":"…" of a payment, as the payment handler
// logs them and the payment timeout error carries them.
void put_payment_id(LineWriter& w, const Actor& a);
void put_amount(LineWriter& w, const Actor& a);

}  // namespace gen
