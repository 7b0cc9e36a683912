#include "agent/config/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "agent/config/options.h"
#include "agent/config/source_options.h"
#include "agent/delivery/dsn.h"
#include "base/units.h"
#include "base/yaml_reader.h"
#include "rules/detect/detect_compiler.h"

namespace faultline::config {

namespace {

// The commit variables @sentry/node's getSentryRelease() reads, in its order (git providers, CI
// providers with specific names, then generic names that could be false positives).
constexpr std::string_view kReleaseVariables[] = {"GITHUB_SHA",
                                                  "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
                                                  "CI_BUILD_REF",
                                                  "CI_COMMIT_SHA",
                                                  "BITBUCKET_COMMIT",
                                                  "APPVEYOR_PULL_REQUEST_HEAD_COMMIT",
                                                  "APPVEYOR_REPO_COMMIT",
                                                  "CODEBUILD_RESOLVED_SOURCE_VERSION",
                                                  "AWS_COMMIT_ID",
                                                  "BUILD_SOURCEVERSION",
                                                  "GIT_CLONE_COMMIT_HASH",
                                                  "BUDDY_EXECUTION_REVISION",
                                                  "BUILDKITE_COMMIT",
                                                  "CIRCLE_SHA1",
                                                  "CIRRUS_CHANGE_IN_REPO",
                                                  "CF_REVISION",
                                                  "CM_COMMIT",
                                                  "CF_PAGES_COMMIT_SHA",
                                                  "DRONE_COMMIT_SHA",
                                                  "FC_GIT_COMMIT_SHA",
                                                  "HEROKU_TEST_RUN_COMMIT_VERSION",
                                                  "HEROKU_BUILD_COMMIT",
                                                  "HEROKU_SLUG_COMMIT",
                                                  "RAILWAY_GIT_COMMIT_SHA",
                                                  "RENDER_GIT_COMMIT",
                                                  "SEMAPHORE_GIT_SHA",
                                                  "TRAVIS_PULL_REQUEST_SHA",
                                                  "VERCEL_GIT_COMMIT_SHA",
                                                  "VERCEL_GITHUB_COMMIT_SHA",
                                                  "VERCEL_GITLAB_COMMIT_SHA",
                                                  "VERCEL_BITBUCKET_COMMIT_SHA",
                                                  "ZEIT_GITHUB_COMMIT_SHA",
                                                  "ZEIT_GITLAB_COMMIT_SHA",
                                                  "ZEIT_BITBUCKET_COMMIT_SHA",
                                                  "CI_COMMIT_ID",
                                                  "SOURCE_COMMIT",
                                                  "SOURCE_VERSION",
                                                  "GIT_COMMIT",
                                                  "COMMIT_REF",
                                                  "BUILD_VCS_NUMBER"};

// The keys directly under `prefix` that the option table knows (sections and options).
std::vector<std::string_view> children_of(std::string_view prefix) {
  std::vector<std::string_view> out;
  for (const Option& o : options()) {
    std::string_view rest = o.path;
    if (!prefix.empty()) {
      if (rest.size() <= prefix.size() || rest.substr(0, prefix.size()) != prefix ||
          rest[prefix.size()] != '.') {
        continue;
      }
      rest.remove_prefix(prefix.size() + 1);
    }
    rest = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), rest) == out.end()) out.push_back(rest);
  }
  if (prefix.empty()) {
    for (std::string_view s : reserved_sections()) out.push_back(s);
  }
  return out;
}

const Option* find_option(std::string_view path) {
  for (const Option& o : options()) {
    if (o.path == path) return &o;
  }
  return nullptr;
}

// `given`: the key paths the file sets, with where their values are (for later checks).
using Given = std::map<std::string, yaml::Mark>;

// Applies every option under `node` through the table; problems are collected in `reader`.
// `rules:` is left to the two rule compilers (finish()), which check its keys themselves.
void walk(Config& config, const yaml::Node& node, const std::string& prefix, yaml::Reader& reader,
          Given& given) {
  const std::vector<std::string_view> known = children_of(prefix);
  if (!reader.check_keys(node, prefix, known)) return;
  for (const yaml::Node::Entry& e : node.entries()) {
    if (!e.key.is_scalar()) continue;
    if (std::find(known.begin(), known.end(), e.key.text()) == known.end()) continue;
    const std::string path = yaml::join_path(prefix, e.key.text());
    given[path] = e.value.mark();
    if (path == "rules") continue;
    if (const Option* option = find_option(path)) {
      if (option->apply != nullptr) option->apply(config, e.value, reader, path);
    } else {
      walk(config, e.value, path, reader, given);
    }
  }
}

