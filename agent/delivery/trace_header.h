// The `trace` envelope header of a transaction (SENTRY-PROTOCOL.md §2): the Dynamic Sampling
// Context Sentry's servers sample and extrapolate by. Read from the transaction's own JSON at send
// time, so that the spool keeps payloads only. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace faultline::delivery {

// {"trace_id", "public_key", "sample_rate" (when the transaction says what rate kept it),
// "sampled": "true", "release", "environment", "transaction" (unless named from a raw URL, as
// the SDK does)} as JSON text; "" when the payload is not a transaction with a trace id.
std::string trace_header(std::string_view transaction_json, std::string_view public_key);

}  // namespace faultline::delivery
