// Error code names.
#include "dmsg/errors.h"

#include "sim/enum_names.h"

#include <array>

namespace dmsg {
namespace {

constexpr std::array<sim::EnumName<ErrorCode>, 23> kDescriptions = {{
    {ErrorCode::kOk, "ok"},
    {ErrorCode::kEntryNotFound, "discovery entry not found"},
    {ErrorCode::kNotAServer, "entry is not of a server"},
    {ErrorCode::kNotAClient, "entry is not of a client"},
    {ErrorCode::kNoDelegatedServers, "entry has no delegated servers"},
    {ErrorCode::kEntityClosed, "entity closed"},
    {ErrorCode::kSessionClosed, "session closed"},
    {ErrorCode::kCannotConnectToDelegated, "cannot connect to any delegated server"},
    {ErrorCode::kExtraBytesAfterHandshake, "extra bytes after the session handshake"},
    {ErrorCode::kRequestBadSignature, "stream request has a bad signature"},
    {ErrorCode::kRequestStaleTimestamp, "stream request has a stale timestamp"},
    {ErrorCode::kRequestBadSrcPk, "stream request has a bad source public key"},
    {ErrorCode::kRequestBadDstPk, "stream request has a bad destination public key"},
    {ErrorCode::kRequestBadSrcPort, "stream request has a bad source port"},
    {ErrorCode::kRequestBadDstPort, "stream request has a bad destination port"},
    {ErrorCode::kNoListener, "no listener on the port"},
    {ErrorCode::kNoSessionToDestination, "the server has no session to the destination"},
    {ErrorCode::kResponseBadSignature, "stream response has a bad signature"},
    {ErrorCode::kResponseWrongRequestHash, "stream response answers another request"},
    {ErrorCode::kRejectedWithoutReason, "stream rejected without a reason"},
    {ErrorCode::kSignedObjectTooShort, "signed object too short"},
    {ErrorCode::kPortOccupied, "port occupied"},
    {ErrorCode::kAcceptBacklogFull, "accept backlog full"},
}};

}  // namespace

std::string_view describe(ErrorCode code) { return sim::name_in(kDescriptions, code); }

bool is_known(uint16_t code) {
  for (const auto& entry : kDescriptions) {
    if (static_cast<uint16_t>(entry.value) == code) return true;
  }
  return false;
}

bool is_temporary(ErrorCode code) { return code == ErrorCode::kNoListener || code == ErrorCode::kAcceptBacklogFull; }

}  // namespace dmsg
