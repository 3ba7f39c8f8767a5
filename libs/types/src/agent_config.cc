#include "oxydra/types/agent_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "config_problems.h"
#include "oxydra/types/credential_ref.h"
#include "oxydra/types/http_url.h"

namespace oxydra {

using detail::ConfigProblems;
using detail::join_key;

std::string_view to_string(ApiKind api) {
  return api == ApiKind::anthropic ? "anthropic" : "openai_chat";
}

Result<ApiKind> parse_api_kind(std::string_view text) {
  if (text == "openai_chat") return ApiKind::openai_chat;
  if (text == "anthropic") return ApiKind::anthropic;
  return fail(ErrorCode::invalid_value,
              "must be one of \"openai_chat\", \"anthropic\" (got \"" + std::string(text) + "\")");
}

namespace {

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

void at_least(ConfigProblems& p, const std::string& key, std::int64_t value, std::int64_t min) {
  p.check(value >= min, key,
          "must be at least " + std::to_string(min) + " (got " + std::to_string(value) + ")");
}

void price(ConfigProblems& p, const std::string& key, const std::optional<double>& value) {
  if (value) p.check(std::isfinite(*value) && *value >= 0, key, "must be a number >= 0");
}

void validate_provider(ConfigProblems& p, const std::string& key, const ProviderConfig& prov) {
  if (p.check(!blank(prov.base_url), join_key(key, "base_url"), "must not be empty")) {
    auto url = parse_http_url(prov.base_url);
    if (!url) p.add(join_key(key, "base_url"), url.error().message);
  }
  p.check(!blank(prov.model), join_key(key, "model"), "must not be empty");
  if (!prov.credential.empty()) {
    auto valid = validate_credential_name(prov.credential);
    if (!valid) p.add(join_key(key, "credential"), valid.error().message);
  }
  if (!prov.api_key_env.empty()) {
    p.check(is_env_var_name(prov.api_key_env), join_key(key, "api_key_env"),
            "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  }
  at_least(p, join_key(key, "max_tokens"), prov.max_tokens, 1);
  price(p, join_key(key, "input_price_per_mtok"), prov.input_price_per_mtok);
  price(p, join_key(key, "output_price_per_mtok"), prov.output_price_per_mtok);
  at_least(p, join_key(key, "request_timeout_secs"), prov.request_timeout_secs, 1);
  at_least(p, join_key(key, "stream_idle_timeout_secs"), prov.stream_idle_timeout_secs, 1);
  p.check(prov.max_retries >= 0 && prov.max_retries <= 20, join_key(key, "max_retries"),
          "must be between 0 and 20 (got " + std::to_string(prov.max_retries) + ")");
}

std::string defined_names(const AgentConfig& c) {
  std::string names;
  for (const auto& [name, prov] : c.providers)
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

void validate_selection(ConfigProblems& p, const AgentConfig& c) {
  if (!p.check(!blank(c.provider), "provider", "must not be empty")) return;
  if (c.providers.empty() || c.providers.count(c.provider)) return;
  p.add("provider", "\"" + c.provider +
                        "\" is not defined under [providers] (defined: " + defined_names(c) + ")");
}

void validate_runtime(ConfigProblems& p, const AgentConfig& c) {
  at_least(p, "runtime.turn_timeout_secs", c.runtime.turn_timeout_secs, 1);
  at_least(p, "runtime.max_turns", c.runtime.max_turns, 1);
  const auto& max_cost = c.runtime.max_cost;
  if (!max_cost) return;
  if (!p.check(std::isfinite(*max_cost) && *max_cost > 0, "runtime.max_cost",
               "must be a number > 0 (leave it out for no limit)")) {
    return;
  }
  auto it = c.providers.find(c.provider);
  if (it == c.providers.end()) return;
  p.check(it->second.input_price_per_mtok && it->second.output_price_per_mtok, "runtime.max_cost",
          "needs input_price_per_mtok and output_price_per_mtok on provider \"" + c.provider +
              "\" to compute a cost");
}

void validate_memory(ConfigProblems& p, const MemoryConfig& m) {
  if (!p.check(!blank(m.db_path), "memory.db_path", "must not be empty")) return;
  const std::filesystem::path path(m.db_path);
  bool escapes = path.is_absolute();
  for (const auto& part : path)
    escapes = escapes || part == "..";
  p.check(!escapes, "memory.db_path",
          "must be a path inside the user's workspace (relative, without \"..\")");
}

void validate_tools(ConfigProblems& p, const ToolsConfig& t) {
  at_least(p, "tools.shell.timeout_secs", t.shell.timeout_secs, 1);
  p.check(t.shell.max_output_bytes >= 1 && t.shell.max_output_bytes <= kMaxShellOutputBytes,
          "tools.shell.max_output_bytes",
          "must be between 1 and " + std::to_string(kMaxShellOutputBytes) + " (got " +
              std::to_string(t.shell.max_output_bytes) + ")");
}

}  // namespace

Result<void> validate_agent_config(const AgentConfig& config) {
  ConfigProblems problems("");
  validate_selection(problems, config);
  problems.check(!config.providers.empty(), "providers", "at least one provider must be defined");
  for (const auto& [name, prov] : config.providers) {
    const auto key = join_key("providers", name);
    if (problems.check(!blank(name), key, "provider name must not be blank")) {
      validate_provider(problems, key, prov);
    }
  }
  validate_runtime(problems, config);
  validate_memory(problems, config.memory);
  validate_tools(problems, config.tools);
  if (!problems.ok()) return problems.error();
  return {};
}

}  // namespace oxydra
