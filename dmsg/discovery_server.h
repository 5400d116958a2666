// The discovery service over a host: accepts connections and answers requests.
#pragma once

#include "dmsg/discovery_store.h"
#include "dmsg/framed_conn.h"
#include "dmsg/host.h"

#include <map>

namespace dmsg {

class DiscoveryServer {
 public:
  static constexpr uint16_t kPort = 8080;
  static constexpr uint64_t kPurgeTimer = 1;
  static constexpr sim::Duration kPurgePeriod = sim::Duration::seconds(60);

  void start(Host& host);
  void on_conn_event(Host& host, const ConnEvent& event);
  void on_timer(Host& host, uint64_t timer_id);

  const DiscoveryStore& store() const { return store_; }
  // For operators and tests that plant entries directly.
  DiscoveryStore& mutable_store() { return store_; }
  uint64_t requests_answered() const { return requests_answered_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("store", store_);
    v("conns", conns_);
    v("requests_answered", requests_answered_);
  }

 private:
  // Answers every whole request received; false when the connection must be closed.
  bool serve(Host& host, FramedConn& conn);

  DiscoveryStore store_;
  std::map<ConnId, FramedConn> conns_;
  uint64_t requests_answered_ = 0;
};

}  // namespace dmsg
