#include "agent/delivery/curl_library.h"

#include <cstdlib>
#include <mutex>

#include "base/shared_library.h"

namespace faultline::delivery {
namespace {

Result<const CurlLibrary*> load() {
  const std::string name = curl_library_name();
  Result<SharedLibrary> lib = SharedLibrary::open(name);
  if (!lib.ok()) {
    return Status::Error("libcurl cannot be loaded (" + lib.message() +
                         "); install libcurl4, or name the library in FAULTLINE_LIBCURL");
  }
  static CurlLibrary api;
  decltype(&::curl_global_init) global_init = nullptr;
  // A libcurl older than 7.66 (2019) lacks curl_multi_poll.
  for (Status s : {
           lib->resolve("curl_global_init", &global_init),
           lib->resolve("curl_easy_init", &api.easy_init),
           lib->resolve("curl_easy_cleanup", &api.easy_cleanup),
           lib->resolve("curl_easy_reset", &api.easy_reset),
           lib->resolve("curl_easy_setopt", &api.easy_setopt),
           lib->resolve("curl_easy_getinfo", &api.easy_getinfo),
           lib->resolve("curl_easy_strerror", &api.easy_strerror),
           lib->resolve("curl_slist_append", &api.slist_append),
           lib->resolve("curl_slist_free_all", &api.slist_free_all),
           lib->resolve("curl_multi_init", &api.multi_init),
           lib->resolve("curl_multi_cleanup", &api.multi_cleanup),
           lib->resolve("curl_multi_add_handle", &api.multi_add_handle),
           lib->resolve("curl_multi_remove_handle", &api.multi_remove_handle),
           lib->resolve("curl_multi_perform", &api.multi_perform),
           lib->resolve("curl_multi_info_read", &api.multi_info_read),
           lib->resolve("curl_multi_poll", &api.multi_poll),
           lib->resolve("curl_version_info", &api.version_info),
       }) {
    if (!s.ok()) return Status::Error("libcurl cannot be used: " + s.message());
  }
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Status::Error("libcurl cannot be used: curl_global_init failed (" + name + ")");
  }
  return &api;
}

}  // namespace

std::string curl_library_name() {
  const char* name = std::getenv("FAULTLINE_LIBCURL");
  return name != nullptr && *name != '\0' ? std::string(name) : std::string("libcurl.so.4");
}

Result<const CurlLibrary*> curl_library() {
  static std::once_flag once;
  static Result<const CurlLibrary*> loaded = Status::Error("not loaded");
  std::call_once(once, [] { loaded = load(); });
  return loaded;
}

}  // namespace faultline::delivery
