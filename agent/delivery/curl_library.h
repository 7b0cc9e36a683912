// libcurl, opened on the first send rather than linked: libcurl and what it links (two TLS
// stacks, Kerberos, LDAP, SSH, ...) would otherwise cost every faultline several megabytes of
// memory and much of its start time, though most runs without a DSN, or with nothing to send,
// never make a request.
//
// The table holds the few functions the transport uses, resolved once. The first call to
// curl_library() opens the library (FAULTLINE_LIBCURL names another one than libcurl.so.4, e.g.
// libcurl-gnutls.so.4) and runs curl_global_init, which must run once before any other use of
// curl; later calls return the same table, or the same error. Thread-safe.
#pragma once

// Types and constants only: nothing here links against libcurl.
#include <curl/curl.h>

#include "base/status.h"

namespace faultline::delivery {

struct CurlLibrary {
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_version_info) version_info;
};

// The library, loaded and initialized; the error says which library could not be opened or what
// it lacks, and that events wait in the spool.
Result<const CurlLibrary*> curl_library();

// What curl_library() opens: $FAULTLINE_LIBCURL, or libcurl.so.4.
std::string curl_library_name();

}  // namespace faultline::delivery
