// Loads faultline's configuration: one YAML file (or none, for the built-in defaults) plus the
// environment Sentry users already set (SENTRY_DSN, SENTRY_RELEASE, SENTRY_ENVIRONMENT,
// SENTRY_DIST, CI commit variables). Every problem is reported before any input is touched, as
// "file:line:col: key.path: what was found and what was expected".
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "agent/config/config.h"
#include "base/environment.h"
#include "base/status.h"

namespace faultline::config {

using faultline::Getenv;
using faultline::process_getenv;

// Reads a regular file (or a pipe) of at most yaml::Limits::max_text_bytes (1MiB) and loads it.
// A directory, a larger file or an unreadable one is an error naming the file.
Result<Config> load_file(const std::string& path, const Getenv& env);
// `name` is what messages call the text (a file name).
Result<Config> load_text(std::string_view yaml, const std::string& name, const Getenv& env);
Result<Config> load_defaults(const Getenv& env);

// The release from the environment the way @sentry/node finds it: SENTRY_RELEASE, then the commit
// variables CI and hosting platforms set. Returns the value and the variable it came from.
std::pair<std::string, std::string> release_from_environment(const Getenv& env);

// The first line of a file, without trailing spaces or CR (a deploy's REVISION file). Anything but
// a regular file (a directory, a device such as /dev/zero, a FIFO) is an error, and at most the
// first 4 KiB are read.
Result<std::string> read_first_line(const std::string& path);

// Sentry's release-name rules (no '/', '\\', newline or tab; not ".", "..", " " or "latest";
// at most 200 characters). Returns what is wrong, or "". The text never repeats the release
// (it may be a secret pasted into the wrong key), except for the reserved names.
std::string release_problem(std::string_view release);

}  // namespace faultline::config
