// The VM link as the host's end sees a hostile guest (libs/vmlink): the frame
// decoder fed the input in two pieces must never yield a frame over the
// limit, nor one after it gave up; then a real Link reads the whole input from
// a socket and must end (end of stream or a protocol error), never crash or
// hang.

#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oxydra/vmlink/link.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace oxydra::vmlink;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = size > 0 ? data[0] % (size + 1) : 0;
  FrameDecoder decoder;
  decoder.feed(input.substr(0, cut));
  bool failed = false;
  auto drain = [&] {
    while (auto frame = decoder.next()) {
      if (failed || frame->payload.size() > kMaxPayload) std::abort();
    }
    failed = failed || !decoder.error().empty();
  };
  drain();
  decoder.feed(input.substr(cut));
  drain();

  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return 0;
  // Small inputs fit the socket buffer, so the write never blocks.
  if (size <= 64 * 1024) (void)!::write(pair[0], data, size);
  ::shutdown(pair[0], SHUT_WR);
  LinkOptions options;
  options.odd_channels = true;
  Link link(oxydra::sys::UniqueFd(pair[1]), std::move(options));
  (void)link.run();
  ::close(pair[0]);
  return 0;
}
