#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "agent/cli/commands.h"
#include "agent/inputs/stream_reader.h"
#include "agent/telemetry/log.h"

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
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    log::error(file + ": cannot open: " + std::strerror(errno));
    return kExitRuntime;
  }
  Metrics metrics;
  Clock& clock = real_clock();
  NullSink sink;
  Pipeline pipeline(config, sink, metrics, clock);
  pipeline.set_explain_hook([&file](const sentry::Incident& incident, const json::Value& event,
                                    const rules::Verdict& verdict, const rules::Explain& what) {
    std::printf("%s:%llu: %s\n", file.c_str(), static_cast<unsigned long long>(incident.error.line),
                headline(event).c_str());
    if (const json::Value* id = event.find_path("tags.request_id")) {
      std::printf("  request %s\n", id->is_string() ? id->as_string().c_str() : "");
    }
    std::printf("  %s\n", verdict.keep()
                              ? "kept"
                              : ("dropped by " + verdict.rule + ": " + verdict.reason).c_str());
    std::string text = what.to_text(/*only_matched=*/true);
    std::fputs(text.c_str(), stdout);
    if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
  });
  StreamOptions stream;
  stream.fd = fd;
  stream.max_line_bytes = config.pino.max_line_bytes;
  SourceState source(file);
  Status status = read_stream(stream, source, pipeline, metrics, stop_requested());
  pipeline.finish();
  ::close(fd);
  if (!status.ok()) {
    log::error(status.message());
    return kExitRuntime;
  }
  std::printf("%llu error records, %llu events kept, %llu dropped by rules\n",
              static_cast<unsigned long long>(metrics.errors_detected.get()),
              static_cast<unsigned long long>(metrics.events.get()),
              static_cast<unsigned long long>(metrics.events_dropped_rules.get()));
  return kExitOk;
}

}  // namespace

int cmd_check(const CheckOptions& options) {
  auto config = load_config(options);
  if (!config.ok()) return kExitUsage;
  if (!options.explain_file.empty()) return explain(*config, options.explain_file);

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
