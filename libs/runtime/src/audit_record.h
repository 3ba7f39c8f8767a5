#pragma once

#include <string>

#include "oxydra/memory/audit.h"
#include "oxydra/provider/chat.h"
#include "oxydra/tools/tool.h"

namespace oxydra::runtime {

// The audit line of one tool call. Arguments that are not a JSON object are
// kept as the model's raw text; the log redacts them either way.
memory::AuditRecord audit_record(const std::string& session_id, const provider::ToolCall& call,
                                 const tools::ToolOutput& output);

}  // namespace oxydra::runtime
