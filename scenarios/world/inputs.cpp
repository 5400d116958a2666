// Parsing and applying external fault inputs.
#include "scenarios/world/inputs.h"

#include "net/network.h"
#include "net/node_faults.h"
#include "scenarios/world/command_target.h"
#include "sim/enum_names.h"
#include "sim/fmt.h"

#include <algorithm>
#include <array>
#include <sstream>

namespace scenarios {
namespace {

constexpr std::array<sim::EnumName<InputKind>, 14> kKindNames = {{
    {InputKind::kPartition, "partition"},
    {InputKind::kPartitionOneWay, "partition-oneway"},
    {InputKind::kHeal, "heal"},
    {InputKind::kCalm, "calm"},
    {InputKind::kClog, "clog"},
    {InputKind::kHold, "hold"},
    {InputKind::kRelease, "release"},
    {InputKind::kLossBurst, "loss-burst"},
    {InputKind::kClock, "clock"},
    {InputKind::kCrash, "crash"},
    {InputKind::kKill, "kill"},
    {InputKind::kRestart, "restart"},
    {InputKind::kStop, "stop"},
    {InputKind::kCommand, "command"},
}};

constexpr std::string_view kSyntax =
    "AT partition A,B|C  |  AT partition-oneway A,B>C  |  AT heal  |  AT calm  |  AT clog NODE[,NODE] DURATION  |  "
    "AT hold SRC>DST  |  AT release SRC>DST  |  AT loss-burst RATIO DURATION  |  AT clock NODE OFFSET  |  "
    "AT crash NODE  |  AT kill NODE  |  AT stop NODE  |  AT restart NODE  |  AT command NODE WORDS...   (AT and "
    "DURATION with a unit, e.g. 2s or "
    "150ms)";

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool all_named(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (name.empty()) return false;
  }
  return !names.empty();
}

// "A,B>C" or "A,B|C" into its two sides.
bool parse_sides(std::string_view text, char separator, FaultInput& input) {
  const size_t at = text.find(separator);
  if (at == std::string_view::npos) return false;
  input.left = split(text.substr(0, at), ',');
  input.right = split(text.substr(at + 1), ',');
  return all_named(input.left) && all_named(input.right);
}

std::optional<sim::Duration> parse_signed_duration(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  std::optional<sim::Duration> d = sim::parse_duration(negative ? text.substr(1) : text);
  if (!d) return std::nullopt;
  return negative ? sim::Duration::zero() - *d : *d;
}

// A node named on both sides of a partition or link, which would cut it off from itself.
std::optional<std::string> node_on_both_sides(const FaultInput& input) {
  for (const std::string& name : input.left) {
    if (std::find(input.right.begin(), input.right.end(), name) != input.right.end()) return name;
  }
  return std::nullopt;
}

sim::Error syntax_error(std::string_view text, std::string_view what) {
  return sim::Error{fmt::format("bad fault '{}': {}; the forms are: {}", text, what, kSyntax)};
}

}  // namespace

std::string_view enum_name(InputKind kind) { return sim::name_in(kKindNames, kind); }

std::string_view fault_syntax_help() { return kSyntax; }

