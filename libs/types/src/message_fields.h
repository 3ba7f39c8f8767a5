#pragma once

// Field helpers shared by the wire-message codecs of this library (private).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"
#include "oxydra/types/json_reader.h"

namespace oxydra::detail {

template <typename T>
void put_optional(nlohmann::json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The parsed value, or the reader's first problem.
template <typename T>
Result<T> finish(const JsonReader& reader, T value) {
  if (!reader.ok()) return reader.error();
  return value;
}

// A payload reader: paths start at "payload", errors have code invalid_request.
inline JsonReader payload_reader(const nlohmann::json& payload) {
  return JsonReader(payload, "payload", ErrorCode::invalid_request);
}

std::uint64_t required_unsigned(JsonReader& reader, std::string_view key);
bool required_boolean(JsonReader& reader, std::string_view key);
std::optional<int> optional_int(JsonReader& reader, std::string_view key);

// A string from a closed set. Absent takes `fallback` when given, else is an error.
std::string one_of(JsonReader& reader, std::string_view key,
                   std::initializer_list<std::string_view> allowed,
                   std::optional<std::string_view> fallback = std::nullopt);
std::optional<std::string> optional_one_of(JsonReader& reader, std::string_view key,
                                           std::initializer_list<std::string_view> allowed);

// A string that becomes a C string (a path, argv, an environment entry) must
// hold no NUL byte: the program would see only what comes before it.
void refuse_nul(JsonReader& reader, std::string_view key, std::string_view value);

// The raw value of `key` when present and not null.
const nlohmann::json* raw_field(const nlohmann::json& object, std::string_view key);

// Parses an array of objects with `parse_item(element, "path.key[i]")`; absent -> empty.
template <typename T, typename ParseItem>
Result<std::vector<T>> parse_list(JsonReader& reader, const nlohmann::json& object,
                                  std::string_view key, ParseItem&& parse_item) {
  std::vector<T> out;
  const nlohmann::json* array = raw_field(object, key);
  if (!array) return out;
  if (!array->is_array()) {
    reader.problem(key, "must be an array");
    return reader.error();
  }
  const std::string base = reader.child_path(key);
  for (std::size_t i = 0; i < array->size(); ++i) {
    Result<T> item = parse_item((*array)[i], base + "[" + std::to_string(i) + "]");
    if (!item) return tl::unexpected(std::move(item.error()));
    out.push_back(std::move(*item));
  }
  return out;
}

template <typename T, typename ToJson>
nlohmann::json list_to_json(const std::vector<T>& items, ToJson&& to_json_item) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items)
    out.push_back(to_json_item(item));
  return out;
}

}  // namespace oxydra::detail
