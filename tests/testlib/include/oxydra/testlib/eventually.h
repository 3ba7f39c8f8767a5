#pragma once

#include <chrono>
#include <functional>

namespace oxydra::testlib {

// Polls `predicate` every `interval` until it holds or `deadline` has passed;
// whether it held. Every polling loop in the tests goes through this, so none
// can wait forever.
bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds deadline,
                std::chrono::milliseconds interval = std::chrono::milliseconds(10));

}  // namespace oxydra::testlib
