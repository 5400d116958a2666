// Predictions: outcomes a protocol rule fixes before a run starts, computed from its
// configuration and the knobs its network drew. A check then requires the predicted
// outcome instead of excusing what it sees: "the network was bad" is never a prediction.
// README, "Predictions", lists every rule.
#pragma once

#include "net/network.h"

#include <string>
#include <vector>

namespace scenarios {

struct Prediction {
  std::string rule;     // e.g. "server-clock-outside-discovery-window"
  std::string node;     // the node it is about, e.g. "s1"
  std::string outcome;  // what must be observed, for people

  template <class Visitor>
  void visit(Visitor& v) {
    v("rule", rule);
    v("node", node);
    v("outcome", outcome);
  }
};

// Discovery stores a server's entry only when its timestamp lies within [discovery's clock
// - 1 min, + 5 s] at arrival (dmsg/discovery_store.h). A server whose clock is more than
// 1 min behind discovery's is never listed. One ahead by more than 5 s is refused unless
// its post spends the excess in transit: it is certainly refused only when the excess is
// more than `transit`, the longest a post may travel; between the two it may be listed
// now and then, and nothing is predicted (ServerListing::kUncertain).
inline constexpr std::string_view kServerClockRule = "server-clock-outside-discovery-window";
enum class ServerListing : uint8_t { kListed, kUnlisted, kUncertain };

struct Predictions {
  std::vector<Prediction> made;         // the outcomes a run must observe
  std::vector<ServerListing> listings;  // per server, in the order given to predict()
};

// Every prediction for a world of `servers` (by node name) and the discovery node. A post
// crosses one link and is answered: one relayed round trip and its recovery bound its
// transit (DeliveryBounds::exchange(1) of the network's profile).
Predictions predict(const net::Network& network, const std::vector<std::string>& servers,
                    const std::string& discovery = "discovery");
// The same with the posts crossing links of `links` instead of the network's own profile
// (after a heal: net::calmed(profile)).
Predictions predict(const net::Network& network, const std::vector<std::string>& servers,
                    const net::FaultProfile& links, const std::string& discovery = "discovery");

}  // namespace scenarios
