#include "container_backend.h"

namespace oxydra::runner {

Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context) {
  return fail("tier_unavailable", "the container tier (driver " +
                                      std::string(to_string(context.runner.container.driver)) +
                                      ") is not implemented yet in this build");
}

}  // namespace oxydra::runner
