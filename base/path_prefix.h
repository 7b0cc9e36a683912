// Absolute POSIX paths as text: the lexical steps of deciding whether a path lies under a
// directory and of swapping one directory prefix for another (sources.roots, sources.path_map).
// Nothing here touches the file system: a symlink is not followed, so a caller that must confine
// reads to a directory checks the resolved path (realpath) as well.
// Pure functions; safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// `path` with "." and empty components dropped, ".." taking the previous component away (never
// above "/") and no trailing '/': "/a//b/./c/../d/" → "/a/b/d". nullopt when it is not absolute.
std::optional<std::string> normal_path(std::string_view path);

// Whether `path` is `dir` or lies below it, component by component ("/app" holds "/app/a.js" but
// not "/apple/a.js"; "/" holds every absolute path). Both are taken as normal_path() gives them.
bool path_within(std::string_view path, std::string_view dir);

// What follows `dir` in `path` (without the separating '/'), "" when they are equal; nullopt when
// `path` is not within `dir`.
std::optional<std::string_view> path_below(std::string_view path, std::string_view dir);

}  // namespace faultline
