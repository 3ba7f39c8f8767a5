#pragma once

#include <memory>
#include <string>

#include "oxydra/sandbox/status.h"
#include "oxydra/types/error.h"

namespace oxydra::sandbox {

struct BrowserPage {
  std::string url{};
  std::string title{};
  std::string text{};
};

// A browser driven by the agent's browser tools. No backend exists yet, so
// the only implementation reports itself unavailable.
class BrowserSession {
 public:
  virtual ~BrowserSession() = default;
  virtual Availability status() const = 0;
  virtual Result<BrowserPage> navigate(const std::string& url) = 0;
  virtual Result<void> close() = 0;
};

// A session whose status is `reason` and whose calls fail with its code.
std::unique_ptr<BrowserSession> unavailable_browser_session(Availability reason);
// The default: unavailable, code browser_unavailable (no backend yet).
std::unique_ptr<BrowserSession> make_browser_session();

}  // namespace oxydra::sandbox
