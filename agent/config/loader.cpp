#include "agent/config/loader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/config/detect_rules.h"
#include "agent/config/options.h"
#include "agent/delivery/dsn.h"
#include "base/units.h"

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
using Given = std::map<std::string, YAML::Mark>;

Status walk(Config& config, const YAML::Node& node, const std::string& prefix,
            const YamlReader& reader, Given& given) {
  if (auto s = reader.check_keys(node, prefix, children_of(prefix)); !s.ok()) return s;
  if (node.IsNull()) return Status::Ok();
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string path = join_path(prefix, it->first.Scalar());
    given[path] = it->second.Mark();
    if (const Option* option = find_option(path)) {
      if (auto s = option->apply(config, it->second, reader, path); !s.ok()) return s;
    } else if (auto s = walk(config, it->second, path, reader, given); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

std::string default_state_dir(const Getenv& env) {
  if (geteuid() == 0) return "/var/lib/faultline";
  if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty()) return *xdg + "/faultline";
  if (auto home = env("HOME"); home && !home->empty()) return *home + "/.local/state/faultline";
  return "/tmp/faultline-" + std::to_string(geteuid());
}

// Fills what the file left out from the environment, builds derived data and checks the result.
Status finish(Config& c, const Given& given, const Getenv& env, const YamlReader& reader) {
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
    if (auto dsn = delivery::parse_dsn(c.sentry.dsn); !dsn.ok()) {
      // parse_dsn's messages never repeat the key.
      return Status::Error(reader.file() + ": sentry.dsn" +
                           (given.count("sentry.dsn") ? "" : " (from SENTRY_DSN)") + ": " +
                           dsn.message());
    }
  }

  if (given.count("sentry.release") != 0) {
    c.sentry.release_source = "sentry.release";
  } else if (!c.sentry.release_file.empty()) {
    auto line = read_first_line(c.sentry.release_file);
    if (!line.ok()) {
      return Status::Error(reader.file() + ": sentry.release_file: cannot read " + line.message());
    }
    c.sentry.release = *line;
    c.sentry.release_source = "sentry.release_file";
  } else {
    auto [release, source] = release_from_environment(env);
    c.sentry.release = release;
    c.sentry.release_source = source;
  }
  if (!c.sentry.release.empty()) {
    if (std::string problem = release_problem(c.sentry.release); !problem.empty()) {
      return Status::Error(reader.file() + ": sentry.release: \"" + c.sentry.release + "\" (from " +
                           c.sentry.release_source + ") " + problem);
    }
  }

  if (c.delivery.backoff_initial > c.delivery.backoff_max) {
    const auto at = given.find("delivery.backoff_initial");
    return reader.error_at(at != given.end() ? at->second : YAML::Mark::null_mark(),
                           "delivery.backoff_initial",
                           "must not be longer than delivery.backoff_max (" +
                               format_duration(c.delivery.backoff_max) + ")");
  }
  if (c.state.dir.empty()) c.state.dir = default_state_dir(env);
  if (c.delivery.spool_dir.empty()) c.delivery.spool_dir = c.state.dir + "/spool";
  if (c.correlation.max_record_bytes < 256) {
    return Status::Error(reader.file() + ": correlation.max_record_bytes: must be at least 256B");
  }
  if (c.pino.max_line_bytes < 1024) {
    return Status::Error(reader.file() + ": pino.max_line_bytes: must be at least 1KiB");
  }

  rules::CompileOptions rule_options;
  rule_options.getenv = [&env](std::string_view name) { return env(name); };
  auto rule_set = rules::RuleSet::compile(c.rules.node, reader.file(), rule_options);
  if (!rule_set.ok()) return rule_set.status();
  c.rules.rule_set = std::make_shared<const rules::RuleSet>(std::move(rule_set).value());

  auto schema = RecordSchema::build(c.pino.format);
  if (!schema.ok()) return Status::Error(reader.file() + ": pino: " + schema.message());
  if (auto s = bind_detect_fields(c, *schema); !s.ok()) return s;
  c.pino.schema = std::make_shared<const RecordSchema>(std::move(schema).value());
  return Status::Ok();
}

Result<Config> load_node(YAML::Node root, const std::string& name, const Getenv& env) {
  YamlReader reader(name, env);
  Config config;
  config.file = name;
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return reader.error(root, "", "expected a mapping of sections (sentry:, pino:, …) at the top");
  }
  if (auto s = reader.expand_env(root); !s.ok()) return s;
  Given given;
  if (root.IsMap()) {
    if (auto s = walk(config, root, "", reader, given); !s.ok()) return s;
    if (root["rules"]) config.rules.node = root["rules"];
  }
  if (auto s = finish(config, given, env, reader); !s.ok()) return s;
  return config;
}

}  // namespace

Result<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(path + ": " + std::strerror(errno));
  std::string line;
  std::getline(in, line);
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
  if (r.size() > 200) return "is longer than 200 characters";
  if (r == "." || r == ".." || r == " " || r == "latest") return "is not allowed as a release name";
  if (r.find_first_of("/\\\n\t") != std::string_view::npos) {
    return "must not contain '/', '\\', a newline or a tab";
  }
  return "";
}

Result<Config> load_text(std::string_view yaml, const std::string& name, const Getenv& env) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    YamlReader reader(name, env);
    return reader.error_at(e.mark, "", "invalid YAML: " + e.msg);
  }
  return load_node(root, name, env);
}

Result<Config> load_file(const std::string& path, const Getenv& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return load_text(text.str(), path, env);
}

Result<Config> load_defaults(const Getenv& env) {
  auto c = load_node(YAML::Node(), "(built-in defaults)", env);
  if (c.ok()) c->file.clear();
  return c;
}

}  // namespace faultline::config
