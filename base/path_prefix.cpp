#include "base/path_prefix.h"

#include <vector>

namespace faultline {

std::optional<std::string> normal_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const size_t end = std::min(path.find('/', i), path.size());
    const std::string_view part = path.substr(i, end - i);
    i = end;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return std::string("/");
  std::string out;
  out.reserve(path.size());
  for (std::string_view part : parts) {
    out += '/';
    out += part;
  }
  return out;
}

std::optional<std::string_view> path_below(std::string_view path, std::string_view dir) {
  if (dir == "/") {
    if (path.empty() || path.front() != '/') return std::nullopt;
    return path.substr(1);
  }
  if (!path.starts_with(dir)) return std::nullopt;
  if (path.size() == dir.size()) return std::string_view();
  if (path[dir.size()] != '/') return std::nullopt;
  return path.substr(dir.size() + 1);
}

bool path_within(std::string_view path, std::string_view dir) {
  return path_below(path, dir).has_value();
}

}  // namespace faultline
