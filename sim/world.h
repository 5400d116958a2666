// The world: actors, scheduler and clock as plain data, advanced tick by tick and hashed.
#pragma once

#include "sim/actor.h"
#include "sim/actor_names.h"
#include "sim/assert.h"
#include "sim/context.h"
#include "sim/log.h"
#include "sim/result.h"
#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/snapshot.h"
#include "sim/snapshot_store.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

struct WorldOptions {
  /// The world seed: every RNG stream is derived from it and the stream's name.
  uint64_t seed = 0;
  /// Virtual time per tick; the state is hashed at every tick boundary.
  Duration tick = Duration::milliseconds(1);
};

struct SnapshotPolicy {
  /// Keep a snapshot at every tick that is a multiple of this (0: none by tick count).
  uint64_t every_ticks = 0;
  /// Also keep one at the first boundary after this many events since the last snapshot
  /// (0: none by event count). This bounds the work of re-executing from a snapshot in a
  /// busy world, where ticks alone would not.
  uint64_t every_events = 0;

  bool keeps_any() const { return every_ticks != 0 || every_events != 0; }
};

class World;

// Told of every snapshot a world keeps, right after it (sim::TraceRecorder).
class SnapshotListener {
 public:
  virtual ~SnapshotListener() = default;
  virtual void snapshot_kept(World& world) = 0;
};

// Owns every actor (by id), the scheduler, the clock and the seed. Events are processed in
// (time, seq) order; at every tick boundary the state is hashed and the hash chain
// extended: chain[t] = XXH3(chain[t-1] || state_hash[t]), chain[-1] = 0.
//
// The state hash is XXH3-64 over the ordered list of (entity id, entity digest): the world's
// own fields, the scheduler (whose digest is maintained on push and pop) and each actor
// slot. An actor's digest is XXH3 of its canonical digest encoding, cached and recomputed
// only when the actor handled an event or was touched through mutate(). The chain, the
// snapshots kept by the policy, statistics and the log are outside the state.
class World {
 public:
  World(WorldOptions options, const ActorRegistry& registry, Log* log = nullptr);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // --- Assembly and external inputs -----------------------------------------------------

  // The RNG stream `name` of this world (for actors being created).
  Rng stream(std::string_view name) const;
  // The id the next spawn will return (to name streams after the actor).
  ActorId next_actor_id() const { return ActorId{static_cast<uint32_t>(slots_.size())}; }
  // Adds an actor of a registered type; it receives on_start at the current time.
  ActorId spawn(std::unique_ptr<Actor> actor);
  // Takes an actor down: its pending events are dropped when they come due.
  void stop(ActorId id);
  // Replaces a (running or stopped) actor with a new incarnation; events addressed to
  // older incarnations are dropped. It receives on_start at the current time.
  void restart(ActorId id, std::unique_ptr<Actor> actor);
  bool is_up(ActorId id) const;
  uint32_t incarnation(ActorId id) const;
  size_t actor_count() const { return slots_.size(); }

  // Schedules an event from outside any actor (external inputs, set-up). The target's
  // current incarnation is used.
  Event schedule_at(Instant time, ActorId target, uint32_t kind, uint64_t arg0 = 0, uint64_t arg1 = 0);
  // Schedules events meant to happen at once, stamped in a seeded random order.
  std::vector<Event> schedule_concurrent(std::vector<EventSpec> batch);
  void cancel(const Event& event);

  // --- Running ----------------------------------------------------------------------------

  // Records the hash of the current boundary if nothing ran yet (idempotent). Inputs
  // applied after it show in the next tick's hash; run_tick() calls it too.
  void start();
  void run_tick();
  void run_ticks(uint64_t count);
  // Runs whole ticks until `done(*this)` holds at a boundary or `max_ticks` ran; returns
  // whether it held.
  template <class Predicate>
  bool run_until(Predicate done, uint64_t max_ticks) {
    for (uint64_t i = 0; i < max_ticks; ++i) {
      if (done(static_cast<const World&>(*this))) return true;
      run_tick();
    }
    return done(static_cast<const World&>(*this));
  }

  // --- Observation --------------------------------------------------------------------------

