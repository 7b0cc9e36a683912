#include "agent/delivery/curl_transport.h"

#include <cctype>

namespace faultline::delivery {
namespace {

constexpr size_t kMaxBody = 512;

struct Exchange {
  Response* response;
  const std::atomic<bool>* abort;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool header_is(std::string_view line, std::string_view name, std::string_view* value) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  *value = trim(line.substr(name.size() + 1));
  return true;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::string_view line(data, size * count);
  // A new status line (after a 1xx, or through a proxy's CONNECT) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) {
    exchange->response->retry_after.clear();
    exchange->response->rate_limits.clear();
    exchange->response->sentry_error.clear();
  }
  std::string_view value;
  if (header_is(line, "retry-after", &value)) {
    exchange->response->retry_after = std::string(value);
  } else if (header_is(line, "x-sentry-rate-limits", &value)) {
    exchange->response->rate_limits = std::string(value);
  } else if (header_is(line, "x-sentry-error", &value)) {
    exchange->response->sentry_error = std::string(value.substr(0, kMaxBody));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string& body = exchange->response->body;
  if (body.size() < kMaxBody) body.append(data, std::min(size * count, kMaxBody - body.size()));
  return size * count;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(user)->abort->load() ? 1 : 0;
}

}  // namespace

Result<std::unique_ptr<Transport>> CurlTransport::create(const CurlOptions& options,
                                                         const std::atomic<bool>& abort) {
  return std::unique_ptr<Transport>(new CurlTransport(options, abort));
}

CurlTransport::CurlTransport(const CurlOptions& options, const std::atomic<bool>& abort)
    : options_(options), abort_(abort) {}

CurlTransport::~CurlTransport() {
  if (multi_ != nullptr) curl_->multi_cleanup(multi_);
  if (handle_ != nullptr) curl_->easy_cleanup(handle_);
}

Status CurlTransport::open() {
  if (handle_ != nullptr && multi_ != nullptr) return Status::Ok();
  Result<const CurlLibrary*> curl = curl_library();
  if (!curl.ok()) return curl.status();
  curl_ = *curl;
  if (multi_ == nullptr) multi_ = curl_->multi_init();
  if (handle_ == nullptr) handle_ = curl_->easy_init();
  if (handle_ == nullptr || multi_ == nullptr) return Status::Error("libcurl: out of memory");
  return Status::Ok();
}

// curl_easy_perform, in steps that look at the abort flag.
int CurlTransport::perform() {
  CURL* curl = handle_;
  CURLM* multi = multi_;
  if (curl_->multi_add_handle(multi, curl) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode result = CURLE_ABORTED_BY_CALLBACK;
  for (;;) {
    int running = 0;
    if (curl_->multi_perform(multi, &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    if (running == 0) {
      int left = 0;
      while (CURLMsg* msg = curl_->multi_info_read(multi, &left)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == curl) result = msg->data.result;
      }
      break;
    }
    if (abort_.load()) break;
    curl_->multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  curl_->multi_remove_handle(multi, curl);
  return result;
}

Response CurlTransport::send(const Request& request) {
  Response response;
  if (Status opened = open(); !opened.ok()) {
    response.kind = Response::Kind::kNetworkError;
    response.error = opened.message();
    return response;
  }
  CURL* curl = handle_;
  Exchange exchange{&response, &abort_};
  char error[CURL_ERROR_SIZE] = {0};

  // Options are set anew for every request; the handle keeps its connection cache across
  // curl_easy_reset, which is what keep-alive needs.
  curl_->easy_reset(curl);
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_->slist_append(headers, h.c_str());
  headers = curl_->slist_append(headers, "Expect:");

  curl_->easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_->easy_setopt(curl, CURLOPT_POST, 1L);
  curl_->easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  curl_->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
  curl_->easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_->easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
  curl_->easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_->easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.ca_path.empty()) curl_->easy_setopt(curl, CURLOPT_CAPATH, options_.ca_path.c_str());
  if (!options_.proxy.empty()) curl_->easy_setopt(curl, CURLOPT_PROXY, options_.proxy.c_str());
  curl_->easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_->easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_->easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_->easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_->easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_->easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_->easy_setopt(curl, CURLOPT_XFERINFODATA, &exchange);
  curl_->easy_setopt(curl, CURLOPT_ERRORBUFFER, error);

  const CURLcode rc = abort_.load() ? CURLE_ABORTED_BY_CALLBACK : static_cast<CURLcode>(perform());
  curl_->slist_free_all(headers);
  // The error buffer and the header list die with this call; curl must not keep pointers.
  curl_->easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_->easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);

  if (rc == CURLE_OK) {
    long status = 0;
    curl_->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.kind = Response::Kind::kHttp;
    response.status = static_cast<int>(status);
    return response;
  }
  response.kind =
      rc == CURLE_ABORTED_BY_CALLBACK ? Response::Kind::kAborted : Response::Kind::kNetworkError;
  response.status = 0;
  response.error = error[0] != '\0' ? std::string(error) : std::string(curl_->easy_strerror(rc));
  while (!response.error.empty() && response.error.back() == '\n') response.error.pop_back();
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
      rc == CURLE_SSL_CONNECT_ERROR) {
    response.error = "TLS: " + response.error;
  }
  return response;
}

TransportFactory curl_transport_factory(CurlOptions options) {
  return [options = std::move(options)](const std::atomic<bool>& abort) {
    return CurlTransport::create(options, abort);
  };
}

}  // namespace faultline::delivery
