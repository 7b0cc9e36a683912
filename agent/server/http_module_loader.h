// Finds and opens faultline-http.so, the module that serves server.listen (http_module.h).
//
// Where it looks, first found wins:
//   $FAULTLINE_MODULE_DIR, when set (and then only there);
//   the directory of the faultline binary (a build tree);
//   <the binary's directory>/../<libdir>/faultline, libdir as configured (CMAKE_INSTALL_LIBDIR:
//   /usr/bin/faultline → /usr/lib/faultline, or lib/x86_64-linux-gnu when built for /usr).
// Thread-safe; the module is opened once and stays loaded.
#pragma once

#include <string>
#include <vector>

#include "agent/server/http_module.h"
#include "base/status.h"

namespace faultline {

// The directories searched, in order.
std::vector<std::string> http_module_dirs();

// The path of the module that would be opened, or an error saying where it was looked for.
Result<std::string> find_http_module();

// The module's start function; the error says which file was missing or unusable.
Result<http_module::StartFn> load_http_module();

}  // namespace faultline
