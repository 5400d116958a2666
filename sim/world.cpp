// Event dispatch, tick boundaries, the incremental state hash, snapshots and restore.
#include "sim/world.h"

#include "sim/binary.h"
#include "sim/json_writer.h"
#include "sim/wide_int.h"

#include "sim/fmt.h"
#include "sim/xxh3.h"

namespace sim {
namespace {

// Bumped whenever the meaning or layout of the encoded world state changes.
constexpr uint32_t kStateFormatVersion = 1;

// Entity ids of the state hash's ordered list: the world's own fields, the scheduler,
// then one id per actor slot.
constexpr uint64_t kWorldEntity = 0;
constexpr uint64_t kSchedulerEntity = 1;
constexpr uint64_t kFirstActorEntity = 2;

uint64_t extend_chain(uint64_t previous, uint64_t state_hash) {
  const uint64_t words[2] = {previous, state_hash};
  return hash_words(words, 2);
}

}  // namespace

// --- Context ---------------------------------------------------------------------------------

Instant Context::now() const { return world_->now(); }

uint32_t Context::incarnation() const { return world_->incarnation(self_); }

Event Context::schedule(Duration delay, ActorId target, uint32_t kind, uint64_t arg0, uint64_t arg1) {
  SIM_ASSERT_GE(delay, Duration::zero());
  SIM_ASSERT_NE(kind, kStartEventKind);
  const EventSpec spec{world_->now() + delay, target, world_->incarnation(target), kind, arg0, arg1};
  return world_->scheduler_.schedule(spec);
}

void Context::cancel(const Event& event) { world_->scheduler_.cancel(event); }

bool Context::log_enabled(std::string_view component, LogLevel level) const {
  return world_->log_ != nullptr && world_->log_->enabled(component, level);
}

void Context::write_log(LogLevel level, std::string_view component, std::string message) {
  world_->log_->write(LogLine{world_->now(), self_, std::string(component), level, std::move(message)});
}

// --- World: assembly ----------------------------------------------------------------------------

World::World(WorldOptions options, const ActorRegistry& registry, Log* log)
    : registry_(&registry),
      log_(log),
      seed_(options.seed),
      stream_base_(options.seed),
      tick_length_(options.tick),
      scheduler_(Rng::stream(options.seed, "sim/scheduler/batch")) {
  SIM_ASSERT_GT(tick_length_, Duration::zero());
  assert_context_.seed = seed_;
}

Rng World::stream(std::string_view name) const { return Rng::stream(stream_base_, name); }

World::Slot& World::slot(ActorId id) {
  SIM_ASSERT_LT(to_index(id), slots_.size());
  return slots_[to_index(id)];
}

const World::Slot& World::slot(ActorId id) const {
  SIM_ASSERT_LT(to_index(id), slots_.size());
  return slots_[to_index(id)];
}

ActorId World::spawn(std::unique_ptr<Actor> actor) {
  AssertScope scope(&assert_context_);
  SIM_ASSERT(actor != nullptr);
  SIM_ASSERT_MSG(registry_->contains(actor->type_name()),
                 "actor type '{}' is not registered, so its snapshots could not be restored", actor->type_name());
  const ActorId id = next_actor_id();
  Slot& added = slots_.emplace_back();
  added.type = std::string(actor->type_name());
  added.actor = std::move(actor);
  mark_dirty(id);
  meta_dirty_ = true;
  scheduler_.schedule(EventSpec{now_, id, 0, kStartEventKind, 0, 0});
  return id;
}

void World::stop(ActorId id) {
  AssertScope scope(&assert_context_);
  Slot& s = slot(id);
  SIM_ASSERT_MSG(s.actor != nullptr, "stopping actor {} which is already down", id);
  retired_.push_back(std::move(s.actor));
  mark_dirty(id);
}

void World::restart(ActorId id, std::unique_ptr<Actor> actor) {
  AssertScope scope(&assert_context_);
  SIM_ASSERT(actor != nullptr);
  SIM_ASSERT(registry_->contains(actor->type_name()));
  Slot& s = slot(id);
  if (s.actor) retired_.push_back(std::move(s.actor));
  s.type = std::string(actor->type_name());
  s.actor = std::move(actor);
  ++s.incarnation;
  mark_dirty(id);
  scheduler_.schedule(EventSpec{now_, id, s.incarnation, kStartEventKind, 0, 0});
}

bool World::is_up(ActorId id) const { return slot(id).actor != nullptr; }

uint32_t World::incarnation(ActorId id) const { return slot(id).incarnation; }

Event World::schedule_at(Instant time, ActorId target, uint32_t kind, uint64_t arg0, uint64_t arg1) {
  AssertScope scope(&assert_context_);
  SIM_ASSERT_GE(time, now_);
  SIM_ASSERT_NE(kind, kStartEventKind);
  return scheduler_.schedule(EventSpec{time, target, incarnation(target), kind, arg0, arg1});
}

std::vector<Event> World::schedule_concurrent(std::vector<EventSpec> batch) {
  AssertScope scope(&assert_context_);
  for (const EventSpec& spec : batch) {
    SIM_ASSERT_GE(spec.time, now_);
    SIM_ASSERT_NE(spec.kind, kStartEventKind);
  }
  return scheduler_.schedule_concurrent(std::move(batch));
}

void World::cancel(const Event& event) {
  AssertScope scope(&assert_context_);
  scheduler_.cancel(event);
}

const Actor* World::actor(ActorId id) const { return slot(id).actor.get(); }

void World::mark_dirty(ActorId id) {
  Slot& s = slot(id);
  if (s.dirty) return;
  s.dirty = true;
  dirty_ids_.push_back(id);
}

Context World::context_for(ActorId id) {
  SIM_ASSERT(is_up(id));
  mark_dirty(id);
  return Context(*this, id);
}

// --- World: running --------------------------------------------------------------------------------

void World::dispatch(const Event& event) {
  Slot& target = slot(event.target);
  if (target.actor == nullptr || target.incarnation != event.incarnation) {
    ++events_dropped_;
    return;
  }
  mark_dirty(event.target);
  if (event_sink_ != nullptr) event_sink_->push_back(event);
  // The actor lives on the heap: it stays put if a handler spawns actors (growing slots_),
  // and one that is stopped or replaced meanwhile is only retired, not destroyed.
  Actor* actor = target.actor.get();
  Context ctx(*this, event.target);
  if (event.kind == kStartEventKind) {
    actor->on_start(ctx);
  } else {
    actor->on_event(ctx, event);
  }
  ++events_processed_;
}

void World::start() {
  if (started_) return;
  started_ = true;
  finish_boundary();
}

void World::run_tick() {
  AssertScope scope(&assert_context_);
  start();
  const Instant end = now_ + tick_length_;
  while (std::optional<Event> event = scheduler_.pop_before(end)) {
    SIM_ASSERT_GE(event->time, now_);
    now_ = event->time;
    assert_context_.now_ns = now_.ns();
    dispatch(*event);
  }
  retired_.clear();
  ++tick_;
  now_ = end;
  assert_context_.now_ns = now_.ns();
  SIM_ASSERT_EQ(now_.ns(), static_cast<int64_t>(tick_) * tick_length_.ns());
  finish_boundary();
}

void World::run_ticks(uint64_t count) {
  for (uint64_t i = 0; i < count; ++i) run_tick();
}

// --- World: hashing -----------------------------------------------------------------------------------

uint64_t World::meta_digest() const {
  const uint64_t words[4] = {seed_, stream_base_, static_cast<uint64_t>(tick_length_.ns()), slots_.size()};
  return hash_words(words, 4);
}

uint64_t World::slot_digest(const Slot& s, Encoding encoding) const {
  Hasher hasher;
  {
    Writer writer(hasher, encoding);
    writer.write(s.type);
    writer.write(s.incarnation);
    writer.write(s.actor != nullptr);
    if (s.actor) s.actor->save(writer);
  }
  return hasher.finish();
}

template <class DigestOf>
uint64_t World::combine_entities(uint64_t meta, uint64_t scheduler, DigestOf digest_of) const {
  std::vector<uint64_t>& words = entity_words_;
  words.clear();
  words.insert(words.end(), {kWorldEntity, meta, kSchedulerEntity, scheduler});
  for (size_t i = 0; i < slots_.size(); ++i) {
    words.push_back(kFirstActorEntity + i);
    words.push_back(digest_of(slots_[i]));
  }
  return hash_words(words.data(), words.size());
}

void World::refresh_digests() {
  for (ActorId id : dirty_ids_) {
    Slot& s = slot(id);
    SIM_ASSERT(s.dirty);
    s.digest = slot_digest(s, Encoding::kDigest);
    s.dirty = false;
  }
  dirty_ids_.clear();
}

void World::update_state_hash(bool force) {
  const uint64_t scheduler_digest = scheduler_.digest();
  if (!force && !meta_dirty_ && dirty_ids_.empty() && scheduler_digest == scheduler_digest_) return;
  refresh_digests();
  meta_dirty_ = false;
  scheduler_digest_ = scheduler_digest;
  state_hash_ = combine_entities(meta_digest(), scheduler_digest_, [](const Slot& s) { return s.digest; });
}

void World::finish_boundary() {
  if (!keep_chain_ && !chain_.empty()) return;
  update_state_hash(chain_.empty());
  const uint64_t previous = chain_.empty() ? 0 : chain_.back();
  if (chain_.empty()) first_chain_tick_ = tick_;
  chain_.push_back(extend_chain(previous, state_hash_));
  const bool by_ticks = snapshot_policy_.every_ticks != 0 && tick_ % snapshot_policy_.every_ticks == 0;
  const bool by_events = snapshot_policy_.every_events != 0 &&
                         events_processed_ - events_at_last_snapshot_ >= snapshot_policy_.every_events;
  const bool first = snapshot_policy_.keeps_any() && snapshots_->empty();
  if (by_ticks || by_events || first) keep_snapshot_now();
}

uint64_t World::state_hash() {
  start();
  if (!keep_chain_) update_state_hash(/*force=*/false);
  return state_hash_;
}

uint64_t World::chain_hash() {
  start();
  SIM_ASSERT_MSG(keep_chain_, "a world that does not keep its chain has no chain hash");
  return chain_.back();
}

uint64_t World::chain_at(uint64_t at_tick) const {
  SIM_ASSERT_GE(at_tick, first_chain_tick_);
  SIM_ASSERT_LT(at_tick - first_chain_tick_, chain_.size());
  return chain_[at_tick - first_chain_tick_];
}

uint64_t World::state_hash_from_scratch() const {
  return combine_entities(meta_digest(), scheduler_.digest_uncached(),
                          [this](const Slot& s) { return slot_digest(s, Encoding::kDigestFromScratch); });
}

// --- World: snapshots ----------------------------------------------------------------------------------

// The layout: the fields below, tick, now, the scheduler, the slot count, each slot. The
// store keeps the fields, the scheduler and each slot as parts, and puts the clock and the
// count back in assemble_snapshot().
void World::encode_fields(Writer& writer) const {
  writer.write(kStateFormatVersion);
  writer.write(seed_);
  writer.write(stream_base_);
  writer.write(tick_length_);
}

void World::encode_slot(const Slot& s, Writer& writer) const {
  writer.write(s.type);
  writer.write(s.incarnation);
  writer.write(s.actor != nullptr);
  if (s.actor) s.actor->save(writer);
}

void World::encode_state(Bytes& out) const {
  Writer writer(out, Encoding::kSnapshot);
  encode_fields(writer);
  writer.write(tick_);
  writer.write(now_);
  scheduler_.save(writer);
  writer.write(static_cast<uint64_t>(slots_.size()));
  for (const Slot& s : slots_) encode_slot(s, writer);
}

// The world as the snapshot store sees it, at a boundary (every digest fresh).
class World::Parts final : public StateParts {
 public:
  explicit Parts(const World& world) : world_(world) {}
  uint64_t tick() const override { return world_.tick_; }
  uint64_t state_hash() const override { return world_.state_hash_; }
  size_t part_count() const override { return kFirstSlotPart + world_.slots_.size(); }
  uint64_t part_digest(size_t part) const override {
    if (part == kFieldsPart) {
      const uint64_t words[4] = {kStateFormatVersion, world_.seed_, world_.stream_base_,
                                 static_cast<uint64_t>(world_.tick_length_.ns())};
      return hash_words(words, 4);
    }
    if (part == kSchedulerPart) return world_.scheduler_digest_;
    return world_.slots_[part - kFirstSlotPart].digest;
  }
  void encode_part(size_t part, Bytes& out, PieceSink* sink) const override {
    Writer writer(out, Writer::Continuing{});
    writer.set_piece_sink(sink);
    if (part == kFieldsPart) {
      world_.encode_fields(writer);
    } else if (part == kSchedulerPart) {
      world_.scheduler_.save(writer);
    } else {
      world_.encode_slot(world_.slots_[part - kFirstSlotPart], writer);
    }
  }

