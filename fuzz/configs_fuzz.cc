// The TOML config loaders (runner.toml, a user's config, an agent config):
// users may write the latter two, so any text must give a config or an error
// naming the file and key, never a crash. The first byte picks the loader.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oxydra/types/agent_config.h"
#include "oxydra/types/runner_config.h"
#include "oxydra/types/user_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto config = oxydra::parse_runner_config(text, "runner.toml", "/etc/oxydra");
      if (!config && config.error().message.empty()) __builtin_trap();
      break;
    }
    case 1: {
      auto config = oxydra::parse_user_config(text, "users/alice.toml", "/etc/oxydra/users");
      if (!config && config.error().message.empty()) __builtin_trap();
      break;
    }
    default: {
      auto config = oxydra::parse_agent_config(text, "agent.toml");
      if (!config && config.error().message.empty()) __builtin_trap();
      break;
    }
  }
  return 0;
}
