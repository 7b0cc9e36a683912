#include "agent/delivery/delivery.h"

#include "agent/delivery/curl_transport.h"
#include "agent/delivery/sender.h"
#include "agent/delivery/spool.h"

namespace faultline::delivery {
namespace {

Status validate(const Options& o) {
  if (o.concurrency < 1 || o.concurrency > 4) {
    return Status::Error("delivery.concurrency must be from 1 to 4, got " +
                         std::to_string(o.concurrency));
  }
  if (o.spool_max_bytes == 0) return Status::Error("delivery.spool_max_bytes must be above 0");
  if (o.connect_timeout.count() <= 0 || o.request_timeout.count() <= 0) {
    return Status::Error("delivery timeouts must be above 0");
  }
  if (o.backoff_initial.count() <= 0 || o.backoff_max < o.backoff_initial) {
    return Status::Error("delivery backoff: need 0 < backoff_initial <= backoff_max");
  }
  if (o.sdk_name.empty() || o.sdk_version.empty()) {
    return Status::Error("delivery: sdk_name and sdk_version are required");
  }
  return Status::Ok();
}

}  // namespace

Delivery::Delivery(Options options)
    : options_(std::move(options)),
      events_(stats_, options_.log, options_.clock ? *options_.clock : real_clock()) {}

Delivery::~Delivery() {
  shutdown(std::chrono::milliseconds(0));
}

Result<std::unique_ptr<Delivery>> Delivery::open(Options options) {
  Result<Dsn> dsn = parse_dsn(options.dsn);
  if (!dsn.ok()) return dsn.status();
  if (Status s = validate(options); !s.ok()) return s;

  std::unique_ptr<Delivery> d(new Delivery(std::move(options)));
  d->dsn_ = std::move(dsn).value();
  const Options& o = d->options_;
  if (d->dsn_.empty()) {
    d->events_.delivery_disabled();
    return d;
  }
  if (!o.tls_verify) d->events_.tls_verify_disabled();

  Result<std::unique_ptr<Spool>> spool = Spool::open(o.spool_dir, o.spool_max_bytes, d->events_);
  if (!spool.ok()) return spool.status();
  d->spool_ = std::move(spool).value();
  if (o.commit_hook) d->spool_->set_commit_hook(o.commit_hook);

  SenderOptions so;
  so.dsn = d->dsn_;
  so.sdk = SdkInfo{o.sdk_name, o.sdk_version};
  so.concurrency = o.concurrency;
  so.gzip_threshold = o.gzip_threshold;
  so.backoff = Backoff(o.backoff_initial, o.backoff_max);
  so.random_unit = o.random_unit;
  d->sender_ = std::make_unique<Sender>(std::move(so), *d->spool_,
                                        o.clock ? *o.clock : real_clock(), d->events_);
  d->spool_->set_on_ready([sender = d->sender_.get()] { sender->notify(); });

  TransportFactory factory = o.transport_factory;
  if (!factory) {
    CurlOptions co;
    co.connect_timeout = o.connect_timeout;
    co.request_timeout = o.request_timeout;
    co.tls_verify = o.tls_verify;
    co.ca_file = o.ca_file;
    co.ca_path = o.ca_path;
    co.proxy = o.proxy;
    factory = curl_transport_factory(std::move(co));
  }
  if (Status s = d->sender_->start(factory); !s.ok()) return s;

  d->events_.delivery_started(d->dsn_.str(), o.spool_dir, d->stats_.spool_files,
                              d->stats_.spool_bytes, o.concurrency);
  d->losses_at_open_ = d->losses();
  return d;
}

uint64_t Delivery::losses() const {
  return stats_.dropped_permanent + stats_.dropped_spool_full + stats_.dropped_spool_error +
         stats_.corrupt_moved_aside + stats_.discarded_no_dsn;
}

Status Delivery::submit(std::string_view event_id, std::string_view event_json) {
  const Submission one{event_id, event_json};
  return std::move(submit_batch(std::span<const Submission>(&one, 1)).front());
}

std::vector<Status> Delivery::submit_batch(std::span<const Submission> events) {
  std::vector<Status> out(events.size());
  std::vector<Spool::Item> items;
  std::vector<size_t> index;  // items[i] is events[index[i]]
  items.reserve(events.size());
  index.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (!enabled()) {
      events_.event_discarded_no_dsn();
    } else if (!is_valid_event_id(events[i].event_id)) {
      events_.spool_write_failed("(invalid id)", "event_id must be 32 lowercase hex digits");
      out[i] = Status::Error("event_id must be 32 lowercase hex digits");
    } else {
      items.push_back(Spool::Item{events[i].event_id, events[i].event_json, events[i].kind});
      index.push_back(i);
    }
  }
  if (items.empty()) return out;
  std::vector<Result<Spool::Put>> put = spool_->put_batch(items);
  for (size_t i = 0; i < put.size(); ++i) out[index[i]] = put[i].status();
  return out;
}

uint64_t Delivery::max_batch_bytes() const {
  return spool_ ? spool_->max_batch_bytes() : uint64_t{1} << 20;
}

bool Delivery::drain(std::chrono::steady_clock::time_point deadline) {
  if (!enabled()) return losses() == losses_at_open_;
  const bool idle = sender_->wait_idle(deadline);
  return idle && losses() == losses_at_open_;
}

void Delivery::shutdown(std::chrono::milliseconds grace) {
  if (shut_down_ || !sender_) return;
  shut_down_ = true;
  if (grace.count() > 0) sender_->wait_idle(std::chrono::steady_clock::now() + grace);
  sender_->stop();
}

}  // namespace faultline::delivery
