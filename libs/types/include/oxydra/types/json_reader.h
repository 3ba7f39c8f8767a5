#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra {

// Reads typed fields out of a JSON object, remembering the first problem so a
// parser can read every field and check once: `if (!r.ok()) return r.error();`.
// Messages name the full path: "payload.session_id: must be a string".
class JsonReader {
 public:
  JsonReader(const nlohmann::json& object, std::string path,
             ErrorCode error_code = ErrorCode::invalid_request);

  std::string string(std::string_view key);    // required, may be empty
  std::string nonblank(std::string_view key);  // required, not blank
  std::optional<std::string> optional_string(std::string_view key);
  bool boolean(std::string_view key, bool fallback);
  std::optional<bool> optional_boolean(std::string_view key);
  std::int64_t integer(std::string_view key);
  std::optional<std::int64_t> optional_integer(std::string_view key);
  std::optional<std::uint64_t> optional_unsigned(std::string_view key);
  std::optional<double> optional_number(std::string_view key);
  std::map<std::string, std::string> string_map(std::string_view key);  // absent -> {}
  std::vector<std::string> string_list(std::string_view key);           // absent -> {}
  // A nested object (absent -> nullptr), for a child reader.
  const nlohmann::json* object(std::string_view key, bool required);

  std::string child_path(std::string_view key) const;
  void problem(std::string_view key, std::string_view what);
  bool ok() const { return !error_.has_value(); }
  tl::unexpected<Error> error() const { return tl::unexpected<Error>(*error_); }
  const std::optional<Error>& first_error() const { return error_; }

 private:
  const nlohmann::json* find(std::string_view key);

  const nlohmann::json& object_;
  std::string path_;
  ErrorCode error_code_;
  std::optional<Error> error_;
};

}  // namespace oxydra
