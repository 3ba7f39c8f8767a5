#include "oxydra/types/agent_config_json.h"

#include <nlohmann/json.hpp>

#include "config_problems.h"
#include "oxydra/types/json_reader.h"

namespace oxydra {

namespace {

using nlohmann::json;

json provider_to_json(const ProviderConfig& p) {
  json out = {
      {"api", to_string(p.api)},
      {"base_url", p.base_url},
      {"model", p.model},
      {"credential", p.credential},
      {"api_key_env", p.api_key_env},
      {"max_tokens", p.max_tokens},
      {"request_timeout_secs", p.request_timeout_secs},
      {"stream_idle_timeout_secs", p.stream_idle_timeout_secs},
      {"max_retries", p.max_retries},
  };
  if (p.input_price_per_mtok) out["input_price_per_mtok"] = *p.input_price_per_mtok;
  if (p.output_price_per_mtok) out["output_price_per_mtok"] = *p.output_price_per_mtok;
  return out;
}

template <typename T>
void read_integer(JsonReader& r, std::string_view key, T& out) {
  if (auto value = r.optional_integer(key)) out = *value;
}

void read_string(JsonReader& r, std::string_view key, std::string& out) {
  if (auto value = r.optional_string(key)) out = std::move(*value);
}

void read_provider(JsonReader& r, ProviderConfig& p) {
  if (auto api = r.optional_string("api")) {
    auto kind = parse_api_kind(*api);
    if (kind) {
      p.api = *kind;
    } else {
      r.problem("api", kind.error().message);
    }
  }
  p.base_url = r.string("base_url");
  p.model = r.string("model");
  read_string(r, "credential", p.credential);
  read_string(r, "api_key_env", p.api_key_env);
  read_integer(r, "max_tokens", p.max_tokens);
  p.input_price_per_mtok = r.optional_number("input_price_per_mtok");
  p.output_price_per_mtok = r.optional_number("output_price_per_mtok");
  read_integer(r, "request_timeout_secs", p.request_timeout_secs);
  read_integer(r, "stream_idle_timeout_secs", p.stream_idle_timeout_secs);
  read_integer(r, "max_retries", p.max_retries);
}

// Collects the first problem of several readers (JsonReader keeps only its own).
class FirstProblem {
 public:
  void note(const JsonReader& r) {
    if (!first_ && !r.ok()) first_ = r.first_error();
  }
  const std::optional<Error>& error() const { return first_; }

 private:
  std::optional<Error> first_;
};

// Runs `read` on the optional object `key` of `parent`.
template <typename Fn>
void nested(JsonReader& parent, std::string_view key, FirstProblem& problems, Fn read) {
  const json* object = parent.object(key, /*required=*/false);
  problems.note(parent);
  if (!object) return;
  JsonReader child(*object, parent.child_path(key), ErrorCode::invalid_config);
  read(child);
  problems.note(child);
}

}  // namespace

json to_json(const AgentConfig& config) {
  json providers = json::object();
  for (const auto& [name, p] : config.providers)
    providers[name] = provider_to_json(p);
  json runtime = {
      {"turn_timeout_secs", config.runtime.turn_timeout_secs},
      {"max_turns", config.runtime.max_turns},
      {"system_prompt", config.runtime.system_prompt},
  };
  if (config.runtime.max_cost) runtime["max_cost"] = *config.runtime.max_cost;
  return {
      {"provider", config.provider},
      {"providers", std::move(providers)},
      {"runtime", std::move(runtime)},
      {"memory", {{"enabled", config.memory.enabled}, {"db_path", config.memory.db_path}}},
      {"tools",
       {{"shell",
         {{"enabled", config.tools.shell.enabled},
          {"timeout_secs", config.tools.shell.timeout_secs},
          {"max_output_bytes", config.tools.shell.max_output_bytes}}},
        {"files", {{"enabled", config.tools.files.enabled}}}}},
  };
}

Result<AgentConfig> agent_config_from_json(const json& input, const std::string& path) {
  AgentConfig config;
  config.source = path;
  FirstProblem problems;
  JsonReader root(input, path, ErrorCode::invalid_config);
  config.provider = root.string("provider");
  const json* providers = root.object("providers", /*required=*/true);
  problems.note(root);
  if (providers) {
    for (const auto& [name, value] : providers->items()) {
      JsonReader reader(value, detail::join_key(root.child_path("providers"), name),
                        ErrorCode::invalid_config);
      read_provider(reader, config.providers[name]);
      problems.note(reader);
    }
  }
  nested(root, "runtime", problems, [&](JsonReader& r) {
    read_integer(r, "turn_timeout_secs", config.runtime.turn_timeout_secs);
    read_integer(r, "max_turns", config.runtime.max_turns);
    config.runtime.max_cost = r.optional_number("max_cost");
    read_string(r, "system_prompt", config.runtime.system_prompt);
  });
  nested(root, "memory", problems, [&](JsonReader& r) {
    config.memory.enabled = r.boolean("enabled", config.memory.enabled);
    read_string(r, "db_path", config.memory.db_path);
  });
  nested(root, "tools", problems, [&](JsonReader& tools) {
    nested(tools, "shell", problems, [&](JsonReader& r) {
      config.tools.shell.enabled = r.boolean("enabled", config.tools.shell.enabled);
      read_integer(r, "timeout_secs", config.tools.shell.timeout_secs);
      read_integer(r, "max_output_bytes", config.tools.shell.max_output_bytes);
    });
    nested(tools, "files", problems, [&](JsonReader& r) {
      config.tools.files.enabled = r.boolean("enabled", config.tools.files.enabled);
    });
  });
  if (problems.error()) return tl::unexpected(*problems.error());
  if (auto valid = validate_agent_config(config); !valid) {
    Error error = valid.error();
    error.message = path + "." + error.message;
    return tl::unexpected(std::move(error));
  }
  return config;
}

}  // namespace oxydra
