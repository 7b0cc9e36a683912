// What faultline printed as NDJSON (replay --print, --events files), one parsed value per line;
// a line that is not JSON fails the test.
#pragma once

#include <string>
#include <vector>

#include "parsers/json.h"

namespace faultline::test {

std::vector<faultline::json::Value> json_lines(const std::string& text);

}  // namespace faultline::test
