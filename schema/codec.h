// Binary codecs between the model types and their Cap'n Proto wire form (schema/*.capnp).
//
// Encoding is canonical: the output is the single segment that capnp::canonicalize() produces, a
// root pointer followed by every object in pre-order, with no segment table and no framing. Its
// length is a multiple of 8. Equal values always give identical bytes, so the bytes can be signed
// and hashed into the audit log. An encoded value is not self-delimiting: a transport must carry
// its length.
//
// Decoding treats its input as untrusted and accepts exactly what encoding produces: for every
// accepted input, encoding the decoded value gives back the same bytes, so each value has one byte
// string and a digest of the bytes names the value. Input must be at most kMaxEncodedBytes, and
// every field the model constrains is validated: enum values, calendar dates, partial dates,
// timestamps (years 0000..9999), document numbers (already normalised), fixed-size byte strings
// and text (UTF-8 without NUL), and the length of every text and list (schema/limits.h: refused as
// e.g. "request: officer case reference is 1000000 bytes, more than the 128 allowed"). Anything else is an
// ErrorKind::invalidInput naming the message and the field, e.g. "envelope: signature must be 64 bytes, got
// 3". The input needs no particular alignment. Schema evolution therefore needs a protocol version: a field
// added by a newer peer is refused, not skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "schema/directory.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison {

/// The largest input any decoder accepts; larger input is rejected before it is parsed.
inline constexpr size_t kMaxEncodedBytes = size_t{8} << 20;

/// Canonical encoding of a record.
std::vector<uint8_t> encodeRecord(const Record& record);
/// Decodes and validates a record produced by encodeRecord.
Result<Record> decodeRecord(std::span<const uint8_t> bytes);

/// Canonical encoding of a request body, the bytes a requester signs.
std::vector<uint8_t> encodeRequest(const Request& request);
/// Decodes and validates a request body produced by encodeRequest.
Result<Request> decodeRequest(std::span<const uint8_t> bytes);

/// Canonical encoding of a response body, the bytes a responder signs.
std::vector<uint8_t> encodeResponse(const Response& response);
/// Decodes and validates a response body produced by encodeResponse; each hit's details must be
/// of the hit's kind.
Result<Response> decodeResponse(std::span<const uint8_t> bytes);

/// Canonical encoding of a signed envelope, the bytes sent between members.
std::vector<uint8_t> encodeEnvelope(const SignedEnvelope& envelope);
/// Decodes an envelope produced by encodeEnvelope. Checks its shape only: the signature is
/// verified elsewhere, and the body is still undecoded bytes.
Result<SignedEnvelope> decodeEnvelope(std::span<const uint8_t> bytes);

/// Whether decoding holds text and list fields to schema/limits.h. Only readers of entries a log
/// already holds waive them, so that entries an older node wrote before the limits existed stay
/// readable and verifiable; everything received and everything written is held to them.
enum class FieldLimits { enforce, waive };

/// Canonical encoding of an audit entry, the bytes the audit log hashes into a leaf.
std::vector<uint8_t> encodeAuditEntry(const AuditEntry& entry);
/// Decodes and validates an audit entry produced by encodeAuditEntry.
Result<AuditEntry> decodeAuditEntry(std::span<const uint8_t> bytes,
                                    FieldLimits fieldLimits = FieldLimits::enforce);

/// Canonical encoding of a tree head, the body of a treeHead envelope.
std::vector<uint8_t> encodeTreeHead(const TreeHead& head);
/// Decodes and validates a tree head produced by encodeTreeHead.
Result<TreeHead> decodeTreeHead(std::span<const uint8_t> bytes);

/// Canonical encoding of a federation directory, the body of a directory envelope.
/// Encodes a part of a federated answer (signed by the officer's own node as type federationPart).
std::vector<uint8_t> encodeFederationPart(const FederationPart& part);
/// Decodes and validates a federation part produced by encodeFederationPart.
Result<FederationPart> decodeFederationPart(std::span<const uint8_t> bytes);

/// Encodes one frame of a federated answer's stream (without its 4-byte length prefix).
std::vector<uint8_t> encodeFederationFrame(const FederationFrame& frame);
/// A frame as the stream carries it: a 4-byte big-endian length, then encodeFederationFrame's bytes.
std::vector<uint8_t> encodeFramedFederationFrame(const FederationFrame& frame);
/// Decodes a frame; each message it carries is at most limits::kMaxFramePieceBytes.
Result<FederationFrame> decodeFederationFrame(std::span<const uint8_t> bytes);

std::vector<uint8_t> encodeDirectory(const Directory& directory);
/// Decodes a directory produced by encodeDirectory. Checks its shape and limits only: whether it is
/// valid, and valid now, is checked where it is opened (node/client/directory.h).
Result<Directory> decodeDirectory(std::span<const uint8_t> bytes);

}  // namespace liaison
