#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra::detail {

// The first problem found in one config document, as "<prefix><key>: <reason>"
// with code "invalid_config". The prefix names the document: "runner.toml: "
// for a file, "agent_config." for JSON nested in the bootstrap envelope.
class ConfigProblems {
 public:
  explicit ConfigProblems(std::string prefix) : prefix_(std::move(prefix)) {}

  void add(std::string_view key_path, std::string_view reason);
  // Adds the problem unless `condition` holds; returns `condition`.
  bool check(bool condition, std::string_view key_path, std::string_view reason);

  bool ok() const { return !first_.has_value(); }
  tl::unexpected<Error> error() const { return tl::unexpected<Error>(*first_); }

 private:
  std::string prefix_;
  std::optional<Error> first_;
};

// "parent.key", quoting keys that are not bare TOML keys: users."bad id".
std::string join_key(std::string_view parent, std::string_view key);

}  // namespace oxydra::detail
