// Actors: the simulated entities that receive events, and the registry that recreates them.
#pragma once

#include "sim/binary.h"
#include "sim/event.h"
#include "sim/json_writer.h"
#include "sim/reseeder.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace sim {

class Context;

// An entity of the world. Its whole state is data listed by visit() (through ActorBase),
// so it can be hashed, snapshotted, dumped and reseeded; it refers to other actors by id
// and reaches the world only through the Context it is handed.
class Actor {
 public:
  virtual ~Actor() = default;

  virtual std::string_view type_name() const = 0;
  // Called once when the actor is spawned or restarted, in its own event.
  virtual void on_start(Context& ctx) = 0;
  virtual void on_event(Context& ctx, const Event& event) = 0;

  virtual void save(Writer& out) const = 0;
  virtual void load(Reader& in) = 0;
  virtual void dump(JsonWriter& out) const = 0;
  virtual void reseed(Reseeder& reseeder) = 0;

  // The abstract class of an upper layer this actor is (see below), or nullptr.
  const void* interface_tag() const { return interface_tag_; }

 protected:
  Actor() = default;
  // An abstract class deriving directly from Actor that others reach by actor id, with an
  // event each (the network delivering a packet to a host), names itself with the address
  // of its `static constexpr char kInterfaceTag`: World::mutate_as then finds it by a
  // compare where a dynamic_cast took a twentieth of a bulk transfer's time.
  explicit Actor(const void* interface_tag) : interface_tag_(interface_tag) {}

 private:
  const void* interface_tag_ = nullptr;
};

// Implements the state plumbing of Actor from Derived::visit() and Derived::kTypeName.
// `Base` is Actor or an abstract actor class of an upper layer that derives from it.
template <class Derived, class Base = Actor>
class ActorBase : public Base {
 public:
  using Base::Base;

  std::string_view type_name() const final { return Derived::kTypeName; }
  // The field list is walked directly: writing the actor as a value would find these very
  // save/load/dump members as its custom encoding.
  void save(Writer& out) const final { visit_fields(self(), out); }
  void load(Reader& in) final { self().visit(in); }
  void dump(JsonWriter& out) const final {
    out.begin_object();
    visit_fields(self(), out);
    out.end_object();
  }
  void reseed(Reseeder& reseeder) final { self().visit(reseeder); }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// Maps type names to factories so a snapshot can recreate its actors. Upper layers fill it
// through an explicit registration function that the program calls: static registration
// objects would be dropped when linking static libraries.
class ActorRegistry {
 public:
  using Factory = std::unique_ptr<Actor> (*)();

  template <class T>
  void add() {
    add(T::kTypeName, []() -> std::unique_ptr<Actor> { return std::make_unique<T>(); });
  }
  void add(std::string_view type_name, Factory factory);

  bool contains(std::string_view type_name) const;
  // nullptr for an unknown type name.
  std::unique_ptr<Actor> create(std::string_view type_name) const;

 private:
  std::map<std::string, Factory, std::less<>> factories_;
};

}  // namespace sim
