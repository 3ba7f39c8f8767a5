#pragma once

#include <string>

#include "oxydra/provider/settings.h"
#include "oxydra/types/agent_config.h"

namespace oxydra::runtime {

// The provider client settings for one configured provider. `api_key` is the
// resolved secret (from the bootstrap envelope, or the environment in direct
// mode); it only ever travels inside the returned settings.
provider::ProviderSettings provider_settings(const ProviderConfig& config, std::string api_key);

}  // namespace oxydra::runtime
