// dmsg end to end: sequential dials and one bulk stream, against their crypto ceilings.
#include "dmsg/stream_crypto.h"
#include "dmsg/stream_request.h"
#include "scenarios/bench/bench.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/workloads/bulk_client.h"
#include "scenarios/world/dmsg_assembly.h"
#include "sim/fmt.h"
#include "sim/world.h"

namespace scenarios::bench {
namespace {

constexpr uint32_t kDials = 2000;
constexpr uint64_t kStreamBytes = 256ULL << 20;

// Discovery, one server, "rx" listening on port 9 and "tx" dialing it: `streams` streams
// of `bytes` each, one after another, on the calm profile.
struct BulkWorld {
  sim::World world{sim::WorldOptions{1, sim::Duration::milliseconds(1)}, all_actor_types()};
  sim::ActorId tx{};
  sim::ActorId rx{};

  BulkWorld(uint32_t streams, uint64_t bytes) {
    sim::Rng unused = sim::Rng::stream(0, "bench");
    const DmsgCluster cluster = spawn_dmsg_cluster(world, net::make_profile("calm", unused).value(), 1);
    run_for(sim::Duration::seconds(1));  // the server is in discovery before clients look
    BulkSettings receiver;
    receiver.listen_port = 9;
    rx = add_client<BulkClient>(world, cluster.network, "rx", dmsg::ClientOptions{}, receiver);
    BulkSettings sender;
    sender.peer = node_identity(world.seed(), "rx").public_key();
    sender.peer_port = 9;
    sender.streams = streams;
    sender.bytes_per_stream = bytes;
    sender.start_after = sim::Duration::seconds(2);
    tx = add_client<BulkClient>(world, cluster.network, "tx", dmsg::ClientOptions{}, sender);
    run_for(sender.start_after);  // up to the first dial
  }
  void run_for(sim::Duration d) {
    const sim::Instant end = world.now() + d;
    world.run_until([&](const sim::World& w) { return w.now() >= end; }, 100'000'000);
  }
  const BulkStats& sent() const { return world.actor_as<BulkClient>(tx).stats(); }
  const BulkStats& received() const { return world.actor_as<BulkClient>(rx).stats(); }
  // Wall seconds until every stream was received and verified.
  double run_to_end(uint32_t streams) {
    const int64_t start = cli::wall_now_ns();
    const bool done =
        world.run_until([&](const sim::World&) { return received().streams_received >= streams; }, 100'000'000);
    const double seconds = seconds_since(start);
    std::string errors;
    for (const auto& [code, count] : sent().dial_errors) errors += fmt::format(" {}x{}", count, code);
    SIM_ASSERT_MSG(done && sent().dials_failed == 0 && received().mismatches == 0,
                   "the dmsg benchmark run failed: {} dials failed ({}), {} bytes mismatched", sent().dials_failed,
                   errors, received().mismatches);
    return seconds;
  }
};

// The cryptography one dial needs, nothing else: the signed request and response (signed
// once, verified at the server and at the other end each), the KK handshake, and the
// session records that carry the two objects on each hop.
double dial_crypto_ceiling() {
  sim::Rng rng = sim::Rng::stream(1, "bench/dial-crypto");
  const dmsg::Identity a = dmsg::Identity::generate(rng);
  const dmsg::Identity b = dmsg::Identity::generate(rng);
  dmsg::CipherState hop;
  hop.initialize_key(dmsg::random_key(rng));
  constexpr int kRounds = 1000;
  const int64_t start = cli::wall_now_ns();
  for (int i = 0; i < kRounds; ++i) {
    auto initiator = dmsg::StreamHandshake::initiator(a, b.public_key());
    auto responder = dmsg::StreamHandshake::responder(b, a.public_key());
    dmsg::StreamRequest request;
    request.timestamp = i + 1;
    request.src = dmsg::Address{a.public_key(), 50000};
    request.dst = dmsg::Address{b.public_key(), 9};
    request.noise_message = initiator->first_message(rng).value();
    const sim::Bytes signed_request = dmsg::sign_request(request, a);
    dmsg::RecordSealer sealer(hop);
    dmsg::RecordOpener opener(hop);
    uint8_t record[dmsg::kRecordMaxBytes];
    uint8_t opened[dmsg::kRecordMaxBytes];
    for (int leg = 0; leg < 2; ++leg) {  // dialer to server, server to responder
      const size_t size = sealer.seal(signed_request.data(), signed_request.size(), record);
      SIM_ASSERT(!opener.open(record, size, opened).error);
      SIM_ASSERT(!dmsg::decode_request(signed_request).error);
    }
    dmsg::StreamResponse response;
    response.request_hash = dmsg::hash_of(signed_request);
    response.accepted = true;
    response.noise_message = responder->answer(request.noise_message, rng).value();
    const sim::Bytes signed_response = dmsg::sign_response(response, b);
    for (int leg = 0; leg < 2; ++leg) {
      const size_t size = sealer.seal(signed_response.data(), signed_response.size(), record);
      SIM_ASSERT(!opener.open(record, size, opened).error);
      SIM_ASSERT(!dmsg::decode_response(signed_response, b.public_key()).error);
    }
    SIM_ASSERT(dmsg::hash_of(signed_request) == response.request_hash);
    SIM_ASSERT(initiator->finish(response.noise_message).ok());
  }
  return kRounds / seconds_since(start);
}

// Sealing at one end and opening at the other, per MiB of stream data.
double stream_crypto_ceiling() {
  sim::Rng rng = sim::Rng::stream(1, "bench/stream-crypto");
  dmsg::CipherState key;
  key.initialize_key(dmsg::random_key(rng));
  dmsg::RecordStream sender(key, key);
  dmsg::RecordStream receiver(key, key);
  const sim::Bytes chunk(16 * 1024, 0x33);
  constexpr int kChunks = 4096;  // 64 MiB
  sim::ByteQueue wire;
  sim::ByteQueue plaintext;
  uint8_t buffer[16 * 1024];
  const int64_t start = cli::wall_now_ns();
  for (int i = 0; i < kChunks; ++i) {
    for (size_t at = 0; at < chunk.size(); at += dmsg::kRecordMaxPlaintext) {
      sender.seal(chunk.data() + at, std::min(dmsg::kRecordMaxPlaintext, chunk.size() - at), wire);
    }
    while (!wire.empty()) {
      const size_t n = wire.copy_out(0, buffer, sizeof buffer);
      wire.consume(n);
      SIM_ASSERT(!receiver.receive(buffer, n, plaintext).has_value());
    }
    plaintext.consume(plaintext.size());
  }
  return static_cast<double>(kChunks) * chunk.size() / (1 << 20) / seconds_since(start);
}

}  // namespace

std::vector<Figure> run_dmsg_group() {
  std::vector<Figure> figures;
  {
    BulkWorld dials(kDials, 0);
    const double seconds = dials.run_to_end(kDials);
    figures.push_back({"dials_per_s", kDials / seconds, "sequential dial + close per wall second (calm)"});
  }
  const double ceiling = dial_crypto_ceiling();
  figures.push_back({"dial_crypto_ceiling_per_s", ceiling, "dials/s the dial's cryptography alone allows"});
  figures.push_back({"dials_percent_of_ceiling", figures[0].value / ceiling * 100, "% (target >= 60)"});
  {
    BulkWorld stream(1, kStreamBytes);
    const double seconds = stream.run_to_end(1);
    figures.push_back({"stream_mib_per_s", static_cast<double>(kStreamBytes) / (1 << 20) / seconds,
                       "MiB per wall second through one stream (calm; target >= 200)"});
  }
  figures.push_back(
      {"stream_crypto_ceiling_mib_per_s", stream_crypto_ceiling(), "MiB/s of sealing plus opening records alone"});
  return figures;
}

}  // namespace scenarios::bench
