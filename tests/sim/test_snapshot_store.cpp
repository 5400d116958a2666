// The snapshot store: content-defined pieces, sharing between snapshots, rebuilding every
// kept tick exactly, and a file form that refuses corrupt input.
#include "tests/sim/world_fixture.h"

#include "sim/byte_queue.h"
#include "sim/cached_map.h"
#include "sim/piece_store.h"
#include "sim/rng.h"
#include "sim/snapshot_store.h"
#include "sim/xxh3.h"

#include <catch2/catch.hpp>

#include <set>

namespace {

sim::Bytes random_bytes(uint64_t seed, size_t size) {
  sim::Rng rng = sim::Rng::stream(seed, "test/bytes");
  sim::Bytes bytes(size);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.below(256));
  return bytes;
}

std::vector<sim::Bytes> pieces_of(const sim::Bytes& bytes) {
  std::vector<sim::Bytes> pieces;
  size_t start = 0;
  for (const size_t end : sim::cut_pieces(bytes.data(), bytes.size())) {
    pieces.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(start),
                        bytes.begin() + static_cast<std::ptrdiff_t>(end));
    start = end;
  }
  return pieces;
}

// A demo world recording every tick, beside the full snapshot of each tick.
struct Recorded {
  std::unique_ptr<sim::World> world;
  std::vector<sim::Snapshot> full;
};

Recorded record_demo(uint64_t seed, uint64_t ticks) {
  Recorded r{test_sim::make_demo_world(seed), {}};
  r.world->set_snapshot_policy(sim::SnapshotPolicy{1, 0});
  r.full.push_back(r.world->snapshot());
  for (uint64_t t = 0; t < ticks; ++t) {
    r.world->run_tick();
    r.full.push_back(r.world->snapshot());
  }
  return r;
}

}  // namespace

TEST_CASE("sim: pieces: cuts are bounded, cover the input, and move only near an insertion") {
  const sim::Bytes bytes = random_bytes(1, 200'000);
  const std::vector<size_t> ends = sim::cut_pieces(bytes.data(), bytes.size());
  REQUIRE_FALSE(ends.empty());
  CHECK(ends.back() == bytes.size());
  size_t start = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    const size_t size = ends[i] - start;
    CHECK(size <= sim::kMaxPieceBytes);
    if (i + 1 < ends.size()) CHECK(size >= 64);
    start = ends[i];
  }
  // 100 bytes inserted in the middle: all but a few pieces are the same bytes as before.
  sim::Bytes inserted = bytes;
  const sim::Bytes extra = random_bytes(2, 100);
  inserted.insert(inserted.begin() + 100'000, extra.begin(), extra.end());
  const std::vector<sim::Bytes> before = pieces_of(bytes);
  const std::vector<sim::Bytes> after = pieces_of(inserted);
  // Compared by id (GCC 12 warns falsely on ordering byte vectors at -O2).
  std::set<sim::PieceId> old;
  for (const sim::Bytes& p : before) old.insert(sim::PieceId::of(p.data(), p.size()));
  size_t fresh = 0;
  for (const sim::Bytes& p : after) fresh += old.count(sim::PieceId::of(p.data(), p.size())) == 0 ? 1 : 0;
  CHECK(fresh <= 3);
  CHECK(sim::cut_pieces(nullptr, 0).empty());
}

TEST_CASE("sim: pieces: cutting again from a memo gives the full cut's pieces, after any edits") {
  sim::Rng rng = sim::Rng::stream(11, "test/edits");
  sim::PieceStore store;
  sim::CutMemo memo;
  sim::Bytes bytes = random_bytes(5, 30000);
  // Repeats too: a memo piece whose bytes occur again elsewhere.
  const sim::Bytes repeat = random_bytes(6, 2000);
  for (int round = 0; round < 300; ++round) {
    INFO("round " << round);
    // A few edits in different places: replace, insert, delete, a repeated block.
    const uint64_t edits = rng.below(4);
    for (uint64_t e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = rng.below(bytes.size());
      switch (rng.below(4)) {
        case 0:
          bytes[at] ^= 0x41;
          break;
        case 1: {
          const sim::Bytes insert = random_bytes(round * 10 + e, 1 + rng.below(600));
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), insert.begin(), insert.end());
          break;
        }
        case 2:
          bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                      bytes.begin() + static_cast<std::ptrdiff_t>(std::min(bytes.size(), at + rng.below(900))));
          break;
        default:
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), repeat.begin(), repeat.end());
      }
    }
    if (round % 50 == 49) bytes.resize(bytes.size() / 2);  // shorter, with a new last piece
    std::vector<sim::PieceId> expected;
    for (const sim::Bytes& piece : pieces_of(bytes)) expected.push_back(sim::PieceId::of(piece.data(), piece.size()));
    // Now and then the store loses pieces (the budget's thinning): the memo's are kept again.
    if (round % 37 == 36) store.retain({});
    sim::Bytes input = bytes;
    std::vector<sim::PieceId> ids;
    sim::cut_and_keep(store, input, /*compress=*/true, memo, ids);
    REQUIRE(ids == expected);
    CHECK(input.empty());
    CHECK(memo.bytes == bytes);
    sim::Bytes rebuilt;
    for (const sim::PieceId& id : ids) REQUIRE(store.append_to(id, rebuilt).ok());
    CHECK(rebuilt == bytes);
  }
}