std::string default_state_dir(const Getenv& env) {
  if (geteuid() == 0) return "/var/lib/faultline";
  if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty()) return *xdg + "/faultline";
  if (auto home = env("HOME"); home && !home->empty()) return *home + "/.local/state/faultline";
  return "/tmp/faultline-" + std::to_string(geteuid());
}

yaml::Mark mark_of(const Given& given, const std::string& path) {
  auto it = given.find(path);
  return it == given.end() ? yaml::Mark() : it->second;
}

// The release: from the file, else sentry.release_file, else the environment; then checked.
void resolve_release(Config& c, const Given& given, const Getenv& env, yaml::Reader& reader) {
  if (given.count("sentry.release") != 0) {
    c.sentry.release_source = "sentry.release";
  } else if (!c.sentry.release_file.empty()) {
    const yaml::Mark at = mark_of(given, "sentry.release_file");
    auto line = read_first_line(c.sentry.release_file);
    if (!line.ok()) {
      reader.error_at(at, "sentry.release_file", "cannot read " + line.message());
      return;
    }
    if (line->empty()) {
      reader.error_at(at, "sentry.release_file",
                      "the first line of " + c.sentry.release_file + " is empty: no release");
      return;
    }
    c.sentry.release = *line;
    c.sentry.release_source = "sentry.release_file";
  } else {
    auto [release, source] = release_from_environment(env);
    c.sentry.release = release;
    c.sentry.release_source = source;
  }
  if (c.sentry.release.empty()) return;
  const std::string problem = release_problem(c.sentry.release);
  if (problem.empty()) return;
  if (c.sentry.release_source == "sentry.release") {
    reader.error_at(mark_of(given, "sentry.release"), "sentry.release", problem);
  } else if (c.sentry.release_source == "sentry.release_file") {
    reader.error_at(mark_of(given, "sentry.release_file"), "sentry.release_file",
                    "the first line of " + c.sentry.release_file + ": " + problem);
  } else {
    reader.error_in_file("sentry.release (from " + c.sentry.release_source + "): " + problem);
  }
}

// Fills what the file left out from the environment, compiles the rules, builds derived data and
// checks the result. Every problem is recorded in `reader`.
void finish(Config& c, const yaml::Node& root, const Given& given, const Getenv& env,
            yaml::Reader& reader) {
  const auto from_env = [&](const char* path, const char* var, std::string& field) {
    if (given.count(path) == 0) {
      if (auto v = env(var)) field = *v;
    }
  };
  from_env("sentry.dsn", "SENTRY_DSN", c.sentry.dsn);
  from_env("sentry.environment", "SENTRY_ENVIRONMENT", c.sentry.environment);
  from_env("sentry.dist", "SENTRY_DIST", c.sentry.dist);
  if (c.sentry.environment.empty()) c.sentry.environment = "production";
  if (!c.sentry.dsn.empty()) {
    // parse_dsn's messages never repeat the key.
    if (auto dsn = delivery::parse_dsn(c.sentry.dsn); !dsn.ok()) {
      if (given.count("sentry.dsn") != 0) {
        reader.error_at(mark_of(given, "sentry.dsn"), "sentry.dsn", dsn.message());
      } else {
        reader.error_in_file("sentry.dsn (from SENTRY_DSN): " + dsn.message());
      }
    }
  }
  resolve_release(c, given, env, reader);

  if (c.delivery.backoff_initial > c.delivery.backoff_max) {
    reader.error_at(mark_of(given, "delivery.backoff_initial"), "delivery.backoff_initial",
                    "must not be longer than delivery.backoff_max (" +
                        format_duration(c.delivery.backoff_max) + ")");
  }
  check_sources(c.sources, mark_of(given, "sources.path_map"), mark_of(given, "sources.url_prefix"),
                reader);
  if (c.state.dir.empty()) c.state.dir = default_state_dir(env);
  if (c.delivery.spool_dir.empty()) c.delivery.spool_dir = c.state.dir + "/spool";

  // `rules:` has two readers: the rule language (events) and detection (lines).
  const yaml::Node& rules_node = root["rules"];
  rules::CompileOptions rule_options;
  rule_options.getenv = env;
  if (auto rule_set = rules::RuleSet::compile(reader, rules_node, rule_options)) {
    c.rules.rule_set = std::make_shared<const rules::RuleSet>(std::move(*rule_set));
  }
  std::vector<std::string> detect_fields;
  rules::compile_detect(reader, rules_node.is_map() ? rules_node["detect"] : yaml::Node::missing(),
                        "rules.detect", c.rules.detect, detect_fields);

  auto schema = RecordSchema::build(c.pino.format);
  if (!schema.ok()) {
    reader.error_in_file("pino: " + schema.message());
    return;
  }
  if (auto s = rules::bind_detect_fields(detect_fields, *schema, c.rules.detect); !s.ok()) {
    reader.error_in_file(s.message());
    return;
  }
  c.pino.schema = std::make_shared<const RecordSchema>(std::move(schema).value());
}

