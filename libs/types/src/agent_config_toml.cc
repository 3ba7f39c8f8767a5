#include <system_error>

#include "oxydra/types/agent_config.h"
#include "toml_reader.h"

namespace oxydra {

using detail::TomlReader;

namespace {

void read_provider(TomlReader& r, ProviderConfig& p) {
  r.only_keys({"api", "base_url", "model", "credential", "api_key_env", "max_tokens",
               "input_price_per_mtok", "output_price_per_mtok", "request_timeout_secs",
               "stream_idle_timeout_secs", "max_retries"});
  if (auto api = r.choice<ApiKind>(
          "api", {{"openai_chat", ApiKind::openai_chat}, {"anthropic", ApiKind::anthropic}})) {
    p.api = *api;
  }
  if (r.require("base_url")) r.read("base_url", p.base_url);
  if (r.require("model")) r.read("model", p.model);
  r.read("credential", p.credential);
  r.read("api_key_env", p.api_key_env);
  r.read("max_tokens", p.max_tokens);
  r.read("input_price_per_mtok", p.input_price_per_mtok);
  r.read("output_price_per_mtok", p.output_price_per_mtok);
  r.read("request_timeout_secs", p.request_timeout_secs);
  r.read("stream_idle_timeout_secs", p.stream_idle_timeout_secs);
  r.read("max_retries", p.max_retries);
}

void read_runtime(TomlReader& r, RuntimeLimits& l) {
  r.only_keys({"turn_timeout_secs", "max_turns", "max_cost", "system_prompt"});
  r.read("turn_timeout_secs", l.turn_timeout_secs);
  r.read("max_turns", l.max_turns);
  r.read("max_cost", l.max_cost);
  r.read("system_prompt", l.system_prompt);
}

void read_memory(TomlReader& r, MemoryConfig& m) {
  r.only_keys({"enabled", "db_path"});
  r.read("enabled", m.enabled);
  r.read("db_path", m.db_path);
}

void read_tools(TomlReader& r, ToolsConfig& t) {
  r.only_keys({"shell", "files"});
  if (auto shell = r.table("shell")) {
    shell->only_keys({"enabled", "timeout_secs", "max_output_bytes"});
    shell->read("enabled", t.shell.enabled);
    shell->read("timeout_secs", t.shell.timeout_secs);
    shell->read("max_output_bytes", t.shell.max_output_bytes);
  }
  if (auto files = r.table("files")) {
    files->only_keys({"enabled"});
    files->read("enabled", t.files.enabled);
  }
}

}  // namespace

Result<AgentConfig> parse_agent_config(std::string_view text, std::string_view source_name) {
  auto doc = detail::parse_toml(text, source_name);
  if (!doc) return tl::unexpected(doc.error());
  const std::string prefix = std::string(source_name) + ": ";
  detail::ConfigProblems problems(prefix);
  TomlReader root(*doc, "", problems, {});
  root.only_keys({"provider", "providers", "runtime", "memory", "tools"});

  AgentConfig config;
  config.source = std::string(source_name);
  if (root.require("provider")) root.read("provider", config.provider);
  if (root.require("providers")) {
    if (auto providers = root.table("providers")) {
      for (auto& [name, entry] : providers->tables())
        read_provider(entry, config.providers[name]);
    }
  }
  if (auto t = root.table("runtime")) read_runtime(*t, config.runtime);
  if (auto t = root.table("memory")) read_memory(*t, config.memory);
  if (auto t = root.table("tools")) read_tools(*t, config.tools);
  if (!problems.ok()) return problems.error();
  if (auto valid = validate_agent_config(config); !valid) {
    return tl::unexpected(with_context(valid.error(), source_name));
  }
  return config;
}

Result<AgentConfig> load_agent_config(const std::filesystem::path& path) {
  auto text = detail::read_config_file(path);
  if (!text) return tl::unexpected(text.error());
  return parse_agent_config(*text, path.string());
}

}  // namespace oxydra
