#include "audit_record.h"

#include "oxydra/logging/redact.h"

namespace oxydra::runtime {

namespace {

constexpr std::size_t kMaxErrorChars = 200;

// "code: first line of the message", short enough for an audit line; the text
// goes through the log redactor since tool output can echo anything.
std::string error_summary(const tools::ToolOutput& output) {
  std::string line = output.text.substr(0, output.text.find('\n'));
  if (line.size() > kMaxErrorChars) line = line.substr(0, kMaxErrorChars) + "...";
  std::string code = output.metadata.error_code.empty() ? "error" : output.metadata.error_code;
  return logging::redact(code + ": " + line);
}

}  // namespace

memory::AuditRecord audit_record(const std::string& session_id, const provider::ToolCall& call,
                                 const tools::ToolOutput& output) {
  memory::AuditRecord record;
  record.session_id = session_id;
  record.tool = call.name;
  auto args = nlohmann::json::parse(call.arguments, nullptr, /*allow_exceptions=*/false);
  record.arguments = args.is_object() ? std::move(args) : nlohmann::json(call.arguments);
  const tools::ToolMetadata& m = output.metadata;
  record.exit_code = m.exit_code;
  if (output.is_error) record.error = error_summary(output);
  record.duration_ms = static_cast<std::int64_t>(m.duration_ms);
  if (m.exit_code || m.signal || m.stdout_bytes > 0 || m.stderr_bytes > 0) {
    record.stdout_bytes = m.stdout_bytes;
    record.stderr_bytes = m.stderr_bytes;
  }
  record.output_bytes = m.output_bytes;
  return record;
}

}  // namespace oxydra::runtime
