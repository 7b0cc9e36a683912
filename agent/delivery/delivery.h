// Delivery to Sentry that loses nothing: the facade the daemon uses, from "this event's JSON is
// ready" to "Sentry accepted it".
//
//   auto delivery = Delivery::open(options);      // parses the DSN, recovers the spool, starts
//   delivery->submit(event_id, event_json);        // durable on return; then move checkpoints
//   delivery->submit_batch(events);                // the same for many, with one group commit
//   delivery->drain(deadline);                     // `replay`: wait for everything to be sent
//   delivery->shutdown(grace);                     // SIGTERM: drain up to grace, leave the rest
//
// Guarantees (docs/delivery.md says them in full): every submitted event is on disk before
// submit() returns and stays there until Sentry answered 2xx (at-least-once; a resend after a
// crash carries the same event_id, which Sentry deduplicates), or until it is dropped — a
// permanent rejection (400/401/403/413/other 4xx), eviction to keep the spool within
// spool_max_bytes (oldest first), or a disk error — and every drop is counted in stats() and
// logged. Network errors, 408, 429 and 5xx are retried for as long as the process runs, and
// across restarts.
//
// Layers inside (each its own header): dsn.h, envelope.h (pure builder), transport.h +
// curl_transport.h (HTTP), rate_limiter.h, retry_policy.h, spool.h, sender.h, events.h
// (counters + throttled logs); the time seam is base/clock.h.
//
// Thread-safety: submit() and stats() may be called from any thread, concurrently. drain() and
// shutdown() are for one controlling thread. The DSN's key is never logged nor put in an error.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/delivery/dsn.h"
#include "agent/delivery/events.h"
#include "agent/delivery/item_kind.h"
#include "agent/delivery/retry_policy.h"
#include "agent/delivery/spool.h"
#include "agent/delivery/transport.h"
#include "base/clock.h"
#include "base/status.h"

namespace faultline::delivery {

class Sender;

struct Options {
  std::string dsn;        // "" = send nothing (submit() discards, counted)
  std::string spool_dir;  // created if missing; one faultline process per directory
  uint64_t spool_max_bytes = 64ull << 20;
  int concurrency = 1;  // sender workers, 1–4
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{30000};  // one whole request
  std::chrono::milliseconds shutdown_grace{10000};   // used by shutdown() without an argument
  size_t gzip_threshold = 32 * 1024;                 // gzip envelopes longer than this
  bool tls_verify = true;  // false is an explicit config choice, logged at open
  std::string ca_file;     // PEM bundle; "" = the system's
  std::string ca_path;     // hashed CA directory; "" = the system's
  std::string proxy;       // "" = from the environment (http_proxy, https_proxy, no_proxy …)
  std::chrono::milliseconds backoff_initial = Backoff::kDefaultInitial;
  std::chrono::milliseconds backoff_max = Backoff::kDefaultMax;
  std::string sdk_name = "faultline";
  std::string sdk_version;  // required: envelope `sdk`, User-Agent, sentry_client
  LogFn log;                // may be empty

  // Test seams; leave empty in production.
  Clock* clock = nullptr;               // default: real_clock(); must outlive the Delivery
  TransportFactory transport_factory;   // default: libcurl with the options above
  std::function<double()> random_unit;  // default: a PRNG, for backoff jitter
  std::function<void(Spool::CommitStep)> commit_hook;  // Spool::set_commit_hook
};

class Delivery {
 public:
  static Result<std::unique_ptr<Delivery>> open(Options options);
  // shutdown(0): aborts what is in flight; everything unsent stays in the spool.
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  // Durably spools one event: fsynced before it returns; never waits for the network.
  // `event_id` is 32 lowercase hex and deterministic; an id already in the spool keeps its first
  // payload (returns ok, counted as a duplicate). Returns an error, counted as a drop, when the
  // event cannot fit in the spool or the disk fails. `event_json` is copied; it need not outlive
  // the call. Still works after shutdown(): the event waits in the spool for the next start.
  Status submit(std::string_view event_id, std::string_view event_json);

  // submit() for many events with one group commit (one file, one fsync; spool.h): every event
  // is durable, or counted as dropped, when it returns; one status per event, in order. Keep a
  // batch to max_batch_bytes() of JSON (at least one event).
  struct Submission {
    std::string_view event_id;
    std::string_view event_json;
    ItemKind kind = ItemKind::kEvent;  // a transaction travels, and is rate-limited, apart
  };
  std::vector<Status> submit_batch(std::span<const Submission> events);
  uint64_t max_batch_bytes() const;

  // Waits until the spool is empty and nothing is in flight, or until `deadline`. True when
  // everything submitted (and recovered from the spool) since open() was accepted with a 2xx;
  // false if anything is still pending, or was dropped or discarded since open().
  bool drain(std::chrono::steady_clock::time_point deadline);

  // Keeps sending for at most `grace` (until the spool is empty), then stops the sender;
  // requests in flight are aborted and whatever is unsent stays in the spool. Idempotent.
  void shutdown(std::chrono::milliseconds grace);
  void shutdown() { shutdown(options_.shutdown_grace); }

  bool enabled() const { return !dsn_.empty(); }
  const Dsn& dsn() const { return dsn_; }
  const Stats& stats() const { return stats_; }

 private:
  explicit Delivery(Options options);
  uint64_t losses() const;

  const Options options_;
  Dsn dsn_;
  Stats stats_;
  Events events_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Sender> sender_;  // declared after spool_: stopped and destroyed first
  uint64_t losses_at_open_ = 0;
  bool shut_down_ = false;
};

}  // namespace faultline::delivery
