#include "rules/presets.h"

#include <fstream>
#include <sstream>

namespace faultline::rules {

namespace embedded {
// Defined in presets_embedded.cpp.
extern const std::string_view kSecrets;
extern const std::string_view kExpressNoise;
extern const std::string_view kAreas;
extern const std::string_view kGroupByRoute;
}  // namespace embedded

const std::vector<std::string_view>& preset_names() {
  static const std::vector<std::string_view> names = {"express-noise", "areas", "group-by-route",
                                                      "secrets"};
  return names;
}

const std::vector<std::string_view>& default_presets() {
  static const std::vector<std::string_view> names = {"express-noise", "secrets"};
  return names;
}

bool runs_after_user_rules(std::string_view preset) {
  return preset == "secrets";
}

std::string_view builtin_preset_text(std::string_view name) {
  if (name == "secrets") return embedded::kSecrets;
  if (name == "express-noise") return embedded::kExpressNoise;
  if (name == "areas") return embedded::kAreas;
  if (name == "group-by-route") return embedded::kGroupByRoute;
  return {};
}

PresetSource load_preset(std::string_view name, const std::string& dir) {
  if (!dir.empty()) {
    std::string file = dir + "/" + std::string(name) + ".yaml";
    std::ifstream in(file, std::ios::binary);
    if (in) {
      std::ostringstream text;
      text << in.rdbuf();
      return PresetSource{file, text.str()};
    }
  }
  return PresetSource{"<built-in>/" + std::string(name) + ".yaml",
                      std::string(builtin_preset_text(name))};
}

}  // namespace faultline::rules
