#include <cstdio>
#include <string>
#include <string_view>

#include "agent/cli/commands.h"
#include "agent/config/tracing_options.h"

namespace faultline::cli {

namespace {

// One line of the terminal's: control characters (a PEM block's newlines, escapes) as \n or \xNN.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// "Error: something" from the event as it leaves the rules (scrubbed), never the raw record. An
// event a rule dropped left before the scrubbing rules ran, so only its type is shown.
std::string headline(const json::Value& event, bool kept) {
  const json::Value* values = event.find_path("exception.values");
  if (values != nullptr && values->is_array() && !values->as_array().empty()) {
    const json::Value& last = values->as_array().back();
    const json::Value* type_value = last.find("type");
    std::string type = type_value && type_value->is_string() ? type_value->as_string() : "";
    if (type.size() > 60) type = type.substr(0, 57) + "...";
    if (!kept) return printable(type) + " (message not shown: dropped before scrubbing)";
    const json::Value* value = last.find("value");
    std::string text = value && value->is_string() ? value->as_string() : "";
    if (text.size() > 120) text = text.substr(0, 117) + "...";
    return printable(type + ": " + text);
  }
  return "(no exception)";
}

int explain(const config::Config& config, const std::string& file) {
  runtime::Plan plan;
  plan.mode = runtime::Mode::kExplain;
  plan.files = {file};
  plan.explain = [&file](const sentry::Incident& incident, const json::Value& event,
                         const rules::Verdict& verdict, const rules::Explain& what) {
    // The verdict is the trace's last line ("=> kept" or "=> dropped by ..."), said once.
    std::printf("%s:%llu: %s\n", file.c_str(), static_cast<unsigned long long>(incident.error.line),
                headline(event, verdict.keep()).c_str());
    if (const json::Value* id = event.find_path("tags.request_id")) {
      std::printf("  request %s\n", id->is_string() ? id->as_string().c_str() : "");
    }
    std::string text = what.to_text(/*only_matched=*/true);
    std::fputs(text.c_str(), stdout);
    if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
  };
  uint64_t errors = 0, kept = 0, dropped = 0;
  const int code = runtime::run(config, plan, [&](const Registry& metrics) {
    errors = metrics.value("faultline_errors_detected_total").value_or(0);
    kept = metrics.value("faultline_events_total").value_or(0);
    dropped = metrics.value("faultline_events_dropped_by_rules_total").value_or(0);
  });
  if (code != kExitOk) return code;
  std::printf("%llu error records, %llu events kept, %llu dropped by rules\n",
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(kept),
              static_cast<unsigned long long>(dropped));
  return kExitOk;
}

}  // namespace

int cmd_check(const CheckOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  if (!config.ok()) return kExitUsage;
  if (!options.explain_file.empty()) return explain(*config, options.explain_file);
  if (!options.sample_file.empty()) return check_sample(*config, options.sample_file);

  const std::string name = config->file.empty() ? "built-in defaults" : config->file;
  std::printf("config ok: %s\n", name.c_str());
  std::printf(
      "  release: %s\n",
      config->sentry.release.empty()
          ? "(none)"
          : (config->sentry.release + " (from " + config->sentry.release_source + ")").c_str());
  std::printf("  environment: %s\n", config->sentry.environment.c_str());
  std::printf("  dsn: %s\n", config->sentry.dsn.empty() ? "(none: nothing is sent)" : "set");
  std::printf("  tracing: %s\n", config::tracing_summary(config->tracing).c_str());
  const rules::RuleSet& rule_set = *config->rules.rule_set;
  std::string presets;
  for (const std::string& p : rule_set.presets()) presets += (presets.empty() ? "" : ", ") + p;
  std::printf("  rules: %zu (presets: %s)\n", rule_set.size(),
              presets.empty() ? "none" : presets.c_str());
  for (const std::string& label : rule_set.labels()) std::printf("    - %s\n", label.c_str());
  return kExitOk;
}

}  // namespace faultline::cli