  static constexpr size_t kFieldsPart = 0;
  static constexpr size_t kSchedulerPart = 1;
  static constexpr size_t kFirstSlotPart = 2;

 private:
  const World& world_;
};

void World::keep_snapshot_now() {
  start();
  SIM_ASSERT_MSG(dirty_ids_.empty() && !meta_dirty_ && scheduler_.digest() == scheduler_digest_,
                 "a snapshot is kept at a tick boundary, before any input changes the world");
  events_at_last_snapshot_ = events_processed_;
  if (snapshots_->has(tick_)) return;
  own_snapshots().keep(Parts(*this));
  if (snapshot_listener_ != nullptr) snapshot_listener_->snapshot_kept(*this);
}

SnapshotStore& World::own_snapshots() {
  // Copy on write: a trace recorded earlier holds the store as it was.
  if (snapshots_.use_count() > 1) snapshots_ = std::make_shared<SnapshotStore>(*snapshots_);
  return *snapshots_;
}

size_t World::slot_part(ActorId id) { return Parts::kFirstSlotPart + to_index(id); }

Result<std::string> World::dump_slot_part_state(const Bytes& part, const ActorRegistry& registry) {
  std::string out;
  try {
    // A slot part continues an encoding: it has no opening marker.
    Reader reader(part.data(), part.size(), Writer::Continuing{});
    std::string type;
    uint32_t incarnation = 0;
    bool up = false;
    reader("type", type);
    reader("incarnation", incarnation);
    reader("up", up);
    JsonWriter json(out);
    if (!up) {
      json.null();
      return out;
    }
    if (!registry.contains(type)) return Error{fmt::format("unknown actor type '{}'", type)};
    std::unique_ptr<Actor> actor = registry.create(type);
    actor->load(reader);
    actor->dump(json);
  } catch (const DecodeError& e) {
    return Error{fmt::format("corrupt actor state: {}", e.what())};
  }
  return out;
}

Result<Snapshot> World::assemble_snapshot(const Result<StoredState>& stored, uint64_t chain_hash) {
  if (!stored) return stored.error();
  const StoredState& state = *stored;
  // The fields part: format version (u32), seed, stream base, tick length (u64 each).
  constexpr size_t kFieldsBytes = 4 + 8 + 8 + 8;
  if (state.parts.size() < Parts::kFirstSlotPart || state.parts[Parts::kFieldsPart].size() != kFieldsBytes) {
    return Error{"a stored snapshot's parts do not make a world's state"};
  }
  const Bytes& fields = state.parts[Parts::kFieldsPart];
  int64_t tick_ns = 0;
  for (int i = 0; i < 8; ++i) tick_ns |= static_cast<int64_t>(uint64_t{fields[20 + static_cast<size_t>(i)]} << (8 * i));
  if (tick_ns <= 0) return Error{"a stored snapshot's tick length is not positive"};
  if (static_cast<i128>(state.tick) * tick_ns > static_cast<i128>(INT64_MAX)) {
    return Error{"a stored snapshot's tick is past the end of the clock"};
  }
  Snapshot snap;
  snap.tick = state.tick;
  snap.state_hash = state.state_hash;
  snap.chain_hash = chain_hash;
  Writer writer(snap.state, Encoding::kSnapshot);
  writer.write_bytes(fields.data(), fields.size());
  writer.write(state.tick);
  writer.write(Instant::from_ns(static_cast<int64_t>(state.tick) * tick_ns));
  const Bytes& scheduler = state.parts[Parts::kSchedulerPart];
  writer.write_bytes(scheduler.data(), scheduler.size());
  writer.write(static_cast<uint64_t>(state.parts.size() - Parts::kFirstSlotPart));
  for (size_t i = Parts::kFirstSlotPart; i < state.parts.size(); ++i) {
    writer.write_bytes(state.parts[i].data(), state.parts[i].size());
  }
  return snap;
}

Snapshot World::snapshot() {
  start();
  SIM_ASSERT_MSG(dirty_ids_.empty() && !meta_dirty_ && scheduler_.digest() == scheduler_digest_,
                 "a snapshot is taken at a tick boundary, before any input changes the world");
  Snapshot snap;
  snap.tick = tick_;
  snap.state_hash = state_hash_;
  snap.chain_hash = chain_.back();
  encode_state(snap.state);
  return snap;
}

void World::decode_state(const Bytes& state) {
  Reader reader(state);
  uint32_t version = 0;
  reader("format_version", version);
  if (version != kStateFormatVersion) {
    reader.fail(fmt::format("world state format version {} is not supported (this build reads version {})", version,
                            kStateFormatVersion));
  }
  reader("seed", seed_);
  reader("stream_base", stream_base_);
  reader("tick_length", tick_length_);
  reader("tick", tick_);
  reader("now", now_);
  if (tick_length_ <= Duration::zero()) reader.fail("the tick length is not positive");
  // 128-bit: hostile input must not overflow the check meant to catch it.
  if (static_cast<i128>(now_.ns()) != static_cast<i128>(tick_) * tick_length_.ns()) {
    reader.fail("the clock is not at a tick boundary");
  }
  scheduler_.load(reader);
  const size_t count = reader.read_length(1);
  slots_.clear();
  slots_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Slot& s = slots_.emplace_back();
    bool up = false;
    reader("type", s.type);
    reader("incarnation", s.incarnation);
    reader("up", up);
    if (!registry_->contains(s.type)) reader.fail(fmt::format("unknown actor type '{}'", s.type));
    if (up) {
      s.actor = registry_->create(s.type);
      s.actor->load(reader);
    }
  }
  if (reader.remaining() != 0) reader.fail(fmt::format("{} unexpected bytes after the last actor", reader.remaining()));
  assert_context_.seed = seed_;
  assert_context_.now_ns = now_.ns();
}