sim::Result<FaultInput> parse_fault(std::string_view text) {
  std::istringstream words{std::string(text)};
  std::vector<std::string> w;
  for (std::string word; words >> word;) w.push_back(word);
  if (w.size() < 2) return syntax_error(text, "expected AT KIND ARGS");
  FaultInput input;
  input.text = std::string(text);
  std::optional<sim::Duration> at = sim::parse_duration(w[0]);
  if (!at) return syntax_error(text, fmt::format("'{}' is not a time with a unit", w[0]));
  input.at = *at;
  const std::optional<InputKind> kind = sim::value_in(kKindNames, w[1]);
  if (!kind) return syntax_error(text, fmt::format("unknown kind '{}'", w[1]));
  input.kind = *kind;
  const std::vector<std::string> args(w.begin() + 2, w.end());
  auto expect_args = [&](size_t n) { return args.size() == n; };
  switch (input.kind) {
    case InputKind::kPartition:
      if (!expect_args(1) || !parse_sides(args[0], '|', input)) return syntax_error(text, "expected A,B|C");
      if (std::optional<std::string> both = node_on_both_sides(input)) {
        return syntax_error(text, fmt::format("node {} is on both sides", *both));
      }
      break;
    case InputKind::kPartitionOneWay:
    case InputKind::kHold:
    case InputKind::kRelease:
      if (!expect_args(1) || !parse_sides(args[0], '>', input)) return syntax_error(text, "expected SRC>DST");
      if (input.kind != InputKind::kPartitionOneWay && (input.left.size() != 1 || input.right.size() != 1)) {
        return syntax_error(text, "a link is one SRC>DST pair");
      }
      if (std::optional<std::string> both = node_on_both_sides(input)) {
        return syntax_error(text, fmt::format("node {} is on both sides", *both));
      }
      break;
    case InputKind::kHeal:
    case InputKind::kCalm:
      if (!expect_args(0)) return syntax_error(text, fmt::format("{} takes no arguments", w[1]));
      break;
    case InputKind::kClog: {
      if (!expect_args(2)) return syntax_error(text, "expected NODE[,NODE] DURATION");
      input.left = split(args[0], ',');
      std::optional<sim::Duration> d = sim::parse_duration(args[1]);
      if (!all_named(input.left) || input.left.size() > 2 || !d)
        return syntax_error(text, "expected NODE[,NODE] DURATION");
      input.duration = *d;
      break;
    }
    case InputKind::kLossBurst: {
      if (!expect_args(2)) return syntax_error(text, "expected RATIO DURATION");
      std::optional<sim::Ratio> ratio = sim::parse_probability(args[0]);
      std::optional<sim::Duration> d = sim::parse_duration(args[1]);
      if (!ratio || !d) return syntax_error(text, "expected a probability (0.5, 1/2, 50%) and a duration");
      input.ratio = *ratio;
      input.duration = *d;
      break;
    }
    case InputKind::kClock: {
      if (!expect_args(2)) return syntax_error(text, "expected NODE OFFSET");
      std::optional<sim::Duration> offset = parse_signed_duration(args[1]);
      if (!offset) return syntax_error(text, "the offset is a duration with a unit, e.g. -3s");
      input.left = {args[0]};
      input.duration = *offset;
      break;
    }
    case InputKind::kCrash:
    case InputKind::kKill:
    case InputKind::kStop:
    case InputKind::kRestart:
      if (!expect_args(1) || args[0].find_first_of(",|>") != std::string::npos)
        return syntax_error(text, "expected one NODE");
      input.left = {args[0]};
      break;
    case InputKind::kCommand:
      if (args.size() < 2 || args[0].find_first_of(",|>") != std::string::npos)
        return syntax_error(text, "expected one NODE and the command's words");
      input.left = {args[0]};
      input.words.assign(args.begin() + 1, args.end());
      break;
  }
  return input;
}

std::string format_fault(const FaultInput& input) {
  const std::string at = sim::format_duration(input.at);
  const std::string_view kind = enum_name(input.kind);
  const std::string left = fmt::format("{}", fmt::join(input.left, ","));
  const std::string right = fmt::format("{}", fmt::join(input.right, ","));
  switch (input.kind) {
    case InputKind::kPartition:
      return fmt::format("{} {} {}|{}", at, kind, left, right);
    case InputKind::kPartitionOneWay:
    case InputKind::kHold:
    case InputKind::kRelease:
      return fmt::format("{} {} {}>{}", at, kind, left, right);
    case InputKind::kHeal:
    case InputKind::kCalm:
      return fmt::format("{} {}", at, kind);
    case InputKind::kClog:
      return fmt::format("{} {} {} {}", at, kind, left, input.duration);
    case InputKind::kLossBurst:
      return fmt::format("{} {} {} {}", at, kind, input.ratio, input.duration);
    case InputKind::kClock: {
      const bool negative = input.duration < sim::Duration::zero();
      const sim::Duration size = negative ? sim::Duration::zero() - input.duration : input.duration;
      return fmt::format("{} {} {} {}{}", at, kind, left, negative ? "-" : "", size);
    }
    case InputKind::kCrash:
    case InputKind::kKill:
    case InputKind::kStop:
    case InputKind::kRestart:
      return fmt::format("{} {} {}", at, kind, left);
    case InputKind::kCommand:
      return fmt::format("{} {} {} {}", at, kind, left, fmt::join(input.words, " "));
  }
  SIM_UNREACHABLE("input kind {}", static_cast<int>(input.kind));
}

uint64_t input_tick(const FaultInput& input, sim::Duration tick_length) {
  SIM_ASSERT_GE(input.at, sim::Duration::zero());
  return static_cast<uint64_t>(input.at.count_of(tick_length));
}

namespace {

std::vector<net::NodeAddress> resolve(const net::Network& network, const std::vector<std::string>& names) {
  std::vector<net::NodeAddress> addresses;
  for (const std::string& name : names) {
    std::optional<net::NodeAddress> address = network.find_node(name);
    SIM_ASSERT_MSG(address.has_value(), "node '{}' was validated but is gone", name);
    addresses.push_back(*address);
  }
  return addresses;
}

}  // namespace

