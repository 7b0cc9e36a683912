#include "support/receiver.h"

#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include <cctype>
#include <stdexcept>

namespace faultline::testing {

// ---------------------------------------------------------------------------------------------
// Envelopes

std::string Envelope::event_id() const {
  const json::Value* id = header.find("event_id");
  return id != nullptr && id->is_string() ? id->as_string() : "";
}

Result<Envelope> parse_envelope(std::string_view bytes) {
  Envelope envelope;
  size_t pos = 0;
  auto line = [&](std::string_view* out) {
    const size_t nl = bytes.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? bytes.size() : nl;
    *out = bytes.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? bytes.size() : nl + 1;
  };
  std::string_view header_line;
  line(&header_line);
  Result<json::Value> header = json::parse(header_line);
  if (!header.ok() || !header->is_object()) {
    return Status::Error("envelope header is not a JSON object: " + header.message());
  }
  envelope.header = std::move(header).value();

  while (pos < bytes.size()) {
    const size_t item_at = pos;
    std::string_view item_line;
    line(&item_line);
    if (item_line.empty() && pos >= bytes.size()) break;  // the optional trailing newline
    Result<json::Value> item_header = json::parse(item_line);
    if (!item_header.ok() || !item_header->is_object()) {
      return Status::Error("item header at byte " + std::to_string(item_at) +
                           " is not a JSON object");
    }
    EnvelopeItem item;
    item.header = std::move(item_header).value();
    const json::Value* length = item.header.find("length");
    if (length != nullptr) {
      if (!length->is_int() || length->as_int() < 0) {
        return Status::Error("item length at byte " + std::to_string(item_at) + " is invalid");
      }
      const size_t n = static_cast<size_t>(length->as_int());
      if (bytes.size() - pos < n) {
        return Status::Error("item at byte " + std::to_string(item_at) + " is truncated");
      }
      item.payload = std::string(bytes.substr(pos, n));
      pos += n;
      if (pos < bytes.size()) {
        if (bytes[pos] != '\n') {
          return Status::Error("no newline after the item payload at byte " + std::to_string(pos));
        }
        ++pos;
      }
    } else {
      std::string_view payload;
      line(&payload);
      item.payload = std::string(payload);
    }
    envelope.items.push_back(std::move(item));
  }
  return envelope;
}

Result<std::string> gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, MAX_WBITS + 32) != Z_OK) return Status::Error("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Error("gzip body is malformed or truncated");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Replies

Reply Reply::status_only(int status) {
  Reply r;
  r.status = status;
  return r;
}

Reply Reply::retry_after(int status, std::string value) {
  Reply r;
  r.status = status;
  r.headers.emplace_back("Retry-After", std::move(value));
  return r;
}

Reply Reply::rate_limits(int status, std::string header) {
  Reply r;
  r.status = status;
  r.headers.emplace_back("X-Sentry-Rate-Limits", std::move(header));
  return r;
}

Reply Reply::slow(std::chrono::milliseconds delay, int status) {
  Reply r;
  r.status = status;
  r.delay = delay;
  return r;
}

Reply Reply::drop() {
  Reply r;
  r.drop_connection = true;
  return r;
}

std::string ReceivedRequest::header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? "" : it->second;
}

// ---------------------------------------------------------------------------------------------
// Receiver

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

}  // namespace

Receiver::Receiver() {
  start(std::make_unique<httplib::Server>(), 0);
}

Receiver::Receiver(OnPort, int port) {
  start(std::make_unique<httplib::Server>(), port);
}

std::unique_ptr<Receiver> Receiver::on_port(int port) {
  return std::unique_ptr<Receiver>(new Receiver(OnPort{}, port));
}

Receiver::Receiver(const Tls& tls) : tls_(true) {
  std::unique_ptr<BIO, BioDeleter> cert_bio(
      BIO_new_mem_buf(tls.cert_pem.data(), static_cast<int>(tls.cert_pem.size())));
  std::unique_ptr<BIO, BioDeleter> key_bio(
      BIO_new_mem_buf(tls.key_pem.data(), static_cast<int>(tls.key_pem.size())));
  std::unique_ptr<X509, X509Deleter> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!cert || !key) throw std::runtime_error("Receiver: unreadable TLS certificate or key");
  // SSLServer takes its own references to the certificate and key.
  start(std::make_unique<httplib::SSLServer>(cert.get(), key.get()), 0);
}

