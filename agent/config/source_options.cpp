#include "agent/config/source_options.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/path_prefix.h"

namespace faultline::config {

namespace {

// A node's scalar as an absolute path in normal form, or nullopt after recording the problem.
std::optional<std::string> absolute_path(const yaml::Node& n, yaml::Reader& r,
                                         std::string_view path, std::string_view what) {
  auto text = r.text(n, path, what);
  if (!text) return std::nullopt;
  auto normal = normal_path(*text);
  if (!normal) {
    r.error(n, path,
            "expected " + std::string(what) + " (an absolute path such as \"/srv/app\"), got " +
                yaml::Reader::describe(n));
  }
  return normal;
}

}  // namespace

void read_source_roots(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view path) {
  c.sources.roots.clear();
  if (n.is_null()) return;
  if (!n.is_scalar() && !n.is_sequence()) {
    r.error(n, path,
            "expected a directory or a list of directories, got " + yaml::Reader::describe(n));
    return;
  }
  const std::vector<yaml::Node> one = n.is_scalar() ? std::vector<yaml::Node>{n} : n.items();
  for (size_t i = 0; i < one.size(); ++i) {
    const std::string item_path = n.is_scalar() ? std::string(path) : yaml::index_path(path, i);
    auto dir = absolute_path(one[i], r, item_path, "a directory");
    if (!dir) continue;
    struct stat st {};
    if (::stat(dir->c_str(), &st) != 0) {
      r.error(one[i], item_path, "cannot use " + *dir + ": " + std::strerror(errno));
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      r.error(one[i], item_path, *dir + " is not a directory: expected the app's directory");
      continue;
    }
    if (std::find(c.sources.roots.begin(), c.sources.roots.end(), *dir) == c.sources.roots.end()) {
      c.sources.roots.push_back(std::move(*dir));
    }
  }
}

void read_source_path_map(Config& c, const yaml::Node& n, yaml::Reader& r, std::string_view path) {
  c.sources.path_map.clear();
  if (n.is_null()) return;
  if (!n.is_map()) {
    r.error(n, path,
            "expected a mapping of path prefixes, in the logs to on this host, such as "
            "{/app: /mnt/app}, got " +
                yaml::Reader::describe(n));
    return;
  }
  for (const yaml::Node::Entry& e : n.entries()) {
    auto from = absolute_path(e.key, r, path, "a path prefix as the logs write it");
    if (!from) continue;
    const std::string entry_path = yaml::join_path(path, *from);
    auto to = absolute_path(e.value, r, entry_path, "a path prefix on this host");
    if (!to) continue;
    c.sources.path_map.emplace_back(std::move(*from), std::move(*to));
  }
}

void read_source_url_prefix(Config& c, const yaml::Node& n, yaml::Reader& r,
                            std::string_view path) {
  if (n.is_null()) {
    c.sources.url_prefix.clear();
    return;
  }
  auto v = r.text(n, path, "a URL prefix");
  if (!v) return;
  const bool spaces = std::any_of(v->begin(), v->end(), [](char ch) {
    return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f;
  });
  if (!v->empty() && (spaces || v->back() != '/')) {
    r.error(n, path,
            "expected a prefix ending in \"/\" without spaces, such as \"app:///\", got " +
                yaml::Reader::describe(n));
    return;
  }
  c.sources.url_prefix = std::move(*v);
}

void check_sources(const Sources& s, const yaml::Mark& path_map_at, const yaml::Mark& url_prefix_at,
                   yaml::Reader& r) {
  if (s.roots.empty()) {
    const std::string why =
        "has no effect without sources.roots (the directories faultline may read)";
    if (!s.path_map.empty()) r.error_at(path_map_at, "sources.path_map", why);
    if (!s.url_prefix.empty()) r.error_at(url_prefix_at, "sources.url_prefix", why);
    return;
  }
  for (const auto& [from, to] : s.path_map) {
    const bool readable = std::any_of(s.roots.begin(), s.roots.end(), [&](const std::string& root) {
      return path_within(to, root);
    });
    if (!readable) {
      r.error_at(path_map_at, "sources.path_map",
                 from + " maps to " + to +
                     ", which is under none of sources.roots: nothing there would be read");
    }
  }
}

}  // namespace faultline::config
