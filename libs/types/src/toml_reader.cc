#include "toml_reader.h"

#include <cerrno>
#include <fstream>
#include <sstream>

namespace oxydra::detail {

Result<std::string> read_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(errno_error("cannot read " + path.string(), errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return tl::unexpected(errno_error("cannot read " + path.string(), errno));
  return text.str();
}

Result<toml::table> parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return fail(ErrorCode::invalid_config,
                std::string(source) + ": line " + std::to_string(begin.line) + ", column " +
                    std::to_string(begin.column) + ": " + std::string(e.description()));
  }
}

std::filesystem::path resolve_path(const std::filesystem::path& base_dir, std::string_view text) {
  std::filesystem::path path(text);
  if (path.is_relative()) path = base_dir / path;
  path = path.lexically_normal();
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

TomlReader::TomlReader(const toml::table& table, std::string path, ConfigProblems& problems,
                       std::filesystem::path base_dir)
    : table_(&table), path_(std::move(path)), problems_(problems), base_dir_(std::move(base_dir)) {}

void TomlReader::only_keys(std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : *table_) {
    bool found = false;
    for (auto name : known)
      found = found || key.str() == name;
    if (found) continue;
    std::string list;
    for (auto name : known)
      list += (list.empty() ? "" : ", ") + std::string(name);
    problem(key.str(), "unknown key (expected one of: " + list + ")");
  }
}

const toml::node* TomlReader::find(std::string_view key) const {
  return table_->get(key);
}

bool TomlReader::require(std::string_view key) {
  if (has(key)) return true;
  problem(key, "is required");
  return false;
}

void TomlReader::read(std::string_view key, std::string& out) {
  if (auto value = string(key)) out = std::move(*value);
}

void TomlReader::read(std::string_view key, bool& out) {
  if (auto value = boolean(key)) out = *value;
}

void TomlReader::read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max) {
  auto value = integer(key);
  if (!value) return;
  if (*value < min || *value > max) {
    if (max == INT64_MAX) {
      problem(key,
              "must be at least " + std::to_string(min) + " (got " + std::to_string(*value) + ")");
    } else {
      problem(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                       " (got " + std::to_string(*value) + ")");
    }
    return;
  }
  out = *value;
}

void TomlReader::read(std::string_view key, std::optional<double>& out) {
  if (auto value = number(key)) out = *value;
}

void TomlReader::read_path(std::string_view key, std::filesystem::path& out) {
  if (auto value = path(key)) out = std::move(*value);
}

void TomlReader::read_program(std::string_view key, std::string& out) {
  if (auto value = program(key)) out = std::move(*value);
}

std::optional<std::string> TomlReader::string(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* s = node->as_string()) return s->get();
  problem(key, "must be a string");
  return std::nullopt;
}

std::optional<std::int64_t> TomlReader::integer(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* i = node->as_integer()) return i->get();
  problem(key, "must be an integer");
  return std::nullopt;
}

std::optional<double> TomlReader::number(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node->as_floating_point()) return f->get();
  problem(key, "must be a number");
  return std::nullopt;
}

std::optional<bool> TomlReader::boolean(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* b = node->as_boolean()) return b->get();
  problem(key, "must be a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::filesystem::path> TomlReader::path(std::string_view key) {
  auto text = string(key);
  if (!text) return std::nullopt;
  if (text->empty()) {
    problem(key, "must not be empty");
    return std::nullopt;
  }
  if (text->front() == '~') {
    problem(key, "\"~\" is not expanded; use an absolute path or one relative to this file");
    return std::nullopt;
  }
  if (text->find('\0') != std::string::npos) {
    problem(key, "must not contain NUL");
    return std::nullopt;
  }
  return resolve_path(base_dir_, *text);
}

std::optional<std::vector<std::string>> TomlReader::string_list(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  const auto* array = node->as_array();
  if (!array) {
    problem(key, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& element : *array) {
    const auto* s = element.as_string();
    if (!s) {
      problem(key, "must be an array of strings");
      return std::nullopt;
    }
    out.push_back(s->get());
  }
  return out;
}

std::optional<std::vector<std::filesystem::path>> TomlReader::path_list(std::string_view key) {
  auto texts = string_list(key);
  if (!texts) return std::nullopt;
  std::vector<std::filesystem::path> out;
  for (const auto& text : *texts) {
    if (text.empty() || text.front() == '~' || text.find('\0') != std::string::npos) {
      problem(key, "\"" + text + "\": must be a non-empty path without \"~\" or NUL");
      return std::nullopt;
    }
    out.push_back(resolve_path(base_dir_, text));
  }
  return out;
}

std::optional<std::string> TomlReader::program(std::string_view key) {
  auto text = string(key);
  if (!text) return std::nullopt;
  if (text->find('/') != std::string::npos) {
    auto resolved = path(key);
    if (!resolved) return std::nullopt;
    return resolved->string();
  }
  if (text->empty()) {
    problem(key, "must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<TomlReader> TomlReader::table(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* t = node->as_table()) return TomlReader(*t, key_path(key), problems_, base_dir_);
  problem(key, "must be a table");
  return std::nullopt;
}

std::vector<std::pair<std::string, TomlReader>> TomlReader::tables() {
  std::vector<std::pair<std::string, TomlReader>> out;
  for (const auto& [key, value] : *table_) {
    if (const auto* t = value.as_table()) {
      out.emplace_back(std::string(key.str()),
                       TomlReader(*t, key_path(key.str()), problems_, base_dir_));
    } else {
      problem(key.str(), "must be a table");
    }
  }
  return out;
}

std::map<std::string, std::string> TomlReader::strings() {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : *table_) {
    if (const auto* s = value.as_string()) {
      out.emplace(std::string(key.str()), s->get());
    } else {
      problem(key.str(), "must be a string");
    }
  }
  return out;
}

std::map<std::string, std::vector<std::string>> TomlReader::string_lists() {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [key, value] : *table_) {
    if (auto list = string_list(key.str())) out.emplace(std::string(key.str()), std::move(*list));
  }
  return out;
}

std::optional<SandboxTier> read_configured_tier(TomlReader& reader, std::string_view key) {
  auto text = reader.string(key);
  if (!text) return std::nullopt;
  auto tier = parse_sandbox_tier(*text);
  if (!tier) {
    reader.problem(key, tier.error().message);
    return std::nullopt;
  }
  if (*tier == SandboxTier::process) {
    reader.problem(key, "\"process\" is only chosen with --insecure (use micro_vm or container)");
    return std::nullopt;
  }
  return *tier;
}

}  // namespace oxydra::detail
