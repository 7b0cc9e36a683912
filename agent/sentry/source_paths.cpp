#include "agent/sentry/source_paths.h"

#include <algorithm>

#include "base/path_prefix.h"

namespace faultline::sentry {

namespace {

bool longer(std::string_view a, std::string_view b) {
  return a.size() > b.size();
}

std::string join(std::string_view dir, std::string_view below) {
  if (below.empty()) return std::string(dir);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += below;
  return out;
}

}  // namespace

SourcePaths::SourcePaths(std::vector<std::string> roots,
                         std::vector<std::pair<std::string, std::string>> path_map,
                         std::string url_prefix)
    : roots_(std::move(roots)), path_map_(std::move(path_map)), url_prefix_(std::move(url_prefix)) {
  std::stable_sort(path_map_.begin(), path_map_.end(),
                   [](const auto& a, const auto& b) { return longer(a.first, b.first); });
  for (const auto& [from, to] : path_map_) url_bases_.push_back(from);
  for (const std::string& root : roots_) url_bases_.push_back(root);
  std::stable_sort(url_bases_.begin(), url_bases_.end(), longer);
}

std::optional<std::string> SourcePaths::host_path(std::string_view frame_path) const {
  std::optional<std::string> path = normal_path(frame_path);
  if (!path) return std::nullopt;
  for (const auto& [from, to] : path_map_) {
    if (auto below = path_below(*path, from)) {
      path = join(to, *below);
      break;
    }
  }
  for (const std::string& root : roots_) {
    if (path_within(*path, root)) return path;
  }
  return std::nullopt;
}

std::optional<std::string> SourcePaths::url(std::string_view frame_path) const {
  if (url_prefix_.empty()) return std::nullopt;
  const std::optional<std::string> path = normal_path(frame_path);
  if (!path) return std::nullopt;
  for (const std::string& base : url_bases_) {
    if (auto below = path_below(*path, base)) return url_prefix_ + std::string(*below);
  }
  return std::nullopt;
}

}  // namespace faultline::sentry
