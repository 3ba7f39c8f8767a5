#include "oxydra/types/json_reader.h"

#include <algorithm>
#include <cctype>

namespace oxydra {

namespace {

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

JsonReader::JsonReader(const nlohmann::json& object, std::string path, ErrorCode error_code)
    : object_(object), path_(std::move(path)), error_code_(error_code) {
  if (!object_.is_object()) problem("", "must be an object");
}

std::string JsonReader::child_path(std::string_view key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

void JsonReader::problem(std::string_view key, std::string_view what) {
  if (error_) return;
  error_ = Error{error_code_, child_path(key) + ": " + std::string(what)};
}

const nlohmann::json* JsonReader::find(std::string_view key) {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string JsonReader::string(std::string_view key) {
  auto value = optional_string(key);
  if (!value) {
    if (!find(key)) problem(key, "is required");
    return {};
  }
  return *value;
}

std::string JsonReader::nonblank(std::string_view key) {
  std::string value = string(key);
  if (ok() && is_blank(value)) problem(key, "must not be blank");
  return value;
}

std::optional<std::string> JsonReader::optional_string(std::string_view key) {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    problem(key, "must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

bool JsonReader::boolean(std::string_view key, bool fallback) {
  return optional_boolean(key).value_or(fallback);
}

std::optional<bool> JsonReader::optional_boolean(std::string_view key) {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    problem(key, "must be a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::int64_t JsonReader::integer(std::string_view key) {
  auto value = optional_integer(key);
  if (!value && !find(key)) problem(key, "is required");
  return value.value_or(0);
}

std::optional<std::int64_t> JsonReader::optional_integer(std::string_view key) {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    problem(key, "must be an integer");
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    problem(key, "is out of range");
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<std::uint64_t> JsonReader::optional_unsigned(std::string_view key) {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer() ||
      (v->is_number_integer() && !v->is_number_unsigned() && v->get<std::int64_t>() < 0)) {
    problem(key, "must be a non-negative integer");
    return std::nullopt;
  }
  return v->get<std::uint64_t>();
}

std::optional<double> JsonReader::optional_number(std::string_view key) {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    problem(key, "must be a number");
    return std::nullopt;
  }
  return v->get<double>();
}

std::map<std::string, std::string> JsonReader::string_map(std::string_view key) {
  std::map<std::string, std::string> out;
  const auto* v = find(key);
  if (!v) return out;
  if (!v->is_object()) {
    problem(key, "must be an object of strings");
    return out;
  }
  for (const auto& [k, value] : v->items()) {
    if (!value.is_string()) {
      problem(std::string(key) + "." + k, "must be a string");
      return out;
    }
    out.emplace(k, value.get<std::string>());
  }
  return out;
}

std::vector<std::string> JsonReader::string_list(std::string_view key) {
  std::vector<std::string> out;
  const auto* v = find(key);
  if (!v) return out;
  if (!v->is_array()) {
    problem(key, "must be an array of strings");
    return out;
  }
  for (const auto& value : *v) {
    if (!value.is_string()) {
      problem(key, "must be an array of strings");
      return out;
    }
    out.push_back(value.get<std::string>());
  }
  return out;
}

const nlohmann::json* JsonReader::object(std::string_view key, bool required) {
  const auto* v = find(key);
  if (!v) {
    if (required) problem(key, "is required");
    return nullptr;
  }
  if (!v->is_object()) {
    problem(key, "must be an object");
    return nullptr;
  }
  return v;
}

}  // namespace oxydra
