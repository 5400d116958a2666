// Node addresses and directed links of the virtual network.
#pragma once

#include "sim/fmt.h"

#include <compare>
#include <cstdint>
#include <string>

namespace net {

// A node's address on the virtual network: a dense index handed out by the Network.
enum class NodeAddress : uint32_t {};

constexpr uint32_t to_index(NodeAddress a) { return static_cast<uint32_t>(a); }

// A directed link: packets from `src` to `dst`.
struct LinkKey {
  NodeAddress src{};
  NodeAddress dst{};

  friend auto operator<=>(const LinkKey&, const LinkKey&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("src", src);
    v("dst", dst);
  }
};

// "3>7": the key text of a link in JSON dumps.
inline std::string json_key(const LinkKey& key) { return fmt::format("{}>{}", to_index(key.src), to_index(key.dst)); }

}  // namespace net

template <>
struct fmt::formatter<net::NodeAddress> : fmt::formatter<uint32_t> {
  template <class Context>
  auto format(net::NodeAddress a, Context& ctx) const {
    return fmt::formatter<uint32_t>::format(net::to_index(a), ctx);
  }
};
