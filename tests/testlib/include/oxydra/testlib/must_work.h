#pragma once

#include <gtest/gtest.h>

namespace oxydra::testlib {

// True under OXYDRA_MUST_WORK=1: CI says this machine kind has every
// capability the suite needs (tiers.md), so a missing one is a failure.
bool must_work();

}  // namespace oxydra::testlib

// Skips the current test with `reason`, or fails it under OXYDRA_MUST_WORK=1.
// Use for capabilities this machine kind has; a case the kernel cannot show
// at all is plain GTEST_SKIP() with "not applicable: ...".
#define OXYDRA_SKIP(reason)                                                         \
  do {                                                                              \
    if (::oxydra::testlib::must_work()) {                                           \
      FAIL() << (reason) << " (OXYDRA_MUST_WORK=1: this machine kind must run it)"; \
    }                                                                               \
    GTEST_SKIP() << (reason);                                                       \
  } while (0)

// OXYDRA_SKIP(reason) unless `condition` holds.
#define OXYDRA_SKIP_UNLESS(condition, reason) \
  do {                                        \
    if (!(condition)) OXYDRA_SKIP(reason);    \
  } while (0)
