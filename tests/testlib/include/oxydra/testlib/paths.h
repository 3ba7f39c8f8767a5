#pragma once

#include <string>

namespace oxydra::testlib {

// Directory of the project's built binaries: $OXYDRA_BIN_DIR, else the
// directory of the running test executable (they are built side by side).
std::string bin_dir();
// The source tree: $OXYDRA_SOURCE_DIR, else the tree this build came from.
std::string source_dir();
// Built guest images: $OXYDRA_IMAGES_DIR, else the build's configured place.
std::string images_dir();

}  // namespace oxydra::testlib