Result<std::unique_ptr<World>> World::restore(const Snapshot& snap, const ActorRegistry& registry, Log* log) {
  auto world = std::make_unique<World>(WorldOptions{}, registry, log);
  try {
    world->decode_state(snap.state);
  } catch (const DecodeError& e) {
    return Error{fmt::format("corrupt world state: {}", e.what())};
  }
  if (world->tick_ != snap.tick) {
    return Error{fmt::format("snapshot says tick {} but its state is at tick {}", snap.tick, world->tick_)};
  }
  for (size_t i = 0; i < world->slots_.size(); ++i) world->mark_dirty(ActorId{static_cast<uint32_t>(i)});
  world->update_state_hash(/*force=*/true);
  if (world->state_hash_ != snap.state_hash) {
    return Error{
        fmt::format("snapshot state hash mismatch at tick {}: recorded 0x{:016x}, restored state hashes to 0x{:016x}",
                    snap.tick, snap.state_hash, world->state_hash_)};
  }
  world->started_ = true;
  world->first_chain_tick_ = snap.tick;
  world->chain_ = {snap.chain_hash};
  return world;
}

void World::reseed_for_fork(uint64_t new_seed) {
  start();
  const uint64_t words[3] = {chain_.back(), tick_, new_seed};
  stream_base_ = hash_words(words, 3);
  scheduler_.batch_rng().reseed(stream_base_);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].actor == nullptr) continue;
    Reseeder reseeder(stream_base_);
    slots_[i].actor->reseed(reseeder);
    mark_dirty(ActorId{static_cast<uint32_t>(i)});
  }
  meta_dirty_ = true;
  // The fork's state at this tick differs from its parent's; its chain value here extends
  // the parent's, which records its parentage.
  update_state_hash(/*force=*/true);
  chain_.back() = extend_chain(chain_.back(), state_hash_);
}

