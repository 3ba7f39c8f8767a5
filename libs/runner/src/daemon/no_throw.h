#pragma once

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace oxydra::runner {

// Completion token for coroutines that read errors as values, never as exceptions.
inline constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace oxydra::runner
