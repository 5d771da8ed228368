// Waiting in tests for what another thread or process does: a condition polled until it holds or a
// deadline passes, never a fixed sleep followed by an assertion that something did not happen.
#pragma once

#include <chrono>
#include <thread>

namespace liaison::testing {

/// Polls `condition` every millisecond until it holds (true) or `limit` has passed (false).
template <typename Condition>
bool waitUntil(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace liaison::testing
