#include "oxydra/sandbox/browser_session.h"

namespace oxydra::sandbox {

namespace {

class UnavailableBrowserSession final : public BrowserSession {
 public:
  explicit UnavailableBrowserSession(Availability reason) : reason_(std::move(reason)) {
    reason_.available = false;
  }
  Availability status() const override { return reason_; }
  Result<BrowserPage> navigate(const std::string& url) override {
    return fail(error_code_from_string(reason_.code), "browse " + url + ": " + reason_.detail);
  }
  Result<void> close() override { return {}; }

 private:
  Availability reason_;
};

}  // namespace

std::unique_ptr<BrowserSession> unavailable_browser_session(Availability reason) {
  return std::make_unique<UnavailableBrowserSession>(std::move(reason));
}

std::unique_ptr<BrowserSession> make_browser_session() {
  return unavailable_browser_session(
      // Not a §3 degraded code: the browser has no backend yet, sidecar or not.
      Availability::unavailable(ErrorCode::browser_unavailable,
                                "no browser backend is implemented yet"));
}

}  // namespace oxydra::sandbox