namespace {

sim::Status validate_command(const sim::World& world, const net::Network& network, const FaultInput& input) {
  const net::NodeAddress node = *network.find_node(input.left[0]);
  const sim::Actor* actor = world.actor(network.node(node).actor);
  const auto* target = dynamic_cast<const CommandTarget*>(actor);
  if (target == nullptr) {
    return sim::Error{
        fmt::format("fault '{}': node '{}' runs no application that takes commands", input.text, input.left[0])};
  }
  if (sim::Status checked = target->check_command(input.words); !checked) {
    return sim::Error{fmt::format("fault '{}': {}", input.text, checked.error().message)};
  }
  return sim::Ok{};
}

void run_command(sim::World& world, const net::Network& network, net::NodeAddress node, const FaultInput& input) {
  const sim::ActorId actor = network.node(node).actor;
  sim::Context ctx = world.context_for(actor);
  world.mutate_as<CommandTarget>(actor).run_command(ctx, input.words);
}

}  // namespace

sim::Status validate_fault(const sim::World& world, sim::ActorId network_id, const FaultInput& input) {
  const net::Network& network = world.actor_as<net::Network>(network_id);
  for (const auto* side : {&input.left, &input.right}) {
    for (const std::string& name : *side) {
      if (!network.find_node(name)) {
        std::string known;
        for (uint32_t i = 0; i < network.node_count(); ++i) {
          known += (i == 0 ? "" : ", ") + network.node(net::NodeAddress{i}).name;
        }
        return sim::Error{fmt::format("fault '{}' names node '{}', which this scenario does not have (nodes: {})",
                                      input.text, name, known)};
      }
    }
  }
  if (input.kind == InputKind::kCommand) return validate_command(world, network, input);
  return sim::Ok{};
}

std::optional<std::string> why_fault_has_no_effect(const sim::World& world, sim::ActorId network_id,
                                                   const FaultInput& input) {
  const net::Network& network = world.actor_as<net::Network>(network_id);
  const std::vector<net::NodeAddress> left = resolve(network, input.left);
  const std::vector<net::NodeAddress> right = resolve(network, input.right);
  switch (input.kind) {
    case InputKind::kHeal:
      if (!network.has_partitions()) return "there was no partition to heal";
      break;
    case InputKind::kRelease:
      if (!network.is_held(left[0], right[0]))
        return fmt::format("the link {} was not held", input.left[0] + ">" + input.right[0]);
      break;
    case InputKind::kCrash:
    case InputKind::kKill:
    case InputKind::kStop:
      if (!network.node(left[0]).up) return fmt::format("node {} was down already", input.left[0]);
      break;
    default:
      break;
  }
  return std::nullopt;
}

void apply_fault(sim::World& world, sim::ActorId network_id, const FaultInput& input) {
  const net::Network& view = world.actor_as<net::Network>(network_id);
  const std::vector<net::NodeAddress> left = resolve(view, input.left);
  const std::vector<net::NodeAddress> right = resolve(view, input.right);
  if (world.log() != nullptr && world.log()->enabled("input", sim::LogLevel::kInfo)) {
    world.log()->write(sim::LogLine{world.now(), std::nullopt, "input", sim::LogLevel::kInfo, input.text});
  }
  switch (input.kind) {
    case InputKind::kCrash:
      net::crash_node(world, network_id, left[0]);
      return;
    case InputKind::kKill:
      net::kill_node(world, network_id, left[0]);
      return;
    case InputKind::kRestart:
      net::restart_node(world, network_id, left[0]);
      return;
    case InputKind::kStop:
      net::stop_node(world, network_id, left[0]);
      return;
    case InputKind::kCommand:
      run_command(world, view, left[0], input);
      return;
    default:
      break;
  }
  sim::Context ctx = world.context_for(network_id);
  net::Network& network = world.mutate<net::Network>(network_id);
  switch (input.kind) {
    case InputKind::kPartition:
      network.partition(left, right, /*one_way=*/false);
      return;
    case InputKind::kPartitionOneWay:
      network.partition(left, right, /*one_way=*/true);
      return;
    case InputKind::kHeal:
      network.heal();
      return;
    case InputKind::kCalm:
      network.calm_down();
      return;
    case InputKind::kClog:
      if (left.size() == 1) {
        network.clog_node(ctx, left[0], input.duration);
      } else {
        network.clog_pair(ctx, left[0], left[1], input.duration);
      }
      return;
    case InputKind::kHold:
      network.hold(left[0], right[0]);
      return;
    case InputKind::kRelease:
      network.release(ctx, left[0], right[0]);
      return;
    case InputKind::kLossBurst:
      network.loss_burst(ctx, input.ratio, input.duration);
      return;
    case InputKind::kClock:
      network.set_clock_offset(left[0], input.duration);
      return;
    case InputKind::kCrash:
    case InputKind::kKill:
    case InputKind::kStop:
    case InputKind::kRestart:
    case InputKind::kCommand:
      SIM_UNREACHABLE("handled above");
  }
}

}  // namespace scenarios
