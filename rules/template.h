// `{{ name }}` templates for fingerprints, tags and throttle keys, compiled once at load.
//
// Names: route, url (the path of request.url), status, level, message (the first message text),
// environment, release, dist, server_name, logger, transaction, platform, queue,
// error.type, error.value, error.code; or a path into the event (`tags.tenant`, `extra.userId`,
// `contexts.DatabaseError.code`, or a log record path such as `userId`, resolved as in scrub).
// A missing value renders as "". In fingerprints `{{ default }}` is kept as it is (Sentry expands
// it to its own grouping).
//
// Immutable after compile; render() is const and safe to call from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "parsers/json.h"
#include "rules/path.h"

namespace faultline::rules {

class Template {
 public:
  // `allow_default`: whether `{{ default }}` is accepted (fingerprints only). The error is the
  // bare reason, e.g. `unknown template variable "rout" (did you mean "route"?)`.
  static Result<Template> compile(std::string_view text, bool allow_default);

  std::string render(const json::Value& event) const;
  // True when the template uses no variable.
  bool literal() const;
  const std::string& text() const { return text_; }

 private:
  struct Part {
    enum class Kind { kLiteral, kName, kPath };
    Kind kind = Kind::kLiteral;
    std::string text;         // the literal, or the name
    std::vector<Path> paths;  // kPath: resolved event paths, first present wins
  };
  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace faultline::rules
