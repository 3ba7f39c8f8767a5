#include "container_backend.h"

#include "oci_backend.h"

namespace oxydra::runner {

Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context) {
  switch (context.runner.container.driver) {
    case ContainerDriver::oci:
      return make_oci_backend(context);
    case ContainerDriver::docker:
      break;
  }
  return fail("tier_unavailable",
              "the container tier's docker driver is not implemented yet in this build; set "
              "[container] driver = \"oci\" in " +
                  context.runner.source);
}

}  // namespace oxydra::runner
