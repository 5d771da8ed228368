# Entries of the audit log: the wire form of AuditEntry in schema/model.h. Canonical encodings of
# entries are the leaves the RFC 6962 audit log hashes. Conventions are described in common.capnp.

@0xa561823bd40c2d20;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("liaison::wire");

using Common = import "/schema/common.capnp";

# One audited access, allowed or refused. Fields a refused or unauthenticated request could not
# establish stay empty or `none`.
struct AuditEntry {
  recordedAt @0 :Int64;  # timestamp
  requester @1 :Text;  # requesting member id
  officerPseudonym @2 :Text;
  role :union {
    none @3 :Void;
    some @4 :Common.Role;
  }
  purpose @5 :Text;
  caseReference @6 :Text;
  queryKind :union {
    none @7 :Void;
    some @8 :Common.QueryKind;
  }
  queryDigest @9 :Data;  # exactly 32 bytes (SHA-256)
  decision @10 :Common.Decision;
  reason @11 :Text;
  recordRefs @12 :List(Text);  # RecordMeta.ref of each record concerned
  responseDigest @13 :Data;  # exactly 32 bytes (SHA-256)

  # Who the node verified and where the request came from (schema version 7). Each is written only
  # when set, so an entry that sets none of them has the bytes it had before they existed.
  signer @14 :Text;  # whose key verified the request: "officer:PSEUDONYM" of this node or "member:ID"
  claimedRequester @15 :Text;  # the requester the request named, when it is not `requester`
  claimedOfficer @16 :Text;  # the officer pseudonym the request named, when it is not `officerPseudonym`
  claimedRole :union {  # the role the request named, when it is not `role`
    none @17 :Void;
    some @18 :Common.Role;
  }
  remoteAddress @19 :Text;  # IP address the request came from
  peerPin @20 :Text;  # "sha256:..." pin of the TLS client certificate the request came with
  localUser @21 :Text;  # command-line access: the operating-system user who ran the command
  command @22 :Text;  # command-line access: the command as run
  repeatCount @23 :UInt64;  # further refusals from the same source this entry stands for

  # Federation fields, written only when set like those of version 7; not columns of their own.
  # A request forwarded for an officer, at both ends: SHA-256 of that officer's own signed request
  # body, i.e. the queryDigest of the officer's entry at the officer's node.
  onBehalfOf @24 :Data;
  partner @25 :Text;  # at the officer's node: the partner a forwarded request went to

  # Screening fields, written only when set like those above.
  manifestDigest @26 :Data;  # screen-manifest: SHA-256 of the manifest file as the client read it
  travellers @27 :UInt32;  # screen-manifest: how many travellers the manifest listed
}

# A tree head of the audit log, signed by the node's member key as an envelope of type treeHead.
# Signed heads are the node's commitments: two heads that are not consistent prove a rewrite.
struct TreeHead {
  logId @0 :Text;  # the log's id (the member id of the node that keeps it)
  treeSize @1 :UInt64;  # number of entries (leaves)
  rootHash @2 :Data;  # exactly 32 bytes: RFC 6962 MTH of the first treeSize leaves
  timestamp @3 :Int64;  # when the head was signed
}
