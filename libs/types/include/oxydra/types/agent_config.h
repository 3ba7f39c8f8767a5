#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oxydra/types/error.h"

namespace oxydra {

// The agent's configuration (agent.toml). It describes oxydra-vm only and
// travels to it as JSON inside the bootstrap envelope (agent_config_json.h), so
// it holds no host paths: memory.db_path is relative to the user's workspace.

enum class ApiKind { openai_chat, anthropic };

std::string_view to_string(ApiKind api);
// Accepts "openai_chat" or "anthropic"; error code "invalid_value".
Result<ApiKind> parse_api_kind(std::string_view text);

// [providers.<name>]
struct ProviderConfig {
  ApiKind api = ApiKind::openai_chat;          // wire format of the API
  std::string base_url;                        // required: http(s)://host[:port][/path]
  std::string model;                           // required: model id sent to the API
  std::string credential;                      // credential_refs name of the API key; "" = none
  std::string api_key_env;                     // direct (no runner) mode only: env var with the key
  std::int64_t max_tokens = 4096;              // output tokens per model call
  std::optional<double> input_price_per_mtok;  // price per million input tokens
  std::optional<double> output_price_per_mtok;  // price per million output tokens
  std::int64_t request_timeout_secs = 120;      // connect until the first response byte
  std::int64_t stream_idle_timeout_secs = 60;   // longest silence inside a stream
  std::int64_t max_retries = 3;                 // on 429, 5xx and connection errors

  bool operator==(const ProviderConfig&) const = default;
};

// [runtime]: guards for answering one user message (one turn).
struct RuntimeLimits {
  std::int64_t turn_timeout_secs = 600;  // wall-clock limit of a turn
  std::int64_t max_turns = 32;           // model calls within a turn
  std::optional<double> max_cost;        // cost limit of a turn, in the prices' currency
  std::string system_prompt;             // "" = the built-in prompt

  bool operator==(const RuntimeLimits&) const = default;
};

// [memory]
struct MemoryConfig {
  bool enabled = true;                         // keep conversations in SQLite
  std::string db_path = "internal/memory.db";  // relative to the user's workspace

  bool operator==(const MemoryConfig&) const = default;
};

// [tools.shell]
struct ShellToolConfig {
  bool enabled = true;                    // offer shell_exec (if the tier has a shell)
  std::int64_t timeout_secs = 120;        // default command timeout
  std::int64_t max_output_bytes = 65536;  // output kept per command

  bool operator==(const ShellToolConfig&) const = default;
};

// [tools.files]
struct FileToolsConfig {
  bool enabled = true;  // offer file_read, file_write, file_edit, file_list

  bool operator==(const FileToolsConfig&) const = default;
};

// [tools]
struct ToolsConfig {
  ShellToolConfig shell;
  FileToolsConfig files;

  bool operator==(const ToolsConfig&) const = default;
};

struct AgentConfig {
  std::string source;    // where it came from, for messages (not a key, not sent)
  std::string provider;  // required: the key of the provider to use
  std::map<std::string, ProviderConfig> providers;  // at least one
  RuntimeLimits runtime;
  MemoryConfig memory;
  ToolsConfig tools;

  // The provider named by `provider`; only on a validated config.
  const ProviderConfig& selected_provider() const { return providers.at(provider); }

  bool operator==(const AgentConfig&) const = default;
};

inline constexpr std::int64_t kMaxShellOutputBytes = std::int64_t{4} * 1024 * 1024;

// Every rule that is not about types: non-empty names, the selection exists,
// URL shape, positive limits, max_cost needs prices... Messages are
// "<key>: <reason>" relative to the config root (callers add the source).
Result<void> validate_agent_config(const AgentConfig& config);

// Reads and validates agent.toml; errors read "<path>: <key>: <reason>".
Result<AgentConfig> load_agent_config(const std::filesystem::path& path);

// The same from text. There is no base_dir: the agent config has no host paths.
Result<AgentConfig> parse_agent_config(std::string_view text, std::string_view source_name);

}  // namespace oxydra
