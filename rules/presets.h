// The built-in presets (rules/presets/*.yaml): their names, which are on by default, the order
// they run in, and where their text comes from — the preset directory when it exists, else the
// copy compiled into the binary (presets_embedded.cpp, kept identical to the files by
// tests/unit/rules/presets_test.cpp). Stateless; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultline::rules {

// Every preset, in the order they run (secrets is last; see rule_set.h).
const std::vector<std::string_view>& preset_names();
// The presets that are on unless the configuration says otherwise.
const std::vector<std::string_view>& default_presets();
// True for presets that run after the user's rules (secrets); the others run before them.
bool runs_after_user_rules(std::string_view preset);

// The copy built into the binary; empty for an unknown name.
std::string_view builtin_preset_text(std::string_view name);

struct PresetSource {
  std::string file;  // for messages: the file read, or "<built-in>/NAME.yaml"
  std::string text;
};
// Reads `dir`/NAME.yaml when `dir` is not empty and the file exists; else the built-in copy.
PresetSource load_preset(std::string_view name, const std::string& dir);

}  // namespace faultline::rules