Result<Config> load_root(const yaml::Node& root, yaml::Reader& reader, const Getenv& env) {
  Config config;
  config.file = reader.file();
  if (!root.absent() && !root.is_map()) {
    reader.error(root, "",
                 "expected a mapping of sections (sentry:, pino:, …) at the top, got " +
                     yaml::Reader::describe(root));
    return reader.status();
  }
  Given given;
  walk(config, root, "", reader, given);
  finish(config, root, given, env, reader);
  if (!reader.ok()) return reader.status();
  return config;
}

// A configuration file's bytes: a directory, a file over the size limit or an unreadable one is
// an error that names it. Pipes (`-c <(...)`) work; at most one byte past the limit is read.
Result<std::string> read_config_file(const std::string& path, uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(path + ": cannot read config file: " + std::strerror(errno));
  struct stat st {};
  const auto fail = [&](std::string what) {
    ::close(fd);
    return Status::Error(path + ": " + what);
  };
  if (::fstat(fd, &st) != 0)
    return fail(std::string("cannot read config file: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail("is a directory");
  const std::string too_large = "a configuration file may be at most " + format_size(max_bytes);
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return fail("the file is " + std::to_string(st.st_size) + " bytes; " + too_large);
  }
  std::string text;
  char buf[64 * 1024];
  while (text.size() <= max_bytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::string("cannot read config file: ") + std::strerror(errno));
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  if (text.size() > max_bytes)
    return fail("more than " + format_size(max_bytes) + " read; " + too_large);
  ::close(fd);
  return text;
}

}  // namespace

Result<std::string> read_first_line(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::Error(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(path + (S_ISDIR(st.st_mode) ? ": is a directory"
                                                     : ": not a regular file (a device, a FIFO "
                                                       "or a socket): expected a file"));
  }
  // A release is at most 200 characters; a longer first line is reported by release_problem().
  char buf[4096];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  const int read_errno = errno;
  ::close(fd);
  if (n < 0) return Status::Error(path + ": " + std::strerror(read_errno));
  std::string line(buf, static_cast<size_t>(n));
  line = line.substr(0, line.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::pair<std::string, std::string> release_from_environment(const Getenv& env) {
  if (auto v = env("SENTRY_RELEASE"); v && !v->empty()) return {*v, "SENTRY_RELEASE"};
  for (std::string_view var : kReleaseVariables) {
    if (auto v = env(var); v && !v->empty()) return {*v, std::string(var)};
  }
  return {"", ""};
}

std::string release_problem(std::string_view r) {
  if (r == "." || r == ".." || r == " " || r == "latest") {
    // A reserved name, not a secret: it can be shown.
    return "\"" + std::string(r) + "\" is not allowed as a release name";
  }
  std::string what;
  if (r.size() > 200) {
    what = "a release must be at most 200 characters";
  } else if (r.find_first_of("/\\\n\t") != std::string_view::npos) {
    what = "a release must not contain '/', '\\', a newline or a tab";
  } else {
    return "";
  }
  // Never the value itself: a DSN or a token pasted into the wrong key would leak into logs.
  return what + " (this one has " + std::to_string(r.size()) +
         " characters; it is not shown, as it may be a secret)";
}

Result<Config> load_text(std::string_view yaml, const std::string& name, const Getenv& env) {
  yaml::Reader reader(name);
  yaml::ParseOptions options;
  options.env = env;
  std::optional<yaml::Node> root = reader.parse(yaml, options);
  // A ${VAR} that could not be expanded would only cause more errors about its text.
  if (!root || !reader.ok()) return reader.status();
  return load_root(*root, reader, env);
}

Result<Config> load_file(const std::string& path, const Getenv& env) {
  auto text = read_config_file(path, yaml::Limits().max_text_bytes);
  if (!text.ok()) return text.status();
  return load_text(*text, path, env);
}

Result<Config> load_defaults(const Getenv& env) {
  yaml::Reader reader("(built-in defaults)");
  auto c = load_root(yaml::Node::missing(), reader, env);
  if (c.ok()) c->file.clear();
  return c;
}

}  // namespace faultline::config