  uint64_t seed() const { return seed_; }
  Duration tick_length() const { return tick_length_; }
  uint64_t tick() const { return tick_; }
  Instant now() const { return now_; }
  // The hash at the last boundary (computing the boundary-0 hash if nothing ran yet).
  uint64_t state_hash();
  uint64_t chain_hash();
  // A world that is compared by its final state alone (the snapshot check's re-run) need
  // not hash every boundary: without the chain, state_hash() brings the hash up to date
  // when asked, and the chain stays at the last boundary hashed with it on.
  void keep_chain(bool keep) { keep_chain_ = keep; }
  // chain[t] for t in [first_chain_tick(), tick()].
  uint64_t chain_at(uint64_t tick) const;
  uint64_t first_chain_tick() const { return first_chain_tick_; }
  uint64_t events_processed() const { return events_processed_; }
  uint64_t events_dropped() const { return events_dropped_; }
  size_t pending_events() const { return scheduler_.pending(); }
  const Scheduler& scheduler() const { return scheduler_; }

  const Actor* actor(ActorId id) const;
  // The actor's digest at the last boundary: equal digests, equal state (for pruning
  // tick-by-tick scans).
  uint64_t actor_digest(ActorId id) const { return slot(id).digest; }
  template <class T>
  const T& actor_as(ActorId id) const {
    const Actor* a = actor(id);
    SIM_ASSERT_MSG(a != nullptr, "actor {} is down", id);
    SIM_ASSERT_EQ(a->type_name(), T::kTypeName);
    return static_cast<const T&>(*a);
  }
  // Access for changing an actor from outside its handlers; marks it dirty.
  template <class T>
  T& mutate(ActorId id) {
    mark_dirty(id);
    return const_cast<T&>(actor_as<T>(id));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  }
  // The same for actors known by an abstract base class of an upper layer.
  template <class Base>
  Base& mutate_as(ActorId id) {
    mark_dirty(id);
    Actor* a = slot(id).actor.get();
    SIM_ASSERT_MSG(a != nullptr, "actor {} is down", id);
    if constexpr (requires { Base::kInterfaceTag; }) {
      static_assert(std::is_base_of_v<Actor, Base>);
      SIM_ASSERT_MSG(a->interface_tag() == &Base::kInterfaceTag, "actor {} ({}) is not of the requested kind", id,
                     a->type_name());
      return static_cast<Base&>(*a);
    } else {
      Base* base = dynamic_cast<Base*>(a);
      SIM_ASSERT_MSG(base != nullptr, "actor {} ({}) is not of the requested kind", id, a->type_name());
      return *base;
    }
  }
  // Marks an actor's cached digest stale (handlers' actors are marked automatically).
  void mark_dirty(ActorId id);
  // A context acting as `id`, for external inputs applied at a tick boundary and for an
  // actor that hands an event on to another; marks `id` dirty.
  Context context_for(ActorId id);

  // The state hash recomputed from the state alone, bypassing every cache: entity
  // digests, byte queue chunk digests and the scheduler's running sum. Equal to
  // state_hash() at a boundary unless a cache is wrong.
  uint64_t state_hash_from_scratch() const;

  // --- Snapshots and dumps ------------------------------------------------------------------

  // The world at the current boundary. Taking it changes nothing.
  Snapshot snapshot();
  // A world rebuilt from a snapshot, continuing its chain; fails on corrupt or foreign
  // input, an unknown actor type, or a state whose hash differs from the recorded one.
  static Result<std::unique_ptr<World>> restore(const Snapshot& snapshot, const ActorRegistry& registry,
                                                Log* log = nullptr);
  void set_snapshot_policy(SnapshotPolicy policy) { snapshot_policy_ = policy; }
  // The most the kept snapshots may take (SnapshotStore::set_budget; 0: no limit).
  void set_snapshot_budget(uint64_t bytes) { own_snapshots().set_budget(bytes); }
  // Keeps a snapshot of the current boundary whatever the policy (a fork's start); nothing
  // if it is kept already.
  void keep_snapshot_now();
  // Told of every snapshot the world keeps (a recorder streaming the trace to its file);
  // outside the state, like the log. Null: nobody.
  void set_snapshot_listener(SnapshotListener* listener) { snapshot_listener_ = listener; }
  // The snapshots kept so far, sharing what did not change between them. A trace recorded
  // from the world shares the store itself; the world copies it before keeping more.
  const SnapshotStore& snapshots() const { return *snapshots_; }
  // The store to change outside keeping (its journal, its budget), copied first if shared.
  SnapshotStore& own_snapshots();
  std::shared_ptr<const SnapshotStore> shared_snapshots() const { return snapshots_; }
  // A kept snapshot put together again from the store's parts; an error for parts that do
  // not make a world's encoding (a corrupt trace).
  static Result<Snapshot> assemble_snapshot(const Result<StoredState>& state, uint64_t chain_hash);
  // The state of the actor a store's slot part holds, as dump_json() shows it under
  // /actors/ID/state (null for an actor that is down): for watching one actor's field
  // without restoring a world.
  static Result<std::string> dump_slot_part_state(const Bytes& part, const ActorRegistry& registry);
  // The store's part of the slot of actor `id`.
  static size_t slot_part(ActorId id);

