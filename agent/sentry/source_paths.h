// Where a frame's file is, by the text of its path alone (docs/sources.md): the file on this
// host through sources.path_map, whether it lies under sources.roots, and the path Sentry should
// see through sources.url_prefix. No file system access (SourceFiles resolves symlinks).
// Immutable after construction; safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline::sentry {

class SourcePaths {
 public:
  // All paths in normal form (base/path_prefix.h); `path_map` pairs are (in logs, on this host).
  SourcePaths(std::vector<std::string> roots,
              std::vector<std::pair<std::string, std::string>> path_map, std::string url_prefix);

  // The file a frame path names on this host (through the longest path_map prefix that holds
  // it), when that lies under a root; nullopt for any other frame (node:internal, a relative
  // name, a global module outside the roots): not faultline's to read.
  std::optional<std::string> host_path(std::string_view frame_path) const;

  // The frame path as Sentry should see it: url_prefix + the part below the longest path_map
  // prefix or root that holds it as logged ("/app/dist/a.js" → "app:///dist/a.js"); nullopt when
  // there is no url_prefix or no such prefix holds it.
  std::optional<std::string> url(std::string_view frame_path) const;

 private:
  std::vector<std::string> roots_;
  std::vector<std::pair<std::string, std::string>> path_map_;  // longest prefix first
  std::vector<std::string> url_bases_;                         // longest first
  std::string url_prefix_;
};

}  // namespace faultline::sentry
