// The shrinker's parts on their own: ddmin, number search, units, node edits, profile specs.
#include "tests/support/test_main.h"

#include "net/profile_knobs.h"
#include "scenarios/shrink/ddmin.h"
#include "scenarios/shrink/node_edits.h"
#include "scenarios/shrink/search.h"
#include "scenarios/shrink/units.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

namespace {

using namespace scenarios;
using namespace scenarios::shrink;

FaultInput input(const std::string& text) {
  sim::Result<FaultInput> parsed = parse_fault(text);
  INFO(text);
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// A small chaos run: 2 servers, 3 clients, two streams with writes, a restart, a partition.
Candidate small_run() {
  chaos::ChaosConfig config;
  config.servers = 2;
  config.clients = 3;
  Candidate c;
  c.scenario = "chaos";
  c = with_chaos_config(c, config);
  for (const char* text :
       {"0ns command c0 handling accept read", "1.001s command c0 dial c1 1", "2.001s command c0 write 1 dialer 500",
        "2.001s command c2 dial c1 2", "3.001s kill c1", "3.001s command c2 write 2 acceptor 70",
        "4.001s partition c2|s0,s1", "5.001s restart c1", "5.001s command c1 handling no-accept read",
        "6.001s command c1 write 1 acceptor 9 close", "7.001s heal"}) {
    c.inputs.push_back(input(text));
  }
  return c;
}

}  // namespace

TEST_CASE("shrink: parts: ddmin finds the two items a failure needs") {
  uint64_t tests = 0;
  const std::vector<size_t> kept = ddmin(40, [&](const std::vector<size_t>& some) {
    ++tests;
    return std::binary_search(some.begin(), some.end(), size_t{7}) &&
           std::binary_search(some.begin(), some.end(), size_t{31});
  });
  CHECK(kept == std::vector<size_t>{7, 31});
  CHECK(tests < 100);
  CHECK(ddmin(5, [](const std::vector<size_t>&) { return true; }).empty());
}

TEST_CASE("shrink: parts: the number search returns a failing value near the smallest") {
  const NumberSearch found = smallest_failing(0, 1000, [](int64_t v) { return v >= 300; });
  CHECK(found.value >= 300);
  CHECK(found.value < 320);
  REQUIRE(found.passes_at);
  CHECK(*found.passes_at < 300);
  CHECK(smallest_failing(0, 1000, [](int64_t) { return true; }).value == 0);
}

TEST_CASE("shrink: parts: a write is never without its dial, a restart goes with its stop") {
  const Candidate c = small_run();
  const std::vector<Unit> units = units_of(c.inputs);
  std::set<size_t> seen;
  for (const Unit& u : units) {
    for (const size_t i : u.members) CHECK(seen.insert(i).second);  // every input in one unit
  }
  CHECK(seen.size() == c.inputs.size());
  // The dial of stream 1 heads a unit with both its writes; the kill, the restart and its
  // handling are one; the partition and the heal are one.
  const auto unit_of = [&](size_t head) {
    return std::find_if(units.begin(), units.end(), [&](const Unit& u) { return u.head() == head; })->members;
  };
  CHECK(unit_of(1) == std::vector<size_t>{1, 2, 9});
  CHECK(unit_of(3) == std::vector<size_t>{3, 5});
  CHECK(unit_of(4) == std::vector<size_t>{4, 7, 8});
  CHECK(unit_of(6) == std::vector<size_t>{6, 10});
  // Removing any one input with what depends on it never leaves a write without its dial.
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    Candidate removed = c;
    removed.inputs = without(c.inputs, with_dependents(c.inputs, units, i));
    CHECK_FALSE(orphan_write(removed));
  }
  CHECK(with_dependents(c.inputs, units, 7) == std::vector<size_t>{7, 8});  // a restart takes its handling
}

TEST_CASE("shrink: parts: removing and merging clients renames them and keeps their keys") {
  const Candidate c = small_run();
  // Without c0: its dial and the writes on that stream go; c1 and c2 become c0 and c1.
  const Candidate two = keep_nodes(c, NodeRole::kClient, {1, 2});
  CHECK_FALSE(orphan_write(two));
  CHECK(chaos_config_of(two).clients == 2);
  CHECK(chaos_config_of(two).identities == std::map<std::string, std::string>{{"c0", "c1"}, {"c1", "c2"}});
  std::vector<std::string> texts;
  for (const FaultInput& in : two.inputs) texts.push_back(in.text);
  CHECK(texts == std::vector<std::string>{"2.001s command c1 dial c0 2", "3.001s kill c0",
                                          "3.001s command c1 write 2 acceptor 70", "4.001s partition c1|s0,s1",
                                          "5.001s restart c0", "5.001s command c0 handling no-accept read",
                                          "7.001s heal"});
  // c2 merged into c0: c0 dials c1 twice.
  const Candidate merged = merge_clients(c, 0, 2);
  CHECK(chaos_config_of(merged).clients == 2);
  CHECK_FALSE(orphan_write(merged));
  CHECK(merged.inputs[3].text == "2.001s command c0 dial c1 2");
  // Without server s0 the partition's side keeps s1 (named s0 now, with s1's keys).
  const Candidate one_server = keep_nodes(c, NodeRole::kServer, {1});
  CHECK(chaos_config_of(one_server).identities.at("s0") == "s1");
  CHECK(one_server.inputs[6].text == "4.001s partition c2|s0");
}

TEST_CASE("shrink: parts: profile specs set knobs, and a spec names what differs") {
  sim::Rng rng = sim::Rng::stream(1, "net/profile");
  const sim::Result<net::FaultProfile> spec = net::make_profile_spec("hostile,loss=1/10,latency_mean=5ms", rng);
  REQUIRE(spec.ok());
  CHECK(spec->link.loss == sim::Ratio(1, 10));
  CHECK(spec->link.latency_mean == sim::Duration::milliseconds(5));
  CHECK(spec->link.duplication == sim::Ratio(10, 100));  // hostile's own
  const net::FaultProfile hostile = net::make_profile_spec("hostile", rng).value();
  CHECK(net::profile_spec("hostile", hostile, *spec) == "hostile,latency_mean=5ms,loss=1/10");
  CHECK(net::profile_spec("hostile", hostile, hostile) == "hostile");
  for (const char* bad : {"hostile,loss", "hostile,nope=1", "hostile,loss=2", "calm,latency_min=5", "calm,mtu=0",
                          "calm,clog_min=5s,clog_max=1s", "gentle"}) {
    INFO(bad);
    CHECK_FALSE(net::make_profile_spec(bad, rng).ok());
  }
}
