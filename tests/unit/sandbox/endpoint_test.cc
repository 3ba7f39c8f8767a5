#include "oxydra/sandbox/endpoint.h"

#include <gtest/gtest.h>

#include "oxydra/types/startup_status.h"

namespace oxydra::sandbox {
namespace {

TEST(ParseEndpoint, AcceptsEachTransport) {
  auto unix_ep = parse_endpoint(SidecarEndpoint{"unix", "/w/alice/ipc/shell.sock"});
  ASSERT_TRUE(unix_ep) << unix_ep.error().message;
  EXPECT_EQ(unix_ep->transport, ChannelTransport::unix_socket);
  EXPECT_EQ(unix_ep->path, "/w/alice/ipc/shell.sock");
  EXPECT_EQ(unix_ep->describe(), "unix:/w/alice/ipc/shell.sock");

  auto vsock = parse_endpoint(SidecarEndpoint{"vsock", "3:5000"});
  ASSERT_TRUE(vsock) << vsock.error().message;
  EXPECT_EQ(vsock->cid, 3u);
  EXPECT_EQ(vsock->port, 5000u);

  auto fc = parse_endpoint(SidecarEndpoint{"firecracker_vsock", "/run/fc:a/v.sock:52"});
  ASSERT_TRUE(fc) << fc.error().message;
  EXPECT_EQ(fc->path, "/run/fc:a/v.sock");
  EXPECT_EQ(fc->port, 52u);

  auto serial = parse_endpoint(SidecarEndpoint{"virtio_serial", "/w/alice/ipc/shell.serial"});
  ASSERT_TRUE(serial) << serial.error().message;
  EXPECT_EQ(serial->transport, ChannelTransport::virtio_serial);
}

TEST(ParseEndpoint, UnknownTransportIsUnsupported) {
  for (const char* transport : {"tcp", "", "UNIX", "vsock "}) {
    auto parsed = parse_endpoint(SidecarEndpoint{transport, "/x"});
    ASSERT_FALSE(parsed) << transport;
    EXPECT_EQ(parsed.error().code, ErrorCode::sidecar_transport_unsupported) << transport;
  }
}

TEST(ParseEndpoint, BlankOrMalformedAddressIsInvalid) {
  const SidecarEndpoint bad[] = {
      {"unix", ""},
      {"unix", "   "},
      {"unix", "/" + std::string(200, 'x')},
      {"virtio_serial", "\t"},
      {"vsock", "5000"},
      {"vsock", "3:"},
      {"vsock", "x:5000"},
      {"vsock", "3:99999999999"},
      {"firecracker_vsock", "/run/v.sock"},
      {"firecracker_vsock", ":52"},
      {"firecracker_vsock", "/run/v.sock:port"},
  };
  for (const auto& endpoint : bad) {
    auto parsed = parse_endpoint(endpoint);
    ASSERT_FALSE(parsed) << endpoint.transport << " " << endpoint.address;
    EXPECT_EQ(parsed.error().code, ErrorCode::sidecar_endpoint_invalid) << endpoint.address;
    EXPECT_NE(parsed.error().message.find(endpoint.transport), std::string::npos);
  }
}

TEST(ParseEndpoint, TakesTheEnvelopeForm) {
  auto parsed = parse_endpoint(ChannelEndpoint{ChannelTransport::vsock, "7:1024"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->describe(), "vsock:7:1024");
}

}  // namespace
}  // namespace oxydra::sandbox
