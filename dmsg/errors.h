// dmsg's error codes (section 4 of the protocol notes), with their meaning for people.
#pragma once

#include <cstdint>
#include <string_view>

namespace dmsg {

enum class ErrorCode : uint16_t {
  kOk = 0,
  kEntryNotFound = 100,
  kNotAServer = 101,
  kNotAClient = 102,
  kNoDelegatedServers = 103,
  kEntityClosed = 200,
  kSessionClosed = 201,
  kCannotConnectToDelegated = 202,
  kExtraBytesAfterHandshake = 203,  // never emitted by dmsgsim: it keeps them as mux input
  kRequestBadSignature = 300,
  kRequestStaleTimestamp = 301,
  kRequestBadSrcPk = 302,
  kRequestBadDstPk = 303,
  kRequestBadSrcPort = 304,
  kRequestBadDstPort = 305,
  kNoListener = 306,
  kNoSessionToDestination = 307,
  kResponseBadSignature = 350,
  kResponseWrongRequestHash = 351,
  kRejectedWithoutReason = 352,
  kSignedObjectTooShort = 370,
  kPortOccupied = 400,
  kAcceptBacklogFull = 401,
};

// Every code dmsgsim emits (tests/dmsg/test_dial_errors.cpp has one test each). 203 is
// not among them: bytes pipelined after the session handshake are kept as mux input.
inline constexpr ErrorCode kEmittedCodes[] = {
    ErrorCode::kEntryNotFound,
    ErrorCode::kNotAServer,
    ErrorCode::kNotAClient,
    ErrorCode::kNoDelegatedServers,
    ErrorCode::kEntityClosed,
    ErrorCode::kSessionClosed,
    ErrorCode::kCannotConnectToDelegated,
    ErrorCode::kRequestBadSignature,
    ErrorCode::kRequestStaleTimestamp,
    ErrorCode::kRequestBadSrcPk,
    ErrorCode::kRequestBadDstPk,
    ErrorCode::kRequestBadSrcPort,
    ErrorCode::kRequestBadDstPort,
    ErrorCode::kNoListener,
    ErrorCode::kNoSessionToDestination,
    ErrorCode::kResponseBadSignature,
    ErrorCode::kResponseWrongRequestHash,
    ErrorCode::kRejectedWithoutReason,
    ErrorCode::kSignedObjectTooShort,
    ErrorCode::kPortOccupied,
    ErrorCode::kAcceptBacklogFull,
};

std::string_view describe(ErrorCode code);
// The codes a peer may send (in a StreamResponse); anything else on the wire is refused.
bool is_known(uint16_t code);
// Temporary errors may succeed when retried (no listener yet, a full backlog).
bool is_temporary(ErrorCode code);

}  // namespace dmsg
