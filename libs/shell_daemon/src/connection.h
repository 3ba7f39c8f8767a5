#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <nlohmann/json.hpp>

#include "byte_buffer.h"
#include "command.h"
#include "notifier.h"
#include "output_sink.h"
#include "oxydra/types/frame.h"
#include "server_context.h"

namespace oxydra::shell_daemon {

// One client stream (a Unix or vsock socket, or a serial port). Requests are
// read and dispatched as they arrive; replies and events go through a bounded
// outgoing queue: while it is full, reading stops (requests wait in the
// socket) and streaming commands stop reading their pipes. The queue is two
// byte buffers: frames are encoded straight into one while the other is being
// written, so a streamed chunk is copied once (escaped) before the socket.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `half_close`: after the peer shuts down its sending side, replies to
  // requests still running are delivered before closing (sockets). A serial
  // port has no half-close: EOF there means the peer is gone.
  Connection(asio::posix::stream_descriptor stream, ServerContext& context, std::string peer,
             bool half_close);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // Stops reading, sends what is queued, then closes.
  void close_after_flush();
  // Closes now, dropping whatever is queued.
  void close();
  bool closed() const { return closed_ || closing_; }
  bool fully_closed() const { return closed_; }
  // Resolves when the connection has fully closed.
  asio::awaitable<void> wait_closed();

  ServerContext& context() { return context_; }
  const std::string& peer() const { return peer_; }
  // Whether the client sent `hello`: one that did not is taken to be the
  // original daemon's client and gets its reply shapes (protocol.md §4.2).
  void mark_hello() { said_hello_ = true; }
  bool said_hello() const { return said_hello_; }
  // Set by a hello that offered base64: output events then carry raw bytes.
  void use_base64_output() { base64_output_ = true; }
  bool base64_output() const { return base64_output_; }

  void send(std::string_view op, const nlohmann::json& payload);
  void send_error(const std::optional<std::string>& request_id, ErrorCode code,
                  std::string_view message);
  // An `output` event: waits while the queue is over its limit. Drops the
  // event (returns false) once the connection is closing or `abandoned` is set.
  asio::awaitable<bool> send_output(std::string_view request_id_json, StreamKind stream,
                                    std::string_view data, std::uint64_t offset,
                                    const bool& abandoned, bool base64 = false);
  // Wakes output senders so they re-check their `abandoned` flag.
  void wake_senders() { space_.notify_all(); }

  // Requests answered later (exec_command, a waiting stream_output or
  // kill_session). Reading pauses while too many are open.
  void begin_request();
  void end_request();

  // exec_command requests in flight on this connection, for `cancel`.
  bool track(const std::string& request_id, const std::shared_ptr<Command>& command);
  void untrack(const std::string& request_id);
  std::shared_ptr<Command> tracked(const std::string& request_id) const;

 private:
  asio::awaitable<void> read_loop(std::shared_ptr<Connection> self);
  asio::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  void enqueue(std::string_view frame);
  std::size_t queued_bytes() const { return pending_.size() + writing_.size(); }
  void on_read_end();

  asio::posix::stream_descriptor stream_;
  ServerContext& context_;
  std::string peer_;
  bool half_close_;
  FrameDecoder decoder_;
  ByteBuffer pending_;  // frames not yet handed to the socket
  ByteBuffer writing_;  // the frames being written
  std::size_t open_requests_ = 0;
  std::map<std::string, std::weak_ptr<Command>> inflight_;
  bool read_ended_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool said_hello_ = false;
  bool base64_output_ = false;
  Notifier writer_wake_;
  Notifier space_;
  Notifier closed_event_;
};

}  // namespace oxydra::shell_daemon
