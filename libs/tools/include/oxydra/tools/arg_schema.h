#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra::tools {

enum class ArgType { string, integer, boolean };

// One declared argument of a tool. The JSON Schema sent to the model and the
// validation of what it sends back both come from this, so they cannot drift.
struct ArgField {
  std::string name = {};
  ArgType type = ArgType::string;
  std::string description = {};
  bool required = false;
  bool non_empty = false;                    // strings
  std::optional<std::int64_t> minimum = {};  // integers
  std::optional<std::int64_t> maximum = {};  // integers
  std::vector<std::string> allowed = {};     // strings: an enum when non-empty
};

class ArgSchema {
 public:
  ArgSchema() = default;
  explicit ArgSchema(std::vector<ArgField> fields) : fields_(std::move(fields)) {}

  const std::vector<ArgField>& fields() const { return fields_; }

  // {"type":"object","properties":{...},"required":[...],"additionalProperties":false}
  nlohmann::json json_schema() const;

  // The arguments with nulls dropped and integral numbers (30.0) made integers,
  // or an `invalid_arguments` error listing every problem in terms the model can
  // act on: `argument "command" must be a non-empty string`.
  Result<nlohmann::json> validate(const nlohmann::json& args) const;

 private:
  std::vector<ArgField> fields_;
};

}  // namespace oxydra::tools