TEST_CASE("sim: pieces: a piece is kept once, read back exactly, and its file form is checked") {
  sim::PieceStore store;
  const sim::Bytes noise = random_bytes(3, 4000);
  const sim::Bytes zeros(3000, 0);
  const sim::PieceId a = store.put(noise.data(), noise.size());
  const sim::PieceId b = store.put(zeros.data(), zeros.size());
  CHECK(store.put(noise.data(), noise.size()) == a);
  CHECK(store.count() == 2);
  CHECK(store.stored_bytes() < store.raw_bytes());  // the zeros compress
  sim::Bytes out;
  REQUIRE(store.append_to(b, out).ok());
  REQUIRE(store.append_to(a, out).ok());
  CHECK(sim::Bytes(out.begin(), out.begin() + 3000) == zeros);
  CHECK(sim::Bytes(out.begin() + 3000, out.end()) == noise);
  CHECK_FALSE(store.append_to(sim::PieceId{1, 2}, out).ok());

  sim::Bytes file;
  store.encode(file);
  sim::Result<sim::PieceStore> read = sim::PieceStore::decode(file.data(), file.size());
  REQUIRE(read.ok());
  CHECK(read->count() == 2);
  // A flipped byte is refused when the file is read, or when the piece it hits is.
  for (size_t at = 0; at < file.size(); at += 1 + at / 16) {
    sim::Bytes flipped = file;
    flipped[at] ^= 0x21;
    INFO("byte " << at);
    sim::Result<sim::PieceStore> broken = sim::PieceStore::decode(flipped.data(), flipped.size());
    if (!broken) continue;
    sim::Bytes scratch;
    const bool a_read = broken->append_to(a, scratch).ok();
    const bool b_read = broken->append_to(b, scratch).ok();
    CHECK_FALSE((a_read && b_read));
  }
  for (const size_t cut : {size_t{0}, size_t{5}, file.size() / 2, file.size() - 1}) {
    CHECK_FALSE(sim::PieceStore::decode(file.data(), cut).ok());
  }
}

namespace {

// A world of given parts, for the store alone.
struct FakeParts final : sim::StateParts {
  uint64_t at = 0;
  std::vector<sim::Bytes> parts;
  uint64_t tick() const override { return at; }
  uint64_t state_hash() const override { return 7; }
  size_t part_count() const override { return parts.size(); }
  uint64_t part_digest(size_t part) const override { return sim::hash_bytes(parts[part].data(), parts[part].size()); }
  void encode_part(size_t part, sim::Bytes& out, sim::PieceSink* /*sink*/) const override {
    out.insert(out.end(), parts[part].begin(), parts[part].end());
  }
};

// One part: a table, encoded through the store's sink as a world encodes its parts.
template <class Table>
struct OneTable final : sim::StateParts {
  uint64_t at = 0;
  Table table;
  uint64_t tick() const override { return at; }
  uint64_t state_hash() const override { return 7; }
  size_t part_count() const override { return 1; }
  uint64_t part_digest(size_t /*part*/) const override { return table.digest(); }
  void encode_part(size_t /*part*/, sim::Bytes& out, sim::PieceSink* sink) const override {
    sim::Writer writer(out, sim::Writer::Continuing{});
    writer.set_piece_sink(sink);
    writer.write(table);
  }
  // The part's bytes as a store must rebuild them: the same encoding without a sink.
  sim::Bytes plain() const {
    sim::Bytes out;
    sim::Writer writer(out, sim::Writer::Continuing{});
    writer.write(table);
    return out;
  }
};

}  // namespace