  // Restarts every RNG stream from (chain hash, tick, new_seed): a fork of this world.
  void reseed_for_fork(uint64_t new_seed);

  // The JSON dump: each actor's name (when it has one) beside its id.
  std::string dump_json();
  // Clock, hashes, queue, and a table of every actor with its name.
  std::string summary();

  // Names for people (not state): the builder of the world gives them once it is built;
  // they reach dumps, summaries and the log's lines.
  void set_actor_names(ActorNames names);
  const ActorNames& actor_names() const { return names_; }

  Log* log() const { return log_; }
  // Every event dispatched from now on is appended to `sink` (nullptr: none). An observer
  // outside the state, for showing what ran in a tick.
  void set_event_sink(std::vector<Event>* sink) { event_sink_ = sink; }

 private:
  friend class Context;

  struct Slot {
    std::string type;
    uint32_t incarnation = 0;
    std::unique_ptr<Actor> actor;  // null while the actor is down
    uint64_t digest = 0;
    bool dirty = false;  // listed in dirty_ids_ when true
  };

  void dispatch(const Event& event);
  void finish_boundary();
  // Recomputes stale digests and the state hash if anything changed (or if forced).
  void update_state_hash(bool force);
  void refresh_digests();
  uint64_t slot_digest(const Slot& slot, Encoding encoding) const;
  uint64_t meta_digest() const;
  // XXH3 over the ordered (entity id, digest) list; digest_of(slot) gives each actor's.
  template <class DigestOf>
  uint64_t combine_entities(uint64_t meta, uint64_t scheduler, DigestOf digest_of) const;
  void encode_state(Bytes& out) const;
  void decode_state(const Bytes& state);
  // The encoding in the store's parts: the world's own fields, the scheduler, each slot.
  class Parts;
  void encode_fields(Writer& writer) const;
  void encode_slot(const Slot& slot, Writer& writer) const;
  Slot& slot(ActorId id);
  const Slot& slot(ActorId id) const;

  const ActorRegistry* registry_;
  Log* log_;
  ActorNames names_;

  // --- State (hashed and snapshotted) ---
  uint64_t seed_;
  uint64_t stream_base_;  // the seed, or what a fork derived from it
  Duration tick_length_;
  uint64_t tick_ = 0;
  Instant now_;
  Scheduler scheduler_;
  std::vector<Slot> slots_;

  // --- Outside the state: caches, chain, snapshots, statistics ---
  bool started_ = false;
  bool keep_chain_ = true;
  bool meta_dirty_ = true;
  std::vector<ActorId> dirty_ids_;
  uint64_t scheduler_digest_ = 0;
  uint64_t state_hash_ = 0;
  uint64_t first_chain_tick_ = 0;
  std::vector<uint64_t> chain_;
  SnapshotPolicy snapshot_policy_;
  std::shared_ptr<SnapshotStore> snapshots_ = std::make_shared<SnapshotStore>();
  SnapshotListener* snapshot_listener_ = nullptr;
  uint64_t events_processed_ = 0;
  uint64_t events_at_last_snapshot_ = 0;
  std::vector<Event>* event_sink_ = nullptr;
  uint64_t events_dropped_ = 0;
  // Actors replaced during a dispatch are destroyed after it, never under their own feet.
  std::vector<std::unique_ptr<Actor>> retired_;
  mutable std::vector<uint64_t> entity_words_;  // scratch for combine_entities
  AssertContext assert_context_;
};

}  // namespace sim
