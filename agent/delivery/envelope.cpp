#include "agent/delivery/envelope.h"

#include <zlib.h>

#include "parsers/json.h"
#include "parsers/timestamp.h"

namespace faultline::delivery {

bool is_valid_event_id(std::string_view event_id) {
  if (event_id.size() != 32) return false;
  for (char c : event_id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string build_event_envelope(std::string_view event_id, std::string_view event_json,
                                 std::chrono::system_clock::time_point sent_at,
                                 const SdkInfo& sdk) {
  return build_envelope(ItemKind::kEvent, event_id, event_json, sent_at, sdk);
}

std::string build_envelope(ItemKind kind, std::string_view event_id, std::string_view event_json,
                           std::chrono::system_clock::time_point sent_at, const SdkInfo& sdk,
                           std::string_view trace) {
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(sent_at.time_since_epoch()).count();
  std::string out;
  out.reserve(event_json.size() + 200);
  out += "{\"event_id\":";
  json::write_string(event_id, out);
  out += ",\"sent_at\":";
  json::write_string(format_rfc3339_millis(micros), out);
  out += ",\"sdk\":{\"name\":";
  json::write_string(sdk.name, out);
  out += ",\"version\":";
  json::write_string(sdk.version, out);
  out += '}';
  if (!trace.empty()) {
    out += ",\"trace\":";
    out.append(trace);
  }
  out += "}\n{\"type\":";
  json::write_string(item_type(kind), out);
  out += ",\"length\":";
  out += std::to_string(event_json.size());
  out += "}\n";
  out.append(event_json);
  out += '\n';
  return out;
}

Result<std::string> gzip(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's default.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Error("gzip: deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Error("gzip: deflate did not finish");
  out.resize(written);
  return out;
}

Result<Request> build_request(const Dsn& dsn, const SdkInfo& sdk, std::string envelope,
                              size_t gzip_threshold) {
  Request request;
  request.url = dsn.envelope_url();
  request.headers.push_back("Content-Type: application/x-sentry-envelope");
  request.headers.push_back("X-Sentry-Auth: " + dsn.auth_header(sdk.client()));
  request.headers.push_back("User-Agent: " + sdk.client());
  if (envelope.size() > gzip_threshold) {
    Result<std::string> compressed = gzip(envelope);
    if (!compressed.ok()) return compressed.status();
    request.body = std::move(compressed).value();
    request.headers.push_back("Content-Encoding: gzip");
  } else {
    request.body = std::move(envelope);
  }
  return request;
}

}  // namespace faultline::delivery
