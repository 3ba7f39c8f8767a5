#include "message_fields.h"

#include <limits>

namespace oxydra::detail {

std::uint64_t required_unsigned(JsonReader& reader, std::string_view key) {
  auto value = reader.optional_unsigned(key);
  if (!value && reader.ok()) reader.problem(key, "is required");
  return value.value_or(0);
}

bool required_boolean(JsonReader& reader, std::string_view key) {
  auto value = reader.optional_boolean(key);
  if (!value && reader.ok()) reader.problem(key, "is required");
  return value.value_or(false);
}

std::optional<int> optional_int(JsonReader& reader, std::string_view key) {
  auto value = reader.optional_integer(key);
  if (!value) return std::nullopt;
  if (*value < std::numeric_limits<int>::min() || *value > std::numeric_limits<int>::max()) {
    reader.problem(key, "is out of range");
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

namespace {

std::string allowed_list(std::initializer_list<std::string_view> allowed) {
  std::string out;
  for (auto name : allowed) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

std::optional<std::string> optional_one_of(JsonReader& reader, std::string_view key,
                                           std::initializer_list<std::string_view> allowed) {
  auto value = reader.optional_string(key);
  if (!value) return std::nullopt;
  for (auto name : allowed) {
    if (*value == name) return value;
  }
  reader.problem(key, "must be one of: " + allowed_list(allowed));
  return std::nullopt;
}

std::string one_of(JsonReader& reader, std::string_view key,
                   std::initializer_list<std::string_view> allowed,
                   std::optional<std::string_view> fallback) {
  auto value = optional_one_of(reader, key, allowed);
  if (value) return *value;
  if (!reader.ok()) return {};
  if (fallback) return std::string(*fallback);
  reader.problem(key, "is required");
  return {};
}

const nlohmann::json* raw_field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

void refuse_nul(JsonReader& reader, std::string_view key, std::string_view value) {
  if (value.find('\0') != std::string_view::npos)
    reader.problem(key, "must not contain a NUL byte");
}

}  // namespace oxydra::detail