void Receiver::start(std::unique_ptr<httplib::Server> server, int port) {
  server_ = std::move(server);
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(2);
  server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    ReceivedRequest r;
    r.received_at = std::chrono::steady_clock::now();
    r.method = req.method;
    r.target = req.target.empty() ? req.path : req.target;
    for (const auto& [name, value] : req.headers) r.headers[lower(name)] = value;
    r.gzip = lower(r.header("content-encoding")) == "gzip";
    r.remote_port = req.remote_port;
    // httplib may have inflated the body already; inflate only what still looks compressed.
    const bool compressed = req.body.size() >= 2 &&
                            static_cast<unsigned char>(req.body[0]) == 0x1f &&
                            static_cast<unsigned char>(req.body[1]) == 0x8b;
    if (compressed) {
      Result<std::string> inflated = gunzip(req.body);
      r.envelope = inflated.ok() ? *inflated : req.body;
      if (!inflated.ok()) r.parse_error = inflated.message();
    } else {
      r.envelope = req.body;
    }
    if (r.parse_error.empty()) {
      Result<Envelope> envelope = parse_envelope(r.envelope);
      r.parsed = envelope.ok();
      if (envelope.ok()) {
        r.parsed_envelope = std::move(envelope).value();
      } else {
        r.parse_error = envelope.message();
      }
    }

    Reply reply;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (script_.empty()) {
        reply = default_;
      } else {
        reply = std::move(script_.front());
        script_.pop_front();
      }
      r.index = requests_.size();
      r.reply_status = reply.drop_connection ? 0 : reply.status;
      requests_.push_back(r);
    }
    changed_.notify_all();

    if (reply.delay.count() > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait_for(lock, reply.delay, [&] { return stopping_; });
    }
    if (reply.drop_connection) {
      // httplib sends the status line and headers, then closes when the provider fails.
      res.status = 200;
      res.set_content_provider(1024, "text/plain",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
    std::string body = reply.body;
    if (body.empty() && reply.status >= 200 && reply.status < 300) {
      body = "{\"id\":\"" + r.event_id() + "\"}";
    }
    res.set_content(body, "application/json");
  });

  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else if (server_->bind_to_port("127.0.0.1", port)) {
    port_ = port;
  }
  if (port_ <= 0) throw std::runtime_error("Receiver: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

Receiver::~Receiver() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string Receiver::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::string Receiver::dsn(std::string_view key, std::string_view project) const {
  return std::string(tls_ ? "https" : "http") + "://" + std::string(key) +
         "@127.0.0.1:" + std::to_string(port_) + "/" + std::string(project);
}

void Receiver::set_default(Reply reply) {
  std::lock_guard<std::mutex> g(mu_);
  default_ = std::move(reply);
}

void Receiver::push(Reply reply, int times) {
  std::lock_guard<std::mutex> g(mu_);
  for (int i = 0; i < times; ++i) script_.push_back(reply);
}

std::vector<ReceivedRequest> Receiver::requests() const {
  std::lock_guard<std::mutex> g(mu_);
  return requests_;
}

std::vector<ReceivedRequest> Receiver::accepted() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<ReceivedRequest> out;
  for (const ReceivedRequest& r : requests_) {
    if (r.reply_status >= 200 && r.reply_status < 300) out.push_back(r);
  }
  return out;
}

size_t Receiver::request_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return requests_.size();
}

std::multiset<std::string> Receiver::accepted_event_ids() const {
  std::multiset<std::string> ids;
  for (const ReceivedRequest& r : accepted()) ids.insert(r.event_id());
  return ids;
}

bool Receiver::wait_for_requests(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

bool Receiver::wait_for_accepted(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    size_t count = 0;
    for (const ReceivedRequest& r : requests_) {
      count += r.reply_status >= 200 && r.reply_status < 300;
    }
    return count >= n;
  });
}

// ---------------------------------------------------------------------------------------------
// Test PKI

namespace {

std::unique_ptr<EVP_PKEY, KeyDeleter> make_key() {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) throw std::runtime_error("TestPki: key generation failed");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error("TestPki: bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signs with `issuer_key`; `issuer` null = self-signed.
std::unique_ptr<X509, X509Deleter> make_cert(EVP_PKEY* key, const char* common_name, X509* issuer,
                                             EVP_PKEY* issuer_key, bool ca) {
  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    throw std::runtime_error("TestPki: signing failed");
  }
  return cert;
}

std::string pem_of(X509* cert) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

TestPki TestPki::make() {
  auto ca_key = make_key();
  auto ca = make_cert(ca_key.get(), "faultline test CA", nullptr, ca_key.get(), true);
  auto server_key = make_key();
  auto server = make_cert(server_key.get(), "127.0.0.1", ca.get(), ca_key.get(), false);
  TestPki pki;
  pki.ca_cert_pem = pem_of(ca.get());
  pki.server_cert_pem = pem_of(server.get());
  pki.server_key_pem = pem_of(server_key.get());
  return pki;
}

}  // namespace faultline::testing
