// The prediction rules.
#include "scenarios/world/predictions.h"

#include "dmsg/discovery_store.h"
#include "sim/assert.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

sim::Duration offset_of(const net::Network& network, const std::string& name) {
  const std::optional<net::NodeAddress> address = network.find_node(name);
  SIM_ASSERT_MSG(address.has_value(), "no node '{}' to predict for", name);
  return network.clock_offset(*address);
}

}  // namespace

ServerListing server_listing(const net::Network& network, const std::string& server, const std::string& discovery,
                             sim::Duration transit) {
  const sim::Duration ahead = offset_of(network, server) - offset_of(network, discovery);
  if (sim::Duration::zero() - ahead > dmsg::DiscoveryStore::kServerClockBehind) return ServerListing::kUnlisted;
  if (ahead <= dmsg::DiscoveryStore::kServerClockAhead) return ServerListing::kListed;
  return ahead - dmsg::DiscoveryStore::kServerClockAhead > transit ? ServerListing::kUnlisted
                                                                   : ServerListing::kUncertain;
}

std::vector<Prediction> predict(const net::Network& network, const std::vector<std::string>& servers,
                                sim::Duration transit, const std::string& discovery) {
  std::vector<Prediction> out;
  for (const std::string& server : servers) {
    if (server_listing(network, server, discovery, transit) != ServerListing::kUnlisted) continue;
    const sim::Duration ahead = offset_of(network, server) - offset_of(network, discovery);
    out.push_back({std::string(kServerClockRule), server,
                   fmt::format("its clock is {} {} discovery's: every entry it posts is refused (422), so it is "
                               "never listed and no client opens a session to it",
                               ahead > sim::Duration::zero() ? ahead : sim::Duration::zero() - ahead,
                               ahead > sim::Duration::zero() ? "ahead of" : "behind")});
  }
  return out;
}

}  // namespace scenarios
