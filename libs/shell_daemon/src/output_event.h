#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "byte_buffer.h"
#include "out_frame.h"
#include "output_sink.h"

namespace oxydra::shell_daemon {

// Appends `text` as the inside of a JSON string. `text` must be valid UTF-8.
void append_json_escaped(std::string& out, std::string_view text);
std::size_t json_escaped_size(std::string_view text);

// Appends a framed `output` event to `out`, built directly rather than through a JSON DOM: it
// is the daemon's hot path when a command streams. `request_id_json` is the
// request id already encoded as a JSON string (quotes included). With
// `base64`, `data` is any bytes and goes out base64-encoded with
// "encoding":"base64"; without, it must be valid UTF-8 and is escaped.
void append_output_event(ByteBuffer& out, std::string_view request_id_json, StreamKind stream,
                         std::string_view data, std::uint64_t offset, bool base64 = false);
OutFrame encode_output_event(std::string_view request_id_json, StreamKind stream,
                             std::string_view data, std::uint64_t offset, bool base64 = false);

}  // namespace oxydra::shell_daemon