TEST_CASE("sim: snapshot store: a table entry holding pieces of its own hands them on, not its bytes") {
  OneTable<sim::CachedMap<uint32_t, sim::ByteQueue>> world;
  for (uint32_t key = 0; key < 3; ++key) {
    world.table[key].append(random_bytes(key, 64 << 10));  // 16 full chunks each: pieces
  }
  world.table[9].append(random_bytes(9, 100));  // a small entry: a piece of its own
  sim::SnapshotStore store;
  store.keep(world);
  const uint64_t first_bytes = store.stats().piece_raw_bytes;
  std::vector<sim::Bytes> plain{world.plain()};
  for (uint64_t t = 1; t <= 20; ++t) {
    world.at = t;
    world.table.at(1).append(random_bytes(100 + t, 100));
    store.keep(world);
    plain.push_back(world.plain());
  }
  // Each tick appended 100 bytes to a 64 KiB buffer: what it adds is near those bytes,
  // not a copy of the buffer's chunks (which an entry made one piece would have cut again).
  const uint64_t added = store.stats().piece_raw_bytes - first_bytes;
  INFO("bytes added by 20 appends of 100 bytes: " << added);
  CHECK(added < 20 * 2048);
  for (uint64_t t = 0; t <= 20; ++t) {
    INFO("tick " << t);
    sim::Result<sim::Bytes> part = store.part_at(t, 0);
    REQUIRE(part.ok());
    CHECK(*part == plain[t]);
  }
}

TEST_CASE("sim: snapshot store: tables inside a table entry keep their pieces' bytes until handed on") {
  // An outer entry too big to be a piece, whose inner tables' entries are pieces encoded
  // into buffers that end before the outer entry is handed on.
  OneTable<sim::CachedMap<uint32_t, sim::CachedMap<uint32_t, std::string>>> world;
  for (uint32_t key = 0; key < 40; ++key) world.table[0][key] = std::string(300, static_cast<char>('a' + key % 26));
  world.table[1][0] = "small";
  sim::SnapshotStore store;
  std::vector<sim::Bytes> plain;
  for (uint64_t t = 0; t <= 5; ++t) {
    world.at = t;
    if (t > 0) world.table.at(0)[t] = std::string(200 + t, 'z');
    store.keep(world);
    plain.push_back(world.plain());
  }
  for (uint64_t t = 0; t <= 5; ++t) {
    INFO("tick " << t);
    sim::Result<sim::Bytes> part = store.part_at(t, 0);
    REQUIRE(part.ok());
    CHECK(*part == plain[t]);
  }
}

TEST_CASE("sim: snapshot store: big and repetitive parts keep and rebuild (deep trees)") {
  FakeParts world;
  world.parts = {sim::Bytes(10 << 20, 0), random_bytes(5, 3 << 20), sim::Bytes()};
  sim::SnapshotStore store;
  store.keep(world);
  world.at = 1;
  world.parts[1][1234567] ^= 1;
  store.keep(world);
  for (const uint64_t t : {uint64_t{0}, uint64_t{1}}) {
    sim::Result<sim::StoredState> state = store.parts_at(t);
    REQUIRE(state.ok());
    REQUIRE(state->parts.size() == 3);
    CHECK(state->parts[0] == sim::Bytes(10 << 20, 0));
    CHECK(state->parts[2].empty());
  }
  CHECK(store.parts_at(1)->parts[1] == world.parts[1]);
  // One byte changed in 3 MiB: a piece per level, not the part.
  CHECK(store.stats().piece_raw_bytes < (3 << 20) + (1 << 20));
  sim::Bytes file;
  store.encode(file);
  sim::Result<sim::SnapshotStore> read = sim::SnapshotStore::decode(file.data(), file.size());
  REQUIRE(read.ok());
  CHECK(read->parts_at(1)->parts[1] == world.parts[1]);
}

