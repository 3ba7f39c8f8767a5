#pragma once

#include <optional>
#include <string>

#include "oxydra/testlib/fake_llm_server.h"

namespace oxydra::testlib::wire {

// Blocking HTTP/1.1 I/O for the fake LLM server. Every wait also watches
// `stop_fd`, so a stopping server never hangs on a client.

// Reads one request (Content-Length bodies; answers Expect: 100-continue).
// `buffer` carries bytes of a pipelined next request. nullopt: closed or stopped.
std::optional<RecordedRequest> read_request(int fd, int stop_fd, std::string& buffer);

// Writes `response` with its framing, delays and stall. False when the
// connection must close afterwards (close framing, stall, or a write failed).
bool write_response(int fd, int stop_fd, const ScriptedResponse& response);

}  // namespace oxydra::testlib::wire
