#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config_problems.h"
#include "oxydra/types/error.h"
#include "oxydra/types/sandbox_tier.h"

namespace oxydra::detail {

// Reads a config file; an unreadable file is an "io" error naming the path.
Result<std::string> read_config_file(const std::filesystem::path& path);

// The one place toml++ exceptions become errors: "<source>: line L, column C: <what>".
Result<toml::table> parse_toml(std::string_view text, std::string_view source);

// A relative path joined to `base_dir`, lexically normalised, no trailing '/'.
std::filesystem::path resolve_path(const std::filesystem::path& base_dir, std::string_view text);

// Typed access to one TOML table. Every problem (wrong type, unknown key, bad
// value) goes to the shared ConfigProblems under the full key path.
class TomlReader {
 public:
  TomlReader(const toml::table& table, std::string path, ConfigProblems& problems,
             std::filesystem::path base_dir);

  // Reports every key of the table outside `known` as an unknown key.
  void only_keys(std::initializer_list<std::string_view> known);

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // Reports "is required" and returns false when `key` is absent.
  bool require(std::string_view key);

  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<double> number(std::string_view key);  // integer or float
  std::optional<bool> boolean(std::string_view key);

  // Relative paths resolve against the config file's directory; "" and "~..." are refused.
  std::optional<std::filesystem::path> path(std::string_view key);
  // An array of strings; any other element type is a problem.
  std::optional<std::vector<std::string>> string_list(std::string_view key);
  // An array of paths, each resolved like path(); must be absolute after resolution.
  std::optional<std::vector<std::filesystem::path>> path_list(std::string_view key);
  // A program: a bare name stays a name (looked up in PATH later); with a '/' it is a path.
  std::optional<std::string> program(std::string_view key);

  // Assign to `out` only when the key is present and valid, so `out` keeps its default.
  void read(std::string_view key, std::string& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, std::int64_t& out, std::int64_t min = INT64_MIN,
            std::int64_t max = INT64_MAX);
  void read(std::string_view key, std::optional<double>& out);
  void read_path(std::string_view key, std::filesystem::path& out);
  void read_program(std::string_view key, std::string& out);

  template <typename E>
  std::optional<E> choice(std::string_view key,
                          std::initializer_list<std::pair<std::string_view, E>> options);

  // A sub-table; absent -> nullopt, not a table -> problem and nullopt.
  std::optional<TomlReader> table(std::string_view key);
  // Every entry of this table, each of which must itself be a table.
  std::vector<std::pair<std::string, TomlReader>> tables();
  // Every entry of this table, each of which must be a string.
  std::map<std::string, std::string> strings();
  // Every entry of this table, each of which must be an array of strings.
  std::map<std::string, std::vector<std::string>> string_lists();

  std::string key_path(std::string_view key) const { return join_key(path_, key); }
  void problem(std::string_view key, std::string_view reason) {
    problems_.add(key_path(key), reason);
  }

 private:
  const toml::node* find(std::string_view key) const;

  const toml::table* table_;
  std::string path_;
  ConfigProblems& problems_;
  std::filesystem::path base_dir_;
};

template <typename E>
std::optional<E> TomlReader::choice(std::string_view key,
                                    std::initializer_list<std::pair<std::string_view, E>> options) {
  auto text = string(key);
  if (!text) return std::nullopt;
  std::string expected;
  for (const auto& [name, value] : options) {
    if (*text == name) return value;
    expected += expected.empty() ? "" : ", ";
    expected += "\"" + std::string(name) + "\"";
  }
  problem(key, "must be one of " + expected + " (got \"" + *text + "\")");
  return std::nullopt;
}

// A tier a config file may name: micro_vm or container. The process tier is
// refused because only --insecure selects it.
std::optional<SandboxTier> read_configured_tier(TomlReader& reader, std::string_view key);

}  // namespace oxydra::detail
