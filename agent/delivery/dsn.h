// A Sentry DSN, parsed the way the SDKs parse it: where envelopes are posted and how they are
// authenticated.
//
//   {http|https}://{public_key}[:{secret}]@{host}[:{port}][/{path prefix...}]/{project_id}
//
// The path prefix (a Sentry or Relay behind a sub-path) is kept in the URL; an IPv6 host is
// written in brackets; the deprecated secret is accepted and ignored (never sent); an empty DSN
// (or only whitespace) is valid and means "send nothing".
//
// The public key is a credential. It is reachable only through auth_header(); str() and every
// error message parse_dsn() can return leave it (and the secret) out, and errors never echo the
// input. Dsn is an immutable value type; safe to share between threads.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline::delivery {

class Dsn {
 public:
  Dsn() = default;  // the empty DSN

  bool empty() const { return host_.empty(); }
  const std::string& scheme() const { return scheme_; }  // "http" or "https"
  const std::string& host() const { return host_; }      // IPv6 keeps its brackets: "[::1]"
  int port() const { return port_; }                     // 0 when the DSN names none
  const std::string& path() const { return path_; }      // prefix without slashes, or ""
  const std::string& project_id() const { return project_id_; }

  // "{scheme}://{host}[:{port}][/{path}]/api/{project_id}/envelope/"
  std::string envelope_url() const;
  // The X-Sentry-Auth value: "Sentry sentry_version=7, sentry_client={client}, sentry_key={key}".
  // `client` is "name/version". With public_key(), the only places the key leaves this object.
  std::string auth_header(std::string_view client) const;
  // The key, for the `public_key` of a transaction envelope's trace header (trace_header.h), and
  // for nothing else: never in a log line or an error.
  const std::string& public_key() const { return public_key_; }
  // For logs and errors: "{scheme}://{host}[:{port}][/{path}]/{project_id}", without the key.
  std::string str() const;
  // `text` with every occurrence of the key replaced by "[key]": for log lines built from what a
  // server or library said, which faultline does not control.
  std::string redact(std::string_view text) const;

 private:
  friend Result<Dsn> parse_dsn(std::string_view text);

  std::string scheme_;
  std::string public_key_;
  std::string host_;
  int port_ = 0;
  std::string path_;
  std::string project_id_;
};

// Parses a DSN. Leading and trailing whitespace is ignored. Errors start with "invalid DSN: ",
// say which part is wrong and what shape was expected, and never contain the input.
Result<Dsn> parse_dsn(std::string_view text);

}  // namespace faultline::delivery
