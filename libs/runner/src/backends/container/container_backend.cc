#include "backends/container/container_backend.h"

#include "backends/container/docker/docker_backend.h"
#include "backends/container/oci/oci_backend.h"

namespace oxydra::runner {

Result<std::unique_ptr<Backend>> make_container_backend(const BackendContext& context) {
  switch (context.runner.container.driver) {
    case ContainerDriver::oci:
      return make_oci_backend(context);
    case ContainerDriver::docker:
      return make_docker_backend(context);
  }
  return fail("internal", "unknown container driver");
}

}  // namespace oxydra::runner
