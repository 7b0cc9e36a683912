// The error lines: a failing request's level-50/60 line (its err as pino's err serializer
// writes it: type, message, a Node stack with Express, knex, undici or body-parser frames,
// causes, own properties), the unhandled rejection and the uncaught exception (no req), and
// pino-http's placeholder err on a 5xx summary. Not thread-safe (writes through LineWriter).

#pragma once

#include <cstdint>

#include "model.h"
#include "pino_line.h"
#include "rng.h"

namespace gen {

// The kErrorLine of request `a`, at the level kFailures gives its failure. Draws the stack's
// frame count from `rng` (except for the AggregateError, whose own stack has no frames).
void write_failure_line(LineWriter& w, Rng& rng, const Actor& a, uint64_t now);
// "unhandled promise rejection": a Redis ECONNRESET at level 50, without req.
void write_unhandled_line(LineWriter& w, const Actor& a, uint64_t now);
// "uncaught exception, exiting": the fatal line before a restart.
void write_uncaught_line(LineWriter& w, uint64_t now);
// ,"err":{...} that pino-http puts on a 5xx summary: "failed with status code N", with a stack
// of pino-http's own frames.
void put_status_err(LineWriter& w, uint16_t status);

}  // namespace gen
