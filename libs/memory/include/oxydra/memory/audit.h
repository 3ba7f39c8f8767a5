#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "oxydra/types/error.h"

namespace oxydra::memory {

// One tool call, as the runtime reports it.
struct AuditRecord {
  std::string session_id;
  std::string tool;
  nlohmann::json arguments = nlohmann::json::object();  // redacted when written
  std::optional<int> exit_code;                         // commands
  std::optional<std::string> error;                     // tool error, if it failed
  std::int64_t duration_ms = 0;
  std::optional<std::uint64_t> stdout_bytes;
  std::optional<std::uint64_t> stderr_bytes;
  std::optional<std::uint64_t> output_bytes;                  // tools without separate streams
  std::optional<std::chrono::system_clock::time_point> time;  // default: now
};

// Append-only JSON lines (the agent uses `<workspace>/<user>/internal/audit.jsonl`),
// one object per tool call:
//
//   {"seq":1,"ts":"2024-05-01T12:00:00.123Z","session_id":"...","tool":"shell_exec",
//    "arguments":{...},"exit_code":0,"duration_ms":12,"stdout_bytes":5,"stderr_bytes":0,
//    "prev_hash":"<64 hex>","hash":"<64 hex>"}
//
// `prev_hash` is the SHA-256 of the previous line's exact bytes (without its
// newline; 64 zeros on the first line), so removing, reordering or editing a
// line breaks the chain at the next one. `hash` is the SHA-256 of the line's
// own bytes with the `,"hash":"..."` member removed; it is always the last
// member, and it catches an edit of the final line, which no later line covers.
//
// Arguments are redacted before they are written: registered secrets
// (logging::register_secret) are replaced in every string, values of
// secret-looking keys (api_key, token, password, authorization, secret, ...)
// are replaced whole, and strings over 2 KiB are cut (file contents do not
// belong in an audit trail).
//
// Durability: each line goes out in one write(2) on an O_APPEND descriptor and,
// unless `sync` is off, is fdatasync'ed before append() returns: a tool call
// costs far more than a sync, and an audit trail should survive power loss.
// One writer per file (flock); append() is thread-safe.
class AuditLog {
 public:
  struct Options {
    bool sync = true;
  };

  // Creates the file (0600) or continues the chain from its last line.
  static Result<AuditLog> open(const std::string& path, Options options);
  static Result<AuditLog> open(const std::string& path) { return open(path, Options{}); }

  AuditLog(AuditLog&&) noexcept;
  AuditLog& operator=(AuditLog&&) noexcept;
  ~AuditLog();

  // Writes one line; returns its seq. After a failed write the log refuses
  // further appends rather than risk a broken chain.
  Result<std::uint64_t> append(const AuditRecord& record);

  const std::string& path() const;
  std::uint64_t last_seq() const;
  // SHA-256 of the last line (zeros when empty): an anchor to keep elsewhere,
  // since the chain alone cannot show that lines were cut off the end.
  std::string last_hash() const;

  class Impl;

 private:
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct AuditSummary {
  std::uint64_t lines = 0;
  std::string last_hash;  // 64 zeros for an empty log
};

// Checks every line and the chain. The error (code `audit_tampered`, or `io`)
// names the first bad line: "audit.jsonl:17: hash chain broken (prev_hash does
// not match line 16)".
Result<AuditSummary> verify_audit_log(const std::string& path);

// The redaction applied to arguments (exposed for tests and for callers that
// log arguments elsewhere).
nlohmann::json redact_arguments(const nlohmann::json& arguments);

}  // namespace oxydra::memory
