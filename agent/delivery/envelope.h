// The pure part of delivery: one event's JSON → the bytes and headers of an envelope request.
// No I/O, no clocks (the caller passes `sent_at`); stateless and thread-safe.
//
// Envelope layout (Sentry envelope protocol; one `event` or `transaction` item, explicit length):
//   {"event_id":"<32 hex>","sent_at":"2025-01-01T00:00:01.000Z","sdk":{"name":N,"version":V}}\n
//   {"type":"event","length":<bytes of payload>}\n
//   <event JSON>\n
// A transaction's envelope header also carries its trace's Dynamic Sampling Context:
//   {..."sdk":{...},"trace":{"trace_id":…,"public_key":…,"sample_rate":"0.1","sampled":"true",…}}
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "agent/delivery/dsn.h"
#include "agent/delivery/item_kind.h"
#include "agent/delivery/transport.h"
#include "base/status.h"

namespace faultline::delivery {

struct SdkInfo {
  std::string name;     // "faultline"
  std::string version;  // "0.1.0"
  // "name/version": the User-Agent and the X-Sentry-Auth sentry_client.
  std::string client() const { return name + "/" + version; }
};

// 32 lowercase hex digits: the only event_id form faultline accepts and sends.
bool is_valid_event_id(std::string_view event_id);

// The envelope for one event. `event_json` is copied verbatim (its own event_id, if any, is
// overridden by the envelope header's, per the protocol). `sent_at` is formatted at millisecond
// precision in UTC.
std::string build_event_envelope(std::string_view event_id, std::string_view event_json,
                                 std::chrono::system_clock::time_point sent_at, const SdkInfo& sdk);
// The same for a payload of any kind, in an item of its type. `trace` is the JSON object of the
// envelope header's `trace` (trace_header.h), or "" for none.
std::string build_envelope(ItemKind kind, std::string_view event_id, std::string_view json,
                           std::chrono::system_clock::time_point sent_at, const SdkInfo& sdk,
                           std::string_view trace = "");

// gzip (RFC 1952) of `data`, as `Content-Encoding: gzip` expects.
Result<std::string> gzip(std::string_view data);

// The POST for an envelope: the DSN's envelope URL; Content-Type, X-Sentry-Auth and User-Agent
// headers; the body gzipped (with Content-Encoding: gzip) when it is longer than
// `gzip_threshold` bytes.
Result<Request> build_request(const Dsn& dsn, const SdkInfo& sdk, std::string envelope,
                              size_t gzip_threshold);

}  // namespace faultline::delivery
