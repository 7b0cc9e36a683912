#include <cstdio>

#include "agent/cli/commands.h"

namespace faultline::cli {

namespace {

// "Error: something" from the event as it leaves the rules (scrubbed), never the raw record.
std::string headline(const json::Value& event) {
  const json::Value* values = event.find_path("exception.values");
  if (values != nullptr && values->is_array() && !values->as_array().empty()) {
    const json::Value& last = values->as_array().back();
    std::string type = last.find("type") ? json::to_string(*last.find("type")) : "";
    const json::Value* value = last.find("value");
    std::string text = value && value->is_string() ? value->as_string() : "";
    if (text.size() > 120) text = text.substr(0, 117) + "...";
    if (!type.empty() && type.front() == '"') type = type.substr(1, type.size() - 2);
    return type + ": " + text;
  }
  return "(no exception)";
}

int explain(const config::Config& config, const std::string& file) {
  runtime::Plan plan;
  plan.mode = runtime::Mode::kExplain;
  plan.files = {file};
  plan.explain = [&file](const sentry::Incident& incident, const json::Value& event,
                         const rules::Verdict&, const rules::Explain& what) {
    // The verdict is the trace's last line ("=> kept" or "=> dropped by ..."), said once.
    std::printf("%s:%llu: %s\n", file.c_str(), static_cast<unsigned long long>(incident.error.line),
                headline(event).c_str());
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
  auto config = runtime::load_config(options.config_path);
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
  const rules::RuleSet& rule_set = *config->rules.rule_set;
  std::string presets;
  for (const std::string& p : rule_set.presets()) presets += (presets.empty() ? "" : ", ") + p;
  std::printf("  rules: %zu (presets: %s)\n", rule_set.size(),
              presets.empty() ? "none" : presets.c_str());
  for (const std::string& label : rule_set.labels()) std::printf("    - %s\n", label.c_str());
  return kExitOk;
}

}  // namespace faultline::cli
