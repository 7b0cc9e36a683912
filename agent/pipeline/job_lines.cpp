#include "agent/pipeline/job_lines.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace faultline {

namespace {

bool contains(std::string_view text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != text.end();
}

}  // namespace

JobEnd job_end(const RecordView& view) {
  if (view.job_id.empty()) return JobEnd::kNone;
  const std::string_view msg = view.message;
  if (contains(msg, "fail")) {
    if (contains(msg, "retry")) return JobEnd::kNone;  // and "retrying"
    const bool attempts_left =
        view.attempts > 0 && view.attempts_made >= 0 && view.attempts_made < view.attempts;
    if (attempts_left && !contains(msg, "permanent")) return JobEnd::kNone;
    return JobEnd::kFailed;
  }
  if (contains(msg, "completed") || contains(msg, "succeeded")) return JobEnd::kCompleted;
  return JobEnd::kNone;
}

bool job_start(const RecordView& view) {
  if (view.job_id.empty() || job_end(view) != JobEnd::kNone) return false;
  const std::string_view msg = view.message;
  return contains(msg, "active") || contains(msg, "started") || contains(msg, "processing");
}

}  // namespace faultline
