// The prediction rules.
#include "scenarios/world/predictions.h"

#include "dmsg/discovery_store.h"
#include "scenarios/world/delivery_bounds.h"
#include "sim/assert.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

sim::Duration offset_of(const net::Network& network, const std::string& name) {
  const std::optional<net::NodeAddress> address = network.find_node(name);
  SIM_ASSERT_MSG(address.has_value(), "no node '{}' to predict for", name);
  return network.clock_offset(*address);
}

// How far a server's clock runs ahead of discovery's (negative: behind) decides its listing.
ServerListing listing_of(sim::Duration ahead, sim::Duration transit) {
  if (sim::Duration::zero() - ahead > dmsg::DiscoveryStore::kServerClockBehind) return ServerListing::kUnlisted;
  if (ahead <= dmsg::DiscoveryStore::kServerClockAhead) return ServerListing::kListed;
  return ahead - dmsg::DiscoveryStore::kServerClockAhead > transit ? ServerListing::kUnlisted
                                                                   : ServerListing::kUncertain;
}

}  // namespace

Predictions predict(const net::Network& network, const std::vector<std::string>& servers,
                    const std::string& discovery) {
  return predict(network, servers, network.profile(), discovery);
}

Predictions predict(const net::Network& network, const std::vector<std::string>& servers,
                    const net::FaultProfile& links, const std::string& discovery) {
  Predictions out;
  const sim::Duration transit = DeliveryBounds::of(links, net::TransportOptions{}, 1).exchange(1);
  const sim::Duration discovery_offset = offset_of(network, discovery);
  for (const std::string& server : servers) {
    const sim::Duration ahead = offset_of(network, server) - discovery_offset;
    const ServerListing listing = listing_of(ahead, transit);
    out.listings.push_back(listing);
    if (listing != ServerListing::kUnlisted) continue;
    out.made.push_back({std::string(kServerClockRule), server,
                        fmt::format("its clock is {} {} discovery's: every entry it posts is refused (422), so it is "
                                    "never listed and no client opens a session to it",
                                    ahead > sim::Duration::zero() ? ahead : sim::Duration::zero() - ahead,
                                    ahead > sim::Duration::zero() ? "ahead of" : "behind")});
  }
  return out;
}

}  // namespace scenarios
