#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace oxydra::sandbox {

// Lenient reads of daemon replies: a field of the wrong type reads as absent
// rather than throwing on the reader thread.
inline std::string string_field(const nlohmann::json& object, std::string_view key,
                                std::string fallback = {}) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

inline std::optional<std::int64_t> int_field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

inline std::uint64_t count_field(const nlohmann::json& object, std::string_view key) {
  const auto value = int_field(object, key);
  return value && *value > 0 ? static_cast<std::uint64_t>(*value) : 0;
}

inline bool bool_field(const nlohmann::json& object, std::string_view key, bool fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

}  // namespace oxydra::sandbox