TEST_CASE("sim: snapshot store: every kept tick rebuilds to the world's own snapshot, byte for byte") {
  constexpr uint64_t kTicks = 300;
  const Recorded r = record_demo(11, kTicks);
  const sim::SnapshotStore& store = r.world->snapshots();
  CHECK(store.stats().snapshots == kTicks + 1);
  for (uint64_t t = 0; t <= kTicks; ++t) {
    INFO("tick " << t);
    REQUIRE(store.has(t));
    sim::Result<sim::Snapshot> rebuilt = sim::World::assemble_snapshot(store.parts_at(t), r.full[t].chain_hash);
    REQUIRE(rebuilt.ok());
    CHECK(*rebuilt == r.full[t]);
  }
  // Rebuilt snapshots restore, and the restored world goes on with the chain.
  auto restored = sim::World::restore(
      sim::World::assemble_snapshot(store.parts_at(150), r.full[150].chain_hash).value(), scenarios::all_actor_types());
  REQUIRE(restored.ok());
  (*restored)->run_ticks(kTicks - 150);
  CHECK((*restored)->chain_hash() == r.world->chain_hash());
}

TEST_CASE("sim: snapshot store: unchanged parts are shared and idle ticks add no entry") {
  auto world = test_sim::make_demo_world(12);
  world->set_snapshot_policy(sim::SnapshotPolicy{1, 0});
  world->run_ticks(400);
  const sim::SnapshotStoreStats s = world->snapshots().stats();
  const uint64_t full_bytes = world->snapshot().state.size() * s.snapshots;
  INFO("raw piece bytes " << s.piece_raw_bytes << " against " << full_bytes << " as full copies");
  // The demo world changes nearly every actor at every tick: what is shared is each
  // actor's unchanged pieces, a few times less than full copies (a quieter world shares
  // far more: README, "Snapshots at every tick").
  CHECK(s.piece_raw_bytes * 3 < full_bytes);
  CHECK(s.entries <= s.snapshots);
  CHECK(s.keyframes >= s.entries / sim::kKeyframeSpacing);
  // A sparse policy keeps its ticks only.
  auto sparse = test_sim::make_demo_world(12);
  sparse->set_snapshot_policy(sim::SnapshotPolicy{100, 0});
  sparse->run_ticks(400);
  CHECK(sparse->snapshots().ranges() ==
        std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {100, 100}, {200, 200}, {300, 300}, {400, 400}});
  CHECK(sparse->snapshots().at_or_before(250) == 200);
  CHECK(sparse->snapshots().after(250) == 300);
  CHECK_FALSE(sparse->snapshots().after(400).has_value());
}

TEST_CASE("sim: snapshot store: the file form reads back the same, and refuses corrupt input") {
  const Recorded r = record_demo(13, 120);
  sim::Bytes file;
  r.world->snapshots().encode(file);
  sim::Result<sim::SnapshotStore> read = sim::SnapshotStore::decode(file.data(), file.size());
  REQUIRE(read.ok());
  sim::Bytes again;
  read->encode(again);
  CHECK(again == file);
  for (const uint64_t t : {uint64_t{0}, uint64_t{77}, uint64_t{120}}) {
    CHECK(sim::World::assemble_snapshot(read->parts_at(t), r.full[t].chain_hash).value() == r.full[t]);
  }
  // Flipped bytes: refused, or (where only a digest-free field such as a flag changed) a
  // store whose snapshots still assemble or fail cleanly; never a crash.
  for (size_t at = 0; at < file.size(); at += 1 + at / 8) {
    sim::Bytes flipped = file;
    flipped[at] ^= 0x10;
    INFO("byte " << at);
    sim::Result<sim::SnapshotStore> broken = sim::SnapshotStore::decode(flipped.data(), flipped.size());
    if (!broken) continue;
    for (const auto& [first, last] : broken->ranges()) {
      (void)sim::World::assemble_snapshot(broken->parts_at(first), 0);
      (void)last;
    }
  }
  for (const size_t cut : {size_t{0}, size_t{9}, file.size() / 3, file.size() - 1}) {
    CHECK_FALSE(sim::SnapshotStore::decode(file.data(), cut).ok());
  }
}
