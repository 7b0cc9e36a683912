#include "agent/delivery/sender.h"

#include "agent/delivery/trace_header.h"

namespace faultline::delivery {
namespace {

// What a failed attempt says, for the log; from the server or libcurl, so the key is redacted.
std::string describe(const Response& response, const Dsn& dsn) {
  if (response.kind != Response::Kind::kHttp) return dsn.redact(response.error);
  std::string what = "HTTP " + std::to_string(response.status);
  std::string detail = !response.sentry_error.empty() ? response.sentry_error : response.body;
  for (char& c : detail) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (detail.size() > 200) detail.resize(200);
  if (!detail.empty()) what += ": " + dsn.redact(detail);
  return what;
}

}  // namespace

Sender::Sender(SenderOptions options, Spool& spool, Clock& clock, Events& events)
    : options_(std::move(options)), spool_(spool), clock_(clock), events_(events) {}

Sender::~Sender() {
  stop();
}

Status Sender::start(const TransportFactory& factory) {
  for (int i = 0; i < options_.concurrency; ++i) {
    Result<std::unique_ptr<Transport>> transport = factory(abort_);
    if (!transport.ok()) return transport.status();
    transports_.push_back(std::move(transport).value());
  }
  for (auto& transport : transports_) {
    threads_.emplace_back([this, t = transport.get()] { run(*t); });
  }
  return Status::Ok();
}

void Sender::notify() {
  { std::lock_guard<std::mutex> g(mu_); }  // orders this wake-up after a worker's last check
  cv_.notify_all();
}

bool Sender::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [&] {
    return stopping_ || (in_flight_ == 0 && spool_.size() == 0);
  }) && !stopping_;
}

void Sender::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  abort_ = true;
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

double Sender::random_unit() {
  if (options_.random_unit) return options_.random_unit();
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

void Sender::run(Transport& transport) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const Clock::time_point now = clock_.now();
    if (backoff_until_ > now) {
      clock_.wait_until(lock, cv_, backoff_until_);
      continue;
    }
    if (failures_ > 0 && in_flight_ > 0) {  // failing: one probe at a time
      clock_.wait_until(lock, cv_, Clock::time_point::max());
      continue;
    }
    // Error events wait out their category's limit in the spool. Transactions are claimed
    // whatever theirs, and dropped while it runs, as the SDKs drop a limited category: they
    // are a sample, and must never hold back an error.
    const Clock::time_point errors_until = limiter_.limited_until(Category::kError);
    KindSet kinds = KindSet::none().with(ItemKind::kTransaction);
    if (errors_until <= now) kinds = kinds.with(ItemKind::kEvent);
    Clock::time_point next_due;
    std::optional<Spool::Entry> entry = spool_.claim(now, &next_due, kinds);
    if (!entry) {
      clock_.wait_until(lock, cv_,
                        errors_until > now ? std::min(next_due, errors_until) : next_due);
      continue;
    }
    if (limiter_.is_limited(category_of(entry->kind), now)) {
      spool_.complete(*entry);
      events_.transaction_rate_limited(entry->event_id);
      continue;
    }
    ++in_flight_;
    lock.unlock();

    Result<std::string> payload = spool_.read(*entry);  // unusable: moved aside and counted
    Response response;
    if (payload.ok()) {
      const std::string trace = entry->kind == ItemKind::kTransaction
                                    ? trace_header(*payload, options_.dsn.public_key())
                                    : std::string();
      Result<Request> request =
          build_request(options_.dsn, options_.sdk,
                        build_envelope(entry->kind, entry->event_id, *payload, clock_.wall_now(),
                                       options_.sdk, trace),
                        options_.gzip_threshold);
      events_.send_attempted();
      if (request.ok()) {
        const Clock::time_point sent_at = clock_.now();
        response = transport.send(*request);
        events_.stats().request_seconds.observe(
            std::chrono::duration<double>(clock_.now() - sent_at).count());
      } else {
        response.error = request.message();
      }
    }

    lock.lock();
    --in_flight_;
    if (payload.ok()) settle(*entry, response);
    cv_.notify_all();
  }
}

void Sender::settle(const Spool::Entry& entry, const Response& response) {
  const Clock::time_point now = clock_.now();
  bool limited = false;
  if (response.kind == Response::Kind::kHttp) {
    limited = limiter_.update(response.status, response.retry_after, response.rate_limits,
                              category_of(entry.kind), now, clock_.wall_now());
  }
  const Verdict verdict = classify(response);
  if (verdict == Verdict::kRateLimited || limited) {
    const auto until = limiter_.limited_until(category_of(entry.kind));
    events_.send_rate_limited(response.status,
                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                  until > now ? until - now : Clock::time_point::duration::zero()));
  }
  switch (verdict) {
    case Verdict::kAccepted:
      spool_.complete(entry);
      failures_ = 0;
      backoff_until_ = Clock::time_point::min();
      events_.send_accepted(entry.event_id, response.status);
      return;
    case Verdict::kRateLimited:
      spool_.release(entry, now, /*failed=*/false);
      return;
    case Verdict::kRetry: {
      ++failures_;
      std::chrono::milliseconds shared = options_.backoff.delay(failures_, random_unit());
      std::chrono::milliseconds own = options_.backoff.delay(entry.failures + 1, random_unit());
      // A 503 (or other retryable answer) that says when to come back is believed, if later.
      if (response.kind == Response::Kind::kHttp && !response.retry_after.empty()) {
        if (auto after = parse_retry_after(response.retry_after, clock_.wall_now())) {
          shared = std::max(shared, *after);
          own = std::max(own, *after);
        }
      }
      backoff_until_ = now + shared;
      spool_.release(entry, now + own, /*failed=*/true);
      events_.send_retry(entry.event_id, describe(response, options_.dsn),
                         response.kind != Response::Kind::kHttp, std::max(shared, own));
      return;
    }
    case Verdict::kDrop:
      spool_.complete(entry);
      failures_ = 0;
      backoff_until_ = Clock::time_point::min();
      events_.send_dropped(entry.event_id, response.status, describe(response, options_.dsn));
      return;
    case Verdict::kAborted:
      spool_.release(entry, now, /*failed=*/false);
      return;
  }
}

}  // namespace faultline::delivery
