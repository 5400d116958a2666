// The verdict a replay of a trace re-derives, for tests of scenarios' verdicts. Header only:
// it needs the scenarios library, which only the executables that include it link.
#pragma once

#include "scenarios/replay/trace_session.h"

#include <catch2/catch.hpp>

namespace test_support {

// Through the file format, as a user's trace would come; the replay must verify and judge.
inline scenarios::Verdict replayed_verdict(const sim::TraceFile& trace) {
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(sim::encode_trace(trace));
  REQUIRE(decoded.ok());
  sim::Result<scenarios::TraceSession> session = scenarios::TraceSession::open(std::move(decoded).value());
  REQUIRE(session.ok());
  sim::Result<scenarios::ReplayOutcome> replayed = session->replay();
  REQUIRE(replayed.ok());
  REQUIRE_FALSE(replayed->divergence.has_value());
  INFO(replayed->unjudged);
  REQUIRE(replayed->verdict.has_value());
  return *replayed->verdict;
}

}  // namespace test_support