// --- World: dumps --------------------------------------------------------------------------------------

std::string World::dump_json() {
  start();
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json("seed", seed_);
  json("stream_base", stream_base_);
  json.key("tick_ns");
  json.number(tick_length_.ns());
  json.key("tick");
  json.number(static_cast<int64_t>(tick_));
  json.key("now_ns");
  json.number(now_.ns());
  json("state_hash", state_hash_);
  json("chain_hash", chain_.back());
  json.key("scheduler");
  scheduler_.dump(json);
  json.key("actors");
  json.begin_object();
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    json.key(std::to_string(i));
    json.begin_object();
    if (std::optional<std::string_view> name = names_.of(static_cast<ActorId>(i))) json("name", std::string(*name));
    json("type", s.type);
    json("incarnation", s.incarnation);
    json("up", s.actor != nullptr);
    json("digest", s.digest);
    if (s.actor) {
      json.key("state");
      s.actor->dump(json);
    }
    json.end_object();
  }
  json.end_object();
  json.end_object();
  out += '\n';
  return out;
}

std::string World::summary() {
  start();
  std::string out = fmt::format("tick {} ({}), seed 0x{:016x}, tick length {}\n", tick_, now_, seed_, tick_length_);
  out += fmt::format("state hash 0x{:016x}  chain hash 0x{:016x}\n", state_hash_, chain_.back());
  out += fmt::format("pending events {}, next seq {}\n", scheduler_.pending(), scheduler_.next_seq());
  size_t type_width = 4;  // the columns fit the longest type and name
  size_t name_width = 4;
  for (size_t i = 0; i < slots_.size(); ++i) {
    type_width = std::max(type_width, slots_[i].type.size());
    name_width = std::max(name_width, names_.of(static_cast<ActorId>(i)).value_or("-").size());
  }
  out += fmt::format("{:>5}  {:<{}}  {:<{}} {:>5}  {:<4} {}\n", "actor", "name", name_width, "type", type_width, "inc",
                     "up", "digest");
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    const std::optional<std::string_view> name = names_.of(static_cast<ActorId>(i));
    out += fmt::format("{:>5}  {:<{}}  {:<{}} {:>5}  {:<4} 0x{:016x}\n", i, name ? *name : "-", name_width, s.type,
                       type_width, s.incarnation, s.actor ? "yes" : "no", s.digest);
  }
  return out;
}

void World::set_actor_names(ActorNames names) {
  names_ = std::move(names);
  if (log_ != nullptr) log_->set_names(names_);
}

}  // namespace sim
