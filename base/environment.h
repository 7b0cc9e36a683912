// The process environment behind a seam, so that the configuration loader and the rules compiler
// can be tested without touching the real environment. Stateless; process_getenv() reads
// std::getenv, which is safe as long as nothing calls setenv concurrently.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// The value of an environment variable, or nullopt when it is not set.
using Getenv = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the environment of this process.
Getenv process_getenv();

}  // namespace faultline
