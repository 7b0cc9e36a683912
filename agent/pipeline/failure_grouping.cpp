#include "agent/pipeline/failure_grouping.h"

#include <algorithm>
#include <functional>
#include <string>

#include "parsers/json.h"
#include "parsers/record_access.h"

namespace faultline {

namespace {

// The stack's first frame line; the stack is read where it is when it is a string.
std::string first_frame(const json::Value* stack) {
  const std::string json = stack != nullptr && !stack->is_string() ? text_or_json(stack) : "";
  const std::string_view text = stack != nullptr && stack->is_string() ? stack->as_string() : json;
  const size_t at = text.find("\n    at ");
  if (at == std::string_view::npos) return "";
  const size_t end = text.find('\n', at + 1);
  return std::string(text.substr(at + 1, end == std::string_view::npos ? end : end - at - 1));
}

}  // namespace

std::optional<json::Value> parse_record(std::string_view line, size_t* unreadable) {
  size_t count = 0;
  auto parsed = json::parse(line, &count);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  if (unreadable != nullptr) *unreadable += count;
  return std::move(parsed).value();
}

FailureSignature failure_signature(const std::optional<json::Value>& parsed, std::string_view line,
                                   bool is_completion, const PinoFormat& format) {
  FailureSignature sig;
  std::string basis;
  if (parsed) {
    const json::Value* err = find_error(*parsed, format);
    if (err != nullptr && err->is_object()) {
      if (is_status_placeholder(*err)) {
        sig.placeholder = true;
        return sig;
      }
      const std::string message = text_or_json(err->find("message"));
      basis = "err\n" + text_or_json(err->find("type")) + "\n" + text_or_json(err->find("name")) +
              "\n" + message + "\n" +
              first_frame(err->find("stack") != nullptr ? err->find("stack")
                                                        : err->find("stack_trace"));  // ECS
    } else if (err != nullptr) {
      basis = "err\n" + text_or_json(err);
    } else if (is_completion) {
      sig.placeholder = true;  // a 5xx summary line with nothing but the status
      return sig;
    } else {
      for (const std::string& key : format.message_keys) {
        if (const json::Value* m = parsed->find_path(key)) {
          basis = "msg\n" + text_or_json(m);
          break;
        }
      }
    }
  } else {
    basis = "raw\n" + std::string(line);
  }
  sig.hash = std::hash<std::string>{}(basis);
  return sig;
}

std::vector<FailureGroup> group_failures(const std::vector<PendingError>& pending,
                                         const PinoFormat& format,
                                         std::vector<size_t>& placeholders,
                                         std::vector<std::optional<json::Value>>& records,
                                         size_t* unreadable) {
  std::vector<FailureGroup> groups;
  std::vector<FailureSignature> sigs;
  sigs.reserve(pending.size());
  records.clear();
  records.reserve(pending.size());
  for (const PendingError& p : pending) {
    records.push_back(parse_record(p.text, unreadable));
    sigs.push_back(failure_signature(records.back(), p.text, p.is_completion, format));
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (sigs[i].placeholder) {
      placeholders.push_back(i);
      continue;
    }
    FailureGroup* group = nullptr;
    for (FailureGroup& g : groups) {
      if (g.signature == sigs[i].hash) group = &g;
    }
    if (group == nullptr) {
      groups.push_back(FailureGroup{i, {}, sigs[i].hash});
      continue;
    }
    // The handler's own line carries the most context; prefer it over pino-http's summary.
    const size_t current = group->primary;
    const bool better = pending[current].is_completion && !pending[i].is_completion;
    if (better) {
      group->duplicates.push_back(current);
      group->primary = i;
    } else {
      group->duplicates.push_back(i);
    }
  }
  return groups;
}

std::shared_ptr<const json::Value> parsed_completion(
    const std::vector<PendingError>& pending, uint64_t completion_offset,
    const std::vector<FailureGroup>& groups, std::vector<std::optional<json::Value>>& records) {
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!pending[i].is_completion || pending[i].offset != completion_offset) continue;
    if (!records[i]) return nullptr;
    const bool primary =
        groups.empty() || std::any_of(groups.begin(), groups.end(),
                                      [i](const FailureGroup& g) { return g.primary == i; });
    if (primary) return std::make_shared<const json::Value>(*records[i]);
    return std::make_shared<const json::Value>(std::move(*records[i]));
  }
  return nullptr;
}

}  // namespace faultline
