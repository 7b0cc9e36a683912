#include "agent/delivery/trace_header.h"

#include "parsers/json.h"

namespace faultline::delivery {

std::string trace_header(std::string_view transaction_json, std::string_view public_key) {
  auto event = json::parse(transaction_json);
  if (!event.ok() || !event->is_object()) return "";
  const auto text = [&](const char* path) -> std::string_view {
    const json::Value* v = event->find_path(path);
    return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : "";
  };
  const std::string_view trace_id = text("contexts.trace.trace_id");
  if (trace_id.empty() || public_key.empty()) return "";
  json::Object dsc;
  dsc.set("trace_id", trace_id);
  dsc.set("public_key", public_key);
  if (const json::Value* data = event->find_path("contexts.trace.data")) {
    // As a string, the way the SDK writes it (String(0.1) = "0.1").
    if (const json::Value* rate = data->find("sentry.sample_rate"); rate && rate->is_number()) {
      dsc.set("sample_rate", json::to_string(*rate));
    }
  }
  dsc.set("sampled", "true");
  if (auto release = text("release"); !release.empty()) dsc.set("release", release);
  if (auto environment = text("environment"); !environment.empty()) {
    dsc.set("environment", environment);
  }
  // A name that is a raw URL may hold ids or personal data: the SDK leaves it out.
  if (auto name = text("transaction"); !name.empty() && text("transaction_info.source") != "url") {
    dsc.set("transaction", name);
  }
  return json::to_string(json::Value(std::move(dsc)));
}

}  // namespace faultline::delivery
